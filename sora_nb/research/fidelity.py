"""How close a take is to a reference take of the same seed: PSNR and SSIM of their frames.

A step cache (or any speed-up) trades quality for time; rendered with the same seed, the
uncached take is the reference and the difference is the cost. Both clips are decoded with
PyAV at their own size, frame by frame, and compared on luma (BT.601), as video codecs'
quality figures are: PSNR in dB over every frame's pixels (``inf`` for identical pictures) and
SSIM as the mean of per-frame SSIM with 7x7 uniform windows (Wang et al. 2004, the constants of
scikit-image's ``structural_similarity``). numpy only; nothing is kept but two frames at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

__all__ = ["Fidelity", "compare_videos", "psnr", "ssim"]

Luma = npt.NDArray[np.float64]
_WINDOW = 7
_C1 = (0.01 * 255) ** 2
_C2 = (0.03 * 255) ** 2


@dataclass(frozen=True)
class Fidelity:
    """How close a clip is to its reference: PSNR in dB (inf: identical) and mean SSIM (1:
    identical), over the frames both have."""

    psnr: float
    ssim: float
    frames: int


def _luma(path: Path | str) -> Iterator[Luma]:
    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.video[0]):
            rgb = frame.to_ndarray(format="rgb24").astype(np.float64)
            yield rgb @ np.array([0.299, 0.587, 0.114])


def psnr(a: Luma, b: Luma) -> float:
    """Peak signal-to-noise ratio of two 0-255 pictures, in dB (inf when identical)."""
    mse = float(np.mean((a - b) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def _mean_filter(x: Luma) -> Luma:
    """Means over every 7x7 window (the picture's inner part, by summed-area tables)."""
    table = np.pad(x, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    w = _WINDOW
    total = table[w:, w:] - table[:-w, w:] - table[w:, :-w] + table[:-w, :-w]
    means: Luma = total / (w * w)
    return means


def ssim(a: Luma, b: Luma) -> float:
    """Structural similarity of two 0-255 pictures (1 when identical), 7x7 uniform windows."""
    if min(a.shape) < _WINDOW:
        return 1.0 if np.array_equal(a, b) else 0.0
    n = _WINDOW * _WINDOW
    ux, uy = _mean_filter(a), _mean_filter(b)
    # Sample (co)variances, as scikit-image computes them.
    scale = n / (n - 1)
    vx = scale * (_mean_filter(a * a) - ux * ux)
    vy = scale * (_mean_filter(b * b) - uy * uy)
    vxy = scale * (_mean_filter(a * b) - ux * uy)
    num = (2 * ux * uy + _C1) * (2 * vxy + _C2)
    den = (ux * ux + uy * uy + _C1) * (vx + vy + _C2)
    return float(np.mean(num / den))


def compare_videos(path: Path | str, reference: Path | str) -> Fidelity:
    """PSNR and SSIM of a clip against a reference clip of the same size; ValueError when
    their sizes differ or either has no frames."""
    total_se, pixels, ssims = 0.0, 0, []
    for a, b in zip(_luma(path), _luma(reference), strict=False):
        if a.shape != b.shape:
            raise ValueError(
                f"cannot compare a {a.shape[1]}x{a.shape[0]} clip with a "
                f"{b.shape[1]}x{b.shape[0]} one: PSNR and SSIM need the same size"
            )
        total_se += float(np.sum((a - b) ** 2))
        pixels += a.size
        ssims.append(ssim(a, b))
    if not ssims:
        raise ValueError("cannot compare clips without frames")
    mse = total_se / pixels
    value = math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)
    return Fidelity(psnr=value, ssim=float(np.mean(ssims)), frames=len(ssims))
