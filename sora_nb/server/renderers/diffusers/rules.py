"""A loaded pipeline's rules: the sizes and frame counts it renders, its sound, its knobs.

Read from the pipeline object itself (VAE compression, transformer patch size, the parameters
its ``__call__`` takes), so a pipeline class diffusers adds later is served with the right rules.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from sora_nb.server.renderers.diffusers.adapters import shift_key
from sora_nb.server.renderers.diffusers.families import family_of, fps_for


@dataclass(frozen=True)
class ModelRules:
    """What one loaded pipeline can render, and how its call is made."""

    pipeline_class: str
    #: Width and height must be multiples of this (VAE compression x transformer patch).
    size_multiple: int
    #: Frame counts are ``frame_step * k + 1`` (the VAE's temporal compression).
    frame_step: int
    fps: int
    #: The call parameter the frame rate goes to, if the model is conditioned on it.
    fps_parameter: str | None
    default_steps: int
    #: The parameters its ``__call__`` takes.
    parameters: frozenset[str]
    #: Sample rate of its sound (the vocoder's), or None for a silent model.
    sample_rate: int | None
    first_frame: bool
    needs_first_frame: bool
    #: Why it takes no first frame, when it takes none (said in the refusal).
    no_first_frame_reason: str = ""
    #: Two experts and a boundary between them (Wan 2.2 A14B): guidance_2 and boundary_ratio.
    experts: bool = False
    #: The scheduler's flow shift setting, when it has one.
    shift_key: str | None = None

    def honours(self, knob: str) -> bool:
        """True when a knob of the wire reaches this pipeline's call."""
        if knob == "seed":
            return "generator" in self.parameters
        if knob == "fps":
            return True  # the output's frame rate, and the model's when it is conditioned on it
        if knob == "lora":
            return False  # only with a --lora-dir: the renderer's adapters say
        if knob in ("guidance_scale_2", "boundary_ratio"):
            return self.experts
        if knob == "flow_shift":
            return self.shift_key is not None
        return knob in self.parameters


def read_rules(pipe: Any, image_pipe: Any | None) -> ModelRules:
    """The rules of a loaded pipeline (and of its image-to-video twin, if one was built)."""
    name = type(pipe).__name__
    family = family_of(name)
    parameters = frozenset(inspect.signature(pipe.__call__).parameters)
    spatial = _first_int(
        pipe, "vae_scale_factor_spatial", "vae_spatial_compression_ratio", "vae_scale_factor"
    )
    temporal = _first_int(pipe, "vae_scale_factor_temporal", "vae_temporal_compression_ratio")
    patch, patch_t = _patch(pipe)
    steps = inspect.signature(pipe.__call__).parameters.get("num_inference_steps")
    default_steps = steps.default if steps is not None and isinstance(steps.default, int) else 50
    vocoder = getattr(pipe, "vocoder", None)
    sample_rate = None
    if vocoder is not None:
        rate = getattr(vocoder.config, "output_sampling_rate", None)
        sample_rate = int(rate) if rate else None
    reason = ""
    if image_pipe is None and not family.needs_image:
        reason = (
            "this is a text-to-video Wan 2.1 checkpoint (its transformer takes no image); serve "
            "an image-to-video one (Wan2.1-I2V-14B-480P-Diffusers) or Wan2.2-TI2V-5B-Diffusers"
            if name.startswith("Wan")
            else f"{name} has no image-to-video pipeline built from these components"
        )
    return ModelRules(
        pipeline_class=name,
        size_multiple=(spatial or 8) * patch,
        frame_step=(temporal or 1) * patch_t,
        fps=fps_for(name, dict(getattr(pipe, "config", {}))),
        fps_parameter=family.fps_parameter if family.fps_parameter in parameters else None,
        default_steps=default_steps,
        parameters=parameters,
        sample_rate=sample_rate,
        first_frame=image_pipe is not None or family.needs_image,
        needs_first_frame=family.needs_image,
        no_first_frame_reason=reason,
        experts=getattr(pipe, "transformer_2", None) is not None
        and getattr(getattr(pipe, "config", None), "boundary_ratio", None) is not None,
        shift_key=shift_key(pipe),
    )


def _first_int(pipe: Any, *names: str) -> int | None:
    for name in names:
        value = getattr(pipe, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def _patch(pipe: Any) -> tuple[int, int]:
    """The transformer's spatial and temporal patch sizes (1 when it has none)."""
    transformer = getattr(pipe, "transformer", None) or getattr(pipe, "transformer_2", None)
    config = getattr(transformer, "config", None)
    if config is None:
        return 1, 1
    size = getattr(config, "patch_size", 1)
    if isinstance(size, (list, tuple)):  # Wan: (t, h, w)
        temporal = int(size[0]) if len(size) == 3 else 1
        return int(max(size[-2:])), temporal
    temporal = getattr(config, "patch_size_t", 1) or 1
    return int(size or 1), int(temporal)
