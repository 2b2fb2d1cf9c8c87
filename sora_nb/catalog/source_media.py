"""What each engine's ``POST /v1/videos`` takes of a last frame, a source video and a strength,
as its own code says (``docs/engines.md``, "Frames and video-to-video").

- vLLM-Omni: two ``image_reference`` objects (first and last, data URLs) reach its model as
  ``image: [first, last]``, which its Wan 2.1 first-last-frame pipeline reads; an
  ``input_reference`` file that is a video is a source video. Its video form has no strength.
- SGLang Diffusion: an ``input_reference`` file that is a video (``video/*``) is a source video;
  of the images it is sent it keeps the first. No strength field.
- FastVideo, OpenAI's API and LiteLLM's proxy: an image only.
- The bundled server: ``last_image`` and ``video`` file parts and ``strength``, where its model
  has them (its card says: Wan's first-last-frame and video-to-video pipelines).

Layer 0: the standard library only.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "LAST_IMAGE_REFUSALS",
    "STRENGTH_REFUSALS",
    "TAKE_PREFIX",
    "VIDEO_REFUSALS",
    "lineage",
    "source_take",
]

#: A source video that is a take of the media folder is kept as ``take:<take id>`` (its lineage).
TAKE_PREFIX = "take:"

_BUNDLED = "the bundled server does, with an open model: %sora connect local:MODEL"

LAST_IMAGE_REFUSALS = {
    "sglang": f"its /v1/videos keeps only the first image it is sent; {_BUNDLED}",
    "fastvideo": f"its /v1/videos takes one image, the first frame; {_BUNDLED}",
    "openai": f"the Videos API takes one image, the first frame; {_BUNDLED}",
    "litellm": f"the Videos API takes one image, the first frame; {_BUNDLED}",
}

VIDEO_REFUSALS = {
    "fastvideo": f"its /v1/videos takes an image only; {_BUNDLED}",
    "openai": f"a create takes an image only, and --edit reworks a take; {_BUNDLED}",
    "litellm": f"a create takes an image only, and --edit reworks a take; {_BUNDLED}",
}

STRENGTH_REFUSALS = {
    "vllm-omni": f"its video form has no strength field, the model decides; {_BUNDLED}",
    "sglang": f"its /v1/videos has no strength field, the model decides; {_BUNDLED}",
    "fastvideo": f"its /v1/videos takes no video; {_BUNDLED}",
    "openai": f"a create takes no video; {_BUNDLED}",
    "litellm": f"a create takes no video; {_BUNDLED}",
}


def source_take(video: str | None) -> str | None:
    """The take id a source video names (``take:<id>``), or None for a file or no source."""
    if video is not None and video.startswith(TAKE_PREFIX):
        return video[len(TAKE_PREFIX) :]
    return None


def lineage(parent: Any, video: str | None) -> str | None:
    """The take id a request comes from: its parent's (an extension's, an edit's) when it has
    one (a ``Parent``), else its source video's when that is a take (video-to-video)."""
    if parent is not None:
        return getattr(parent, "take", None)
    return source_take(video)
