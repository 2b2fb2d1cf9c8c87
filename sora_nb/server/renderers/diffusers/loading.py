"""Loading an open model's pipelines: the class to load, its image-to-video twin, its usual clip.

What :class:`~sora_nb.server.renderers.diffusers.renderer.DiffusersRenderer` needs around
``from_pretrained``: the video pipeline class ``model_index.json`` names (refused clearly when
diffusers lacks it or it makes images), the image-to-video twin built over the same components,
the size and length the model usually renders, and the libraries' load chatter kept quiet.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

from sora_nb import catalog
from sora_nb.server.renderers.diffusers.families import family_of
from sora_nb.server.renderers.diffusers.locate import LocatedModel, ModelError
from sora_nb.server.renderers.diffusers.rules import ModelRules

log = logging.getLogger("sora_nb.server")


def _usual_clip(located: LocatedModel, pipe: Any, rules: ModelRules) -> tuple[str, int]:
    """The model's usual size and length: the catalog's for a model it knows (Wan 2.1 1.3B:
    832x480, 5 s), else what its folder's sora_nb.json notes, else its pipeline's own call
    defaults (width, height, num_frames), rounded to what it renders."""
    profile = catalog.get_profile(located.name)
    if profile is not None:
        return profile.default_size, profile.default_seconds
    if located.usual is not None:
        return located.usual
    parameters = inspect.signature(pipe.__call__).parameters

    def default(name: str, fallback: int) -> int:
        value = parameters[name].default if name in parameters else None
        return value if isinstance(value, int) and value > 0 else fallback

    step = rules.size_multiple
    width = max(step, default("width", 832) // step * step)
    height = max(step, default("height", 480) // step * step)
    seconds = max(1, round(default("num_frames", 5 * rules.fps) / rules.fps))
    return f"{width}x{height}", seconds


def _video_pipeline_class(located: LocatedModel) -> Any:
    import diffusers

    pipeline_class = getattr(diffusers, located.pipeline_class, None)
    if pipeline_class is None:
        raise ModelError(
            f"{located.name} is a {located.pipeline_class}, which diffusers "
            f"{diffusers.__version__} does not have; upgrade it (pip install -U diffusers)."
        )
    if "num_frames" not in inspect.signature(pipeline_class.__call__).parameters:
        raise ModelError(
            f"{located.name} is a {located.pipeline_class}, which makes images, not video. The "
            "diffusers renderer serves video pipelines (WanPipeline, LTX2Pipeline, "
            "HunyuanVideo15Pipeline...)."
        )
    return pipeline_class


def _image_twin(pipe: Any, located: LocatedModel) -> Any | None:
    """The image-to-video pipeline over the same components (no second load), if the model
    can take a first frame."""
    import diffusers

    family = family_of(type(pipe).__name__)
    if family.image_class is None:
        return None
    if type(pipe).__name__.startswith("Wan") and not pipe.config.get("expand_timesteps"):
        return None  # a Wan 2.1 text-to-video transformer cannot take image latents
    twin_class = getattr(diffusers, family.image_class, None)
    if twin_class is None:
        return None
    try:
        return twin_class.from_pipe(pipe)
    except (ValueError, TypeError, AttributeError) as exc:
        log.info("%s: no image-to-video twin (%s)", located.name, _first_line(exc))
        return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def quiet_libraries() -> None:
    """Keep transformers' and diffusers' load chatter (progress bars, config notes) out of a
    notebook's output; their warnings that matter still reach the log."""
    for name in ("transformers", "diffusers"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from diffusers.utils import logging as diffusers_logging
        from transformers.utils import logging as transformers_logging
    except ImportError:  # pragma: no cover - both ship these
        return
    diffusers_logging.set_verbosity_error()
    diffusers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    try:
        from huggingface_hub.utils import disable_progress_bars
    except ImportError:  # pragma: no cover - diffusers depends on it
        return
    disable_progress_bars()
