"""PSNR and SSIM of a clip against a reference: identical clips, a known error, a size mismatch."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sora_nb.research.fidelity import compare_videos, psnr, ssim
from tests.research.clips import write_clip


def _gradient(i: int) -> np.ndarray:
    x = np.linspace(0, 255, 96, dtype=np.float64)
    frame = np.broadcast_to((x[None, :] + 3 * i) % 256, (64, 96))
    return np.repeat(frame[..., None], 3, axis=2).astype(np.uint8)


def test_psnr_and_ssim_of_known_pictures() -> None:
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 255, (48, 64))
    assert psnr(a, a) == math.inf and ssim(a, a) == pytest.approx(1.0)
    # An error of 5 everywhere: MSE 25, so PSNR is 10 log10(255^2 / 25).
    assert psnr(a, a + 5) == pytest.approx(10 * math.log10(255**2 / 25))
    # A constant shift keeps structure (SSIM near 1); noise as strong as the picture ruins it.
    assert ssim(a, a + 5) > 0.99
    assert ssim(a, rng.uniform(0, 255, (48, 64))) < 0.1


def test_clips_compare_frame_by_frame_and_need_one_size(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "a.mp4", _gradient, 6)
    same = compare_videos(clip, clip)
    assert (same.psnr, same.ssim, same.frames) == (math.inf, 1.0, 6)
    darker = write_clip(tmp_path / "b.mp4", lambda i: (_gradient(i) * 0.8).astype(np.uint8), 6)
    off = compare_videos(darker, clip)
    assert 10 < off.psnr < 40 and 0.5 < off.ssim < 1.0 and off.frames == 6
    small = write_clip(tmp_path / "c.mp4", lambda i: _gradient(i)[:32, :48], 6)
    with pytest.raises(ValueError, match="cannot compare a 48x32 clip with a 96x64 one"):
        compare_videos(small, clip)
