"""The animatic as a bundled-server renderer: the catalog's models, paced by the clock.

It draws characters in their own look, continues a video where it ends (extensions) and
reworks one keeping its scene (edits).

It honours ``seed`` as the take's variation (the same seed, the same bytes) and ``fps`` or
``num_frames`` only where they agree with what it draws (24 frames a second, ``seconds`` long);
steps, guidance and negative prompts belong to generative models and are refused plainly.
Its live preview is its storyboard frame (the thumbnail's still), offered once it is drawn.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from sora_nb.server.defaults import DEFAULT_MODEL
from sora_nb.server.renderers.animatic.request import FPS, AnimaticFiles, AnimaticRequest
from sora_nb.server.renderers.base import (
    Abilities,
    RenderControl,
    RenderRefused,
    RenderRequest,
    RenderResult,
)
from sora_nb.server.renderers.preview_slot import from_image

#: What the animatic draws a request into (its ``render``; tests put their own in).
RenderFunction = Callable[[AnimaticRequest, Path], AnimaticFiles]

_GENERATIVE_ONLY = {
    "num_inference_steps": "has no denoising steps",
    "guidance_scale": "has no guidance scale",
    "negative_prompt": "takes no negative prompt",
    "step_cache": "has no denoising steps to cache",
}


class AnimaticRenderer:
    """The offline default: a storyboard of the prompt with sound, for every catalog model."""

    def __init__(self, render_function: RenderFunction | None = None) -> None:
        if render_function is None:
            from sora_nb.server.renderers.animatic.render import render

            render_function = render
        self._render = render_function
        self._abilities = Abilities(
            kind="animatic",
            models=None,
            default_model=DEFAULT_MODEL,
            size_multiple=2,
            fps=FPS,
            frame_step=None,
            sound=True,
            first_frame=True,
            knobs=frozenset({"seed", "fps", "num_frames"}),
            paced=True,
            cancellable=False,
            characters=True,
            continues=True,
            previews=True,
        )

    @property
    def abilities(self) -> Abilities:
        return self._abilities

    def check(self, request: RenderRequest) -> None:
        for name in request.knobs_sent():
            if name not in self._abilities.knobs:
                lacks = _GENERATIVE_ONLY.get(name, f"takes no {name}")
                raise RenderRefused(
                    f"The animatic {lacks}: '{name}' applies to a generative model. Serve one "
                    "with python -m sora_nb.server --renderer diffusers --model MODEL, or leave "
                    f"'{name}' out.",
                    param=name,
                )
        if request.options.fps is not None and request.options.fps != FPS:
            raise RenderRefused(
                f"The animatic renders {FPS} frames a second only; send fps {FPS} or leave it out.",
                param="fps",
            )
        frames = request.seconds * FPS
        if request.options.num_frames is not None and request.options.num_frames != frames:
            raise RenderRefused(
                f"The animatic's length is set by seconds: {request.seconds} s is {frames} frames "
                f"at {FPS} fps. Send num_frames {frames}, or change seconds instead.",
                param="num_frames",
            )

    def render(self, request: RenderRequest, out_dir: Path, control: RenderControl) -> RenderResult:
        files = self._render(
            AnimaticRequest(
                prompt=request.prompt,
                width=request.width,
                height=request.height,
                seconds=request.seconds,
                take=request.take,
                model=request.model,
                reference=request.reference,
                variation=request.options.seed,
                characters=request.characters,
                segments=request.segments,
                keep=request.keep,
                rework=request.rework,
            ),
            out_dir,
        )
        # Its preview is its storyboard frame: the still the thumbnail shows, there while the
        # paced job is still queued or in progress.
        with contextlib.suppress(OSError):  # a render function of a test may draw no still
            control.preview.offer_image(from_image(Path(files.thumbnail).read_bytes()))
        return RenderResult(
            video=files.video, thumbnail=files.thumbnail, spritesheet=files.spritesheet
        )

    def close(self) -> None:
        """Nothing to release: the animatic holds no model."""
