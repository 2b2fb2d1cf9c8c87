"""The diffusers renderer's last frame and video-to-video: which pipelines take them, the
refusals, and the call arguments.

- A last frame goes to an image-to-video pipeline's ``last_image`` (Wan's first-last-frame
  model: ``WanImageToVideoPipeline`` without Wan 2.2 TI2V's ``expand_timesteps``, which reads
  only the first frame), or, for LTX-2, to the keyframe twin (``LTX2ConditionPipeline`` over the
  same components) as two conditions: the first frame at latent index 0, the last at -1.
- A source video goes to the video-to-video twin built over the same components
  (``WanVideoToVideoPipeline.from_pipe``: no second load), as ``video`` frames at the request's
  size, with ``strength``: the share of the steps run from the noised source (1: all of them,
  the source barely kept; low: only the last steps, the source kept).
"""

from __future__ import annotations

import inspect
import io
import logging
from dataclasses import dataclass
from typing import Any

from sora_nb.server.renderers.base import RenderRefused, RenderRequest

__all__ = ["Twins", "arguments", "check", "frames_of"]

log = logging.getLogger("sora_nb.server")

#: Text-to-video pipeline class -> its video-to-video twin over the same components.
VIDEO_TWINS = {"WanPipeline": "WanVideoToVideoPipeline"}
#: Text-to-video pipeline class -> its keyframe-conditioned twin (first and last frames).
KEYFRAME_TWINS = {"LTX2Pipeline": "LTX2ConditionPipeline"}
#: What diffusers' video-to-video pipelines default to when no strength is sent.
DEFAULT_STRENGTH = 0.8


@dataclass(frozen=True)
class Twins:
    """The pipelines built over a loaded model's components for its sources: video-to-video,
    and keyframes (a first and a last frame)."""

    video: Any | None = None
    keyframes: Any | None = None

    @classmethod
    def of(cls, pipe: Any) -> Twins:
        """The twins ``pipe``'s family has (none for two experts or Wan 2.2 TI2V's per-frame
        timesteps, which the twins cannot run)."""
        config = dict(getattr(pipe, "config", {}))
        if getattr(pipe, "transformer_2", None) is not None or config.get("expand_timesteps"):
            return cls()
        name = type(pipe).__name__
        return cls(_twin(pipe, VIDEO_TWINS.get(name)), _twin(pipe, KEYFRAME_TWINS.get(name)))

    def knobs(self, pipe: Any) -> frozenset[str]:
        """The source knobs the model takes: ``last_image`` where its pipeline (or keyframe
        twin) reads one, ``video`` and ``strength`` where it has a video-to-video twin."""
        taken: set[str] = set()
        reads_last = "last_image" in inspect.signature(pipe.__call__).parameters
        per_frame = dict(getattr(pipe, "config", {})).get("expand_timesteps")  # first only
        if self.keyframes is not None or (reads_last and not per_frame):
            taken.add("last_image")
        if self.video is not None:
            taken |= {"video", "strength"}
        return frozenset(taken)

    def pick(self, request: RenderRequest, pipe: Any) -> Any:
        """The pipeline a request renders with: a twin when its sources need one."""
        if request.video is not None and self.video is not None:
            return self.video
        if request.last_image is not None and self.keyframes is not None:
            return self.keyframes
        return pipe


def _twin(pipe: Any, name: str | None) -> Any | None:
    import diffusers

    twin_class = getattr(diffusers, name, None) if name else None
    if twin_class is None:
        return None
    try:
        twin = twin_class.from_pipe(pipe)
    except (ValueError, TypeError, AttributeError) as exc:
        log.info("%s: no %s (%s)", type(pipe).__name__, name, exc)
        return None
    twin.set_progress_bar_config(disable=True)
    return twin


def check(request: RenderRequest, name: str, steps: int, pipe: Any) -> None:
    """Refuse, before a job exists, a source the model cannot use as sent."""
    transformer = getattr(pipe, "transformer", None)
    pairs = getattr(getattr(transformer, "config", None), "pos_embed_seq_len", None)
    if request.last_image is not None and request.reference is None:
        raise RenderRefused(
            f"A last frame needs a first: send input_reference too ({name} renders from both).",
            param="last_image",
        )
    if pairs is not None and request.reference is not None and request.last_image is None:
        raise RenderRefused(
            f"{name} is a first-last-frame model (Wan2.1-FLF2V): send the last frame too "
            "(last_image, --last-image LAST.png).",
            param="last_image",
        )
    if request.video is None:
        if request.options.strength is not None:
            raise RenderRefused(
                f"strength says how far a video-to-video take strays from its source; {name} "
                "got no source video. Send video (--video SOURCE), or leave strength out.",
                param="strength",
            )
        return
    strength = request.options.strength or DEFAULT_STRENGTH
    if int(steps * strength) < 1:
        raise RenderRefused(
            f"strength {strength:g} of {steps} steps runs no step at all; raise the steps "
            f"(at least {int(1 / strength) + 1}) or the strength.",
            param="strength",
        )


def steps_run(request: RenderRequest, steps: int) -> int:
    """The denoising steps a render runs: a video-to-video take runs the strength's share."""
    if request.video is None:
        return steps
    return max(1, int(steps * (request.options.strength or DEFAULT_STRENGTH)))


def arguments(request: RenderRequest, width: int, height: int, frames: int) -> dict[str, Any]:
    """The call arguments of the sources: ``last_image``, or ``video`` and ``strength``."""
    from PIL import Image

    found: dict[str, Any] = {}
    if request.last_image is not None:
        with Image.open(io.BytesIO(request.last_image)) as image:
            found["last_image"] = image.convert("RGB")
        if request.reference is not None:  # LTX-2's keyframes: first at latent 0, last at -1
            from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

            with Image.open(io.BytesIO(request.reference)) as image:
                first = image.convert("RGB")
            found["conditions"] = [
                LTX2VideoCondition(frames=first, index=0),
                LTX2VideoCondition(frames=found["last_image"], index=-1),
            ]
    if request.video is not None:
        found["video"] = frames_of(request.video, width, height, frames)
        found["strength"] = request.options.strength or DEFAULT_STRENGTH
    return found


def frames_of(video: bytes, width: int, height: int, frames: int) -> list[Any]:
    """The first ``frames`` frames of a source video at ``width`` x ``height`` (its last frame
    repeated when it is shorter), as the pipeline takes them."""
    import av
    from PIL import Image

    found: list[Any] = []
    with av.open(io.BytesIO(video), "r") as container:
        for frame in container.decode(container.streams.video[0]):
            image = frame.to_image().convert("RGB")
            found.append(image.resize((width, height), Image.Resampling.LANCZOS))
            if len(found) >= frames:
                break
    if not found:
        raise RenderRefused("The source video has no frames to start from.", param="video")
    return found + [found[-1]] * (frames - len(found))
