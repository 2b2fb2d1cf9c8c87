"""What a speed-up costs: each cached take against the uncached take of the same request.

In a grid that varies the step cache (``--vary cache=none,firstblock,taylorseer``) every take
with a cache has a twin without one: the same prompt, size, seed and take number. Its row in
a results table gains how much faster it rendered (the server's GPU seconds, uncached over
cached) and how close its picture stayed (PSNR and SSIM of the two videos' frames, measured
here with :mod:`sora_nb.research.fidelity`), so "twice as fast, how much worse?" is read off
the table. Identical pictures read 100 dB (PSNR has no finite value for them; a table and its
JSON need one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sora_nb.research.fidelity import Fidelity, compare_videos
from sora_nb.runs.take import Take

__all__ = ["SPEEDUP_COLUMNS", "against_uncached", "uncached"]

#: The columns a results table gains when its takes vary the step cache.
SPEEDUP_COLUMNS = ("speedup_vs_uncached", "psnr_vs_uncached", "ssim_vs_uncached")
#: PSNR reported for identical pictures.
IDENTICAL_DB = 100.0

_measured: dict[tuple[str, str, int, int], Fidelity] = {}


def uncached(take: Take) -> bool:
    """True when the take rendered without a step cache."""
    return take.request.options.step_cache in (None, "none")


def _twin_key(take: Take) -> str:
    return take.request.with_options(step_cache=None).model_dump_json()


def against_uncached(takes: Sequence[Take]) -> dict[str, dict[str, Any]]:
    """For each finished take with a step cache among ``takes`` whose uncached twin is there
    and finished too: its speed-up and its PSNR and SSIM against the twin, by take id."""
    twins = {_twin_key(t): t for t in takes if uncached(t) and t.ok}
    found: dict[str, dict[str, Any]] = {}
    for take in takes:
        twin = twins.get(_twin_key(take))
        if uncached(take) or twin is None or not take.ok:
            continue
        row: dict[str, Any] = dict.fromkeys(SPEEDUP_COLUMNS)
        if take.gpu_seconds and twin.gpu_seconds:
            row["speedup_vs_uncached"] = round(twin.gpu_seconds / take.gpu_seconds, 3)
        quality = _compare(take, twin)
        if quality is not None:
            psnr = IDENTICAL_DB if math.isinf(quality.psnr) else min(quality.psnr, IDENTICAL_DB)
            row["psnr_vs_uncached"] = round(psnr, 2)
            row["ssim_vs_uncached"] = round(quality.ssim, 4)
        found[take.id] = row
    return found


def _compare(take: Take, twin: Take) -> Fidelity | None:
    try:
        video, reference = Path(take.path("video")), Path(twin.path("video"))
    except RuntimeError:  # takes not attached to a media folder
        return None
    if not (video.is_file() and reference.is_file()):
        return None
    key = (str(video), str(reference), video.stat().st_mtime_ns, reference.stat().st_mtime_ns)
    if key not in _measured:
        try:
            _measured[key] = compare_videos(video, reference)
        except ValueError:  # sizes differ, or a clip has no frames
            return None
    return _measured[key]
