"""Live previews of a diffusers render: a linear projection from latent channels to RGB, fitted
to the model's own VAE.

ComfyUI previews a video as it denoises by multiplying each latent pixel's channels by a small
fixed matrix, one per latent format (16 channels for Wan 2.1, 128 for LTX-Video), with no
decoder weights at all. Here the matrix is not typed in but fitted, once, when the model loads:
a small random latent is decoded by the pipeline's own VAE and least squares maps each latent
pixel's channels (and a constant) to the mean colour of the patch it decodes to. That serves
any channel count, and the tiny random-weight pipelines get the projection of their own VAE.

While the model denoises, the step callback keeps the middle latent frame (a copy of one small
slice, left on its device: no synchronisation) and the one before it. Only when a client asks
is the picture made: the clean frame estimated from the two (a flow-matching step is
``x' = x + (sigma' - sigma) * v`` and the clean frame ``x' - sigma' * v``), projected, clipped
and encoded. Latents come as ``(batch, channels, frames, height, width)`` (Wan) or packed one
token per latent pixel, ``(batch, tokens, channels)`` (LTX-2), unpacked by the render's latent
grid; a VAE this cannot call gets no previews, and the server then says it makes none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sora_nb.server.renderers.preview_slot import RGB, PreviewSlot

__all__ = ["Capture", "Projection", "fit", "packed_grid"]

log = logging.getLogger("sora_nb.server")

#: Latent pixels per side of the random latent the projection is fitted on (256 samples).
_FIT_SIDE = 16
#: The least span of colours (of the -1..1 range) a preview shows: a flatter one (a tiny random
#: model's VAE barely depends on its latents) is stretched about its mean to show its structure.
#: A real model's pictures span far more, and are shown as projected.
MIN_SPAN = 0.5


@dataclass(frozen=True)
class Projection:
    """Latent channels to RGB in -1..1: ``rgb = latent @ matrix + bias``."""

    matrix: npt.NDArray[np.float32] = field(repr=False)  # (channels, 3)
    bias: npt.NDArray[np.float32] = field(repr=False)  # (3,)

    @property
    def channels(self) -> int:
        return int(self.matrix.shape[0])

    def rgb(self, latent: npt.NDArray[np.float32]) -> RGB:
        """One latent frame (channels, height, width) as a (height, width, 3) uint8 picture."""
        colour = np.einsum("chw,ck->hwk", latent, self.matrix) + self.bias
        span = float(colour.max() - colour.min())
        if 0 < span < MIN_SPAN:
            centre = colour.mean()
            colour = centre + (colour - centre) * (MIN_SPAN / span)
        picture: RGB = np.clip((colour + 1.0) * 127.5, 0, 255).astype(np.uint8)
        return picture


def fit(pipe: Any) -> Projection | None:
    """The projection of ``pipe``'s VAE, or None when it is not a VAE this knows how to call
    (then the model gets no previews, and its server says so)."""
    vae = getattr(pipe, "vae", None)
    config = getattr(vae, "config", None)
    channels = _first_int(config, "z_dim", "latent_channels")  # Wan's name, LTX's
    spatial = _first_int(pipe, "vae_scale_factor_spatial", "vae_spatial_compression_ratio")
    if channels is None or spatial is None or vae is None:
        return None
    try:
        import torch

        mean = _per_channel(_either(config, vae, "latents_mean"), channels, 0.0)
        std = _per_channel(_either(config, vae, "latents_std"), channels, 1.0)
        scaling = float(getattr(config, "scaling_factor", None) or 1.0)
        generator = torch.Generator(device="cpu").manual_seed(0)
        z = torch.randn((1, channels, 1, _FIT_SIDE, _FIT_SIDE), generator=generator)
        # What the pipeline does before decoding: its latents are normalised per channel.
        raw = z * std / scaling + mean
        weight = next(vae.parameters())
        with torch.no_grad():
            args: list[Any] = [raw.to(weight.device, weight.dtype)]
            if getattr(config, "timestep_conditioning", False):  # LTX's decoder takes one
                args.append(torch.zeros(1, device=weight.device, dtype=weight.dtype))
            decoded = vae.decode(*args, return_dict=False)[0]
            picture = decoded[:, :, 0].float().cpu()
            pooled = torch.nn.functional.avg_pool2d(picture, spatial)
    except Exception as exc:  # a VAE this does not know how to call: no previews, no failure
        log.info("no live previews for this model: %s", exc)
        return None
    inputs = z[0, :, 0].reshape(channels, -1).T.numpy()
    targets = pooled[0].reshape(3, -1).T.numpy()
    if inputs.shape[0] != targets.shape[0]:
        return None
    design = np.hstack([inputs, np.ones((inputs.shape[0], 1), np.float32)])
    solution, *_ = np.linalg.lstsq(design, targets, rcond=None)
    return Projection(matrix=solution[:-1].astype(np.float32), bias=solution[-1].astype(np.float32))


def packed_grid(pipe: Any, frames: int, height: int, width: int) -> tuple[int, int, int] | None:
    """(latent frames, height, width) of a render whose pipeline packs its latents into tokens
    one latent pixel each (LTX-2: ``(batch, tokens, channels)``); None for any other."""
    spatial = getattr(pipe, "vae_spatial_compression_ratio", None)
    temporal = getattr(pipe, "vae_temporal_compression_ratio", None)
    patches = (
        getattr(pipe, "transformer_spatial_patch_size", 1),
        getattr(pipe, "transformer_temporal_patch_size", 1),
    )
    if not isinstance(spatial, int) or not isinstance(temporal, int) or patches != (1, 1):
        return None
    return (frames - 1) // temporal + 1, height // spatial, width // spatial


def _first_int(owner: Any, *names: str) -> int | None:
    for name in names:
        value = getattr(owner, name, None)
        if isinstance(value, int):
            return value
    return None


def _either(config: Any, vae: Any, name: str) -> Any:
    """A statistic the VAE keeps in its config (Wan) or as a buffer (LTX)."""
    value = getattr(config, name, None)
    return value if value is not None else getattr(vae, name, None)


def _per_channel(value: Any, channels: int, default: float) -> Any:
    import torch

    found = torch.as_tensor(value).float().flatten().cpu() if value is not None else None
    if found is None or found.numel() != channels:
        found = torch.full((channels,), default)
    return found.view(1, channels, 1, 1, 1)


class Capture:
    """What one render's step callback keeps for its preview; offers it to ``slot``."""

    def __init__(
        self,
        projection: Projection,
        scheduler: Any,
        slot: PreviewSlot,
        grid: tuple[int, int, int] | None = None,
    ) -> None:
        """``grid``: the latent frames, height and width of packed latents (``packed_grid``)."""
        self.projection = projection
        self.grid = grid
        self.scheduler = scheduler
        self.slot = slot
        self._before: tuple[Any, float | None] | None = None

    def step(self, latents: Any) -> None:
        """Keep the middle frame of this step's latents (a copy of one slice, no transfer)."""
        shape: tuple[int, ...] = tuple(getattr(latents, "shape", ()))
        channels, grid = self.projection.channels, self.grid
        if len(shape) == 5 and shape[1] == channels:  # (batch, channels, frames, h, w): Wan
            frame = latents[0, :, shape[2] // 2].detach().clone()
        elif (
            len(shape) == 3
            and shape[2] == channels
            and grid is not None
            and shape[1] == grid[0] * grid[1] * grid[2]
        ):  # (batch, tokens, channels): LTX-2, one token per latent pixel
            frames, height, width = grid
            middle = latents[0].reshape(frames, height, width, channels)[frames // 2]
            frame = middle.permute(2, 0, 1).detach().clone()
        else:
            return
        sigma = self._sigma()
        before, self._before = self._before, (frame, sigma)
        projection = self.projection

        def make() -> RGB:
            return projection.rgb(_estimate(frame, sigma, before))

        self.slot.offer(make)

    def _sigma(self) -> float | None:
        """The noise level of the latents just made, where the scheduler keeps it on the CPU
        (reading a GPU tensor here would stall the render)."""
        sigmas = getattr(self.scheduler, "sigmas", None)
        index = getattr(self.scheduler, "step_index", None)
        device = getattr(sigmas, "device", None)
        if index is None or sigmas is None or getattr(device, "type", "cpu") != "cpu":
            return None
        if not 0 <= index < len(sigmas):
            return None
        return float(sigmas[index])


def _estimate(
    frame: Any, sigma: float | None, before: tuple[Any, float | None] | None
) -> npt.NDArray[np.float32]:
    """The clean frame the two latest latents point at (the latest alone when it cannot tell)."""
    now = frame.float().cpu().numpy()
    if before is None or sigma is None or before[1] is None or before[1] == sigma:
        return np.asarray(now, np.float32)
    earlier = before[0].float().cpu().numpy()
    velocity = (now - earlier) / (sigma - before[1])
    return np.asarray(now - sigma * velocity, np.float32)
