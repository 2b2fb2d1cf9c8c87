"""LoRA adapters and Wan 2.2's expert settings, applied to a loaded pipeline job by job.

The adapters of ``--lora-dir`` (``NAME.safetensors``, offered as NAME) are loaded once, into
every transformer the model has (Wan 2.2 A14B: both experts, each under its own adapter name,
so a request may weight them apart), and stay loaded. Each job sets the weights it asks for;
an adapter it does not name has weight 0, and a job that names none runs with the LoRA layers
disabled: the frames of the model as it was loaded. The scheduler's flow shift and the experts'
boundary are the pipeline's settings, not its call's: they are set for one job and put back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sora_nb.catalog.loras import Lora
from sora_nb.server.renderers.diffusers.locate import ModelError

__all__ = ["Adapters", "experts_of", "shift_key"]


def experts_of(pipe: Any) -> tuple[str, ...]:
    """The pipeline's transformers that take adapters: ``transformer`` (and Wan 2.2 A14B's
    ``transformer_2``)."""
    names = [n for n in ("transformer", "transformer_2") if getattr(pipe, n, None) is not None]
    return tuple(names)


def shift_key(pipe: Any) -> str | None:
    """The scheduler setting that holds the flow shift (``flow_shift`` or ``shift``), if any."""
    config = getattr(getattr(pipe, "scheduler", None), "config", None) or {}
    return next((key for key in ("flow_shift", "shift") if key in config), None)


class Adapters:
    """The adapters loaded into one pipeline, by name, and the weights of the current job."""

    def __init__(self, pipe: Any, names: tuple[str, ...]) -> None:
        self.pipe = pipe
        #: The adapters offered, by name (their files' stems), sorted.
        self.names = names
        self.experts = experts_of(pipe)

    @classmethod
    def load(cls, pipe: Any, folder: str | None) -> Adapters:
        """Load every ``*.safetensors`` of ``folder`` into the pipeline (none: no adapters), or
        raise :class:`ModelError` saying what is wrong with the folder or a file."""
        if folder is None:
            return cls(pipe, ())
        where = Path(folder).expanduser()
        if not where.is_dir():
            raise ModelError(f"--lora-dir {folder}: there is no such folder.")
        files = sorted(where.glob("*.safetensors"))
        if not files:
            raise ModelError(
                f"--lora-dir {folder} holds no adapters: put LoRA files there as "
                "NAME.safetensors (each offered as NAME)."
            )
        try:
            import peft  # noqa: F401
        except ImportError:
            raise ModelError(
                "LoRA adapters need peft: pip install 'sora_nb[local]' (or pip install peft)."
            ) from None
        if not hasattr(pipe, "load_lora_weights"):
            raise ModelError(f"{type(pipe).__name__} takes no LoRA adapters in diffusers.")
        adapters = cls(pipe, tuple(f.stem for f in files))
        for file in files:
            for expert in adapters.experts:
                into = {"load_into_transformer_2": True} if expert == "transformer_2" else {}
                try:
                    pipe.load_lora_weights(
                        str(file), adapter_name=_adapter(file.stem, expert), **into
                    )
                except (ValueError, KeyError, RuntimeError, OSError) as exc:
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                    raise ModelError(
                        f"--lora-dir: {file.name} does not fit {type(pipe).__name__}'s "
                        f"{expert}: {first or type(exc).__name__}"
                    ) from None
        adapters._disable()
        return adapters

    def missing(self, loras: tuple[Lora, ...]) -> list[str]:
        """The names among ``loras`` this pipeline has not loaded."""
        return [lora.name for lora in loras if lora.name not in self.names]

    @contextlib.contextmanager
    def applied(
        self,
        pipe: Any,
        loras: tuple[Lora, ...] | None,
        *,
        flow_shift: float | None = None,
        boundary_ratio: float | None = None,
    ) -> Iterator[None]:
        """Run one job with these adapter weights, flow shift and expert boundary; the
        pipeline's own settings come back afterwards."""
        if self.names:
            if loras:
                self._weigh(loras)
            else:
                self._disable()
        scheduler = pipe.scheduler
        key = shift_key(pipe)
        if flow_shift is not None and key is not None:
            pipe.scheduler = type(scheduler).from_config(scheduler.config, **{key: flow_shift})
        boundary = getattr(pipe.config, "boundary_ratio", None)
        if boundary_ratio is not None:
            pipe.register_to_config(boundary_ratio=boundary_ratio)
        try:
            yield
        finally:
            pipe.scheduler = scheduler
            if boundary_ratio is not None:
                pipe.register_to_config(boundary_ratio=boundary)

    def _weigh(self, loras: tuple[Lora, ...]) -> None:
        for expert in self.experts:
            model = getattr(self.pipe, expert)
            weights = {name: 0.0 for name in self.names}
            for lora in loras:
                if lora.target in (None, expert):
                    weights[lora.name] = lora.scale
            model.enable_adapters()
            model.set_adapters(
                [_adapter(name, expert) for name in weights], weights=list(weights.values())
            )

    def _disable(self) -> None:
        for expert in self.experts:
            getattr(self.pipe, expert).disable_adapters()


def _adapter(name: str, expert: str) -> str:
    """The adapter's name inside one transformer (peft keeps adapters per module)."""
    return f"{name.replace('.', '_')}@{expert}"
