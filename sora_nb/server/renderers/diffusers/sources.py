"""The diffusers renderer's last frame and video-to-video: which pipelines take them, the
refusals, and the call arguments.

- A last frame goes to an image-to-video pipeline's ``last_image`` (Wan's first-last-frame
  model: ``WanImageToVideoPipeline`` without Wan 2.2 TI2V's ``expand_timesteps``, which reads
  only the first frame).
- A source video goes to the video-to-video twin built over the same components
  (``WanVideoToVideoPipeline.from_pipe``: no second load), as ``video`` frames at the request's
  size, with ``strength``: the share of the steps run from the noised source (1: all of them,
  the source barely kept; low: only the last steps, the source kept).
"""

from __future__ import annotations

import inspect
import io
import logging
from typing import Any

from sora_nb.server.renderers.base import RenderRefused, RenderRequest

__all__ = ["arguments", "check", "frames_of", "knobs", "video_twin"]

log = logging.getLogger("sora_nb.server")

#: Text-to-video pipeline class -> its video-to-video twin over the same components.
VIDEO_TWINS = {"WanPipeline": "WanVideoToVideoPipeline"}
#: What diffusers' video-to-video pipelines default to when no strength is sent.
DEFAULT_STRENGTH = 0.8


def video_twin(pipe: Any) -> Any | None:
    """The video-to-video pipeline over ``pipe``'s components, if its family has one."""
    import diffusers

    name = VIDEO_TWINS.get(type(pipe).__name__)
    twin_class = getattr(diffusers, name, None) if name else None
    if twin_class is None or getattr(pipe, "transformer_2", None) is not None:
        return None  # no twin, or two experts (the twin has one transformer)
    if dict(getattr(pipe, "config", {})).get("expand_timesteps"):
        return None  # Wan 2.2 TI2V's timesteps per latent frame: the twin cannot run them
    try:
        twin = twin_class.from_pipe(pipe)
    except (ValueError, TypeError, AttributeError) as exc:
        log.info("%s: no video-to-video twin (%s)", type(pipe).__name__, exc)
        return None
    twin.set_progress_bar_config(disable=True)
    return twin


def knobs(pipe: Any, video_pipe: Any | None) -> frozenset[str]:
    """The source knobs a loaded model takes: ``last_image`` where its pipeline reads one,
    ``video`` and ``strength`` where it has a video-to-video twin."""
    taken: set[str] = set()
    parameters = inspect.signature(pipe.__call__).parameters
    if "last_image" in parameters and not dict(getattr(pipe, "config", {})).get("expand_timesteps"):
        taken.add("last_image")
    if video_pipe is not None:
        taken |= {"video", "strength"}
    return frozenset(taken)


def check(request: RenderRequest, name: str, steps: int, pipe: Any) -> None:
    """Refuse, before a job exists, a source the model cannot use as sent."""
    transformer = getattr(pipe, "transformer", None)
    pairs = getattr(getattr(transformer, "config", None), "pos_embed_seq_len", None)
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
