"""The time of each stage of a render: text encoding, denoising, VAE decode, encoding.

A pipeline's ``__call__`` runs the stages one after the other; the text encoder and the VAE
decoder are reached through ``pipe.encode_prompt`` and ``pipe.vae.decode`` (and LTX-2's
``audio_vae.decode``), which :class:`StageClock` times by wrapping them on the instance for one
call. Denoising is the rest of the call (the steps, with the few milliseconds of preparing
latents). The renderer times encoding and muxing itself. On a GPU each wrapped call
synchronises first, so the time lands in the stage that spent it and not in the next.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["STAGES", "StageClock"]

#: The stages, in the order a render runs them (the names the job reports).
STAGES = ("text_encoding", "denoising", "vae_decode", "encoding")


class StageClock:
    """Seconds per stage of one render, filled while the pipeline runs."""

    def __init__(self, sync: Callable[[], None] | None = None) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self._sync = sync or (lambda: None)

    @contextmanager
    def timing(self, pipe: Any) -> Iterator[StageClock]:
        """Wrap the pipeline's text encoder and decoders for the ``with`` block."""
        patched: list[tuple[Any, str]] = []

        def wrap(owner: Any, name: str, stage: str) -> None:
            original = getattr(owner, name, None)
            if owner is None or original is None or name in vars(owner):
                return  # nothing to time, or already wrapped by someone we must not undo

            @functools.wraps(original)
            def timed(*args: Any, **kwargs: Any) -> Any:
                self._sync()
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    self._sync()
                    self.seconds[stage] += time.perf_counter() - started

            setattr(owner, name, timed)
            patched.append((owner, name))

        wrap(pipe, "encode_prompt", "text_encoding")
        wrap(getattr(pipe, "vae", None), "decode", "vae_decode")
        wrap(getattr(pipe, "audio_vae", None), "decode", "vae_decode")
        try:
            yield self
        finally:
            for owner, name in patched:
                delattr(owner, name)

    def call_took(self, seconds: float) -> None:
        """The whole pipeline call took ``seconds``: denoising is what the other stages left."""
        self.seconds["denoising"] = max(
            0.0, seconds - self.seconds["text_encoding"] - self.seconds["vae_decode"]
        )

    def report(self) -> dict[str, float]:
        """The stages' seconds, rounded to the millisecond, in the order they ran."""
        return {stage: round(self.seconds[stage], 3) for stage in STAGES}
