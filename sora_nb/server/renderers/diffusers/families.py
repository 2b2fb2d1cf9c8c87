"""What the code of a pipeline does not say about its model family: its frame rate, and which
pipeline class turns it into image-to-video.

Sizes and frame rules are read from the loaded pipeline itself (its VAE's compression and the
transformer's patch size), so any diffusers video pipeline is served; these are the facts kept
by hand, each with its source.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    """Facts about one pipeline class."""

    #: Frames per second the model was trained for.
    fps: int
    #: The pipeline class that renders a first frame from the same components, if any.
    image_class: str | None = None
    #: True for an image-to-video pipeline: it needs a first frame.
    needs_image: bool = False
    #: The call parameter that takes the frame rate, when the model is conditioned on it.
    fps_parameter: str | None = None
    #: Where the figures come from.
    source: str = ""


FAMILIES: dict[str, Family] = {
    # Wan 2.1: "export_to_video(output, fps=16)" in diffusers' Wan docs and the model card's
    # 81 frames = 5 s. Wan 2.2 TI2V 5B is 24 fps (model card, "720P@24fps"): see `fps_for`.
    "WanPipeline": Family(
        fps=16, image_class="WanImageToVideoPipeline", source="diffusers docs: Wan"
    ),
    "WanImageToVideoPipeline": Family(fps=16, needs_image=True, source="diffusers docs: Wan"),
    # LTX-2: the pipeline's own frame_rate default (24.0) and the model card (24 fps).
    "LTX2Pipeline": Family(
        fps=24,
        image_class="LTX2ImageToVideoPipeline",
        fps_parameter="frame_rate",
        source="diffusers LTX2Pipeline frame_rate default",
    ),
    "LTX2ImageToVideoPipeline": Family(
        fps=24, needs_image=True, fps_parameter="frame_rate", source="as LTX2Pipeline"
    ),
    # HunyuanVideo 1.5: "export_to_video(video, fps=24)" in diffusers' HunyuanVideo 1.5 docs.
    "HunyuanVideo15Pipeline": Family(
        fps=24,
        image_class="HunyuanVideo15ImageToVideoPipeline",
        source="diffusers docs: HunyuanVideo 1.5",
    ),
    "HunyuanVideo15ImageToVideoPipeline": Family(
        fps=24, needs_image=True, source="diffusers docs: HunyuanVideo 1.5"
    ),
}

#: A video pipeline of a family not listed: 24 fps, the rate most open models use.
UNKNOWN = Family(fps=24, source="default")


def family_of(pipeline_class: str) -> Family:
    """The facts kept for ``pipeline_class`` (defaults for a class not listed)."""
    return FAMILIES.get(pipeline_class, UNKNOWN)


def fps_for(pipeline_class: str, config: dict[str, object]) -> int:
    """The model's frame rate: Wan 2.2 TI2V (``expand_timesteps``) runs at 24, Wan 2.1 at 16."""
    if pipeline_class.startswith("Wan") and config.get("expand_timesteps"):
        return 24
    return family_of(pipeline_class).fps
