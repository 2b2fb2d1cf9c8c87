"""Picture statistics on decoded frames: sharpness, colourfulness, motion, flicker and cuts.

Plain numpy on small frames, so a take is measured on the CPU in about the time it takes to
decode. Each function takes what one decoding pass produces (RGB frames, or per-frame series
built from them), so the decoder never keeps more than a frame or two in memory.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]
Series = npt.NDArray[np.float64]

#: A cut's change must be this many times the typical change around it (adaptive, like
#: PySceneDetect's AdaptiveDetector, so a fast pan does not read as a string of cuts)...
CUT_RATIO = 3.0
#: ...and at least this large in absolute terms (mean |ΔRGB| on 0-255, on 160-px-wide frames).
CUT_MIN_CHANGE = 20.0
#: Frames either side of a candidate that set the "typical change" around it.
CUT_WINDOW = 4
#: Two cuts closer than this (seconds) are one cut (a flash, or a dissolve's frames).
CUT_MIN_GAP = 0.4


def luma(frame: Frame) -> npt.NDArray[np.float64]:
    """BT.709 luma of an RGB frame, 0-255."""
    rgb = frame.astype(np.float64)
    return 0.2126 * rgb[..., 0] + 0.7152 * rgb[..., 1] + 0.0722 * rgb[..., 2]


def sharpness(frame: Frame) -> float:
    """Variance of the Laplacian of the frame's luma: higher is crisper (0 for a flat frame)."""
    y = luma(frame)
    if y.shape[0] < 3 or y.shape[1] < 3:
        return 0.0
    lap = y[1:-1, :-2] + y[1:-1, 2:] + y[:-2, 1:-1] + y[2:, 1:-1] - 4 * y[1:-1, 1:-1]
    return float(lap.var())


def colourfulness(frame: Frame) -> float:
    """Hasler and Süsstrunk's colourfulness (2003): 0 for grey, about 100 or more for vivid."""
    rgb = frame.astype(np.float64)
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    spread = float(np.hypot(rg.std(), yb.std()))
    centre = float(np.hypot(rg.mean(), yb.mean()))
    return spread + 0.3 * centre


def change(previous: Frame, current: Frame) -> float:
    """Mean absolute difference between two frames of the same size, per channel, 0-255."""
    return float(np.abs(current.astype(np.int16) - previous.astype(np.int16)).mean())


def detect_cuts(
    changes: Sequence[float], fps: float, skips: Sequence[float] | None = None
) -> list[int]:
    """Frame numbers where a new shot starts, from ``changes[i]`` = change from frame i to i+1.

    A cut is a change far above the changes around it (ratio) and large in itself (floor);
    candidates closer than :data:`CUT_MIN_GAP` keep only the strongest. With ``skips[i]`` =
    change from frame i to i+2, a one-frame flash (the picture comes back) is not a cut.
    """
    values = np.asarray(changes, dtype=np.float64)
    candidates: list[int] = []
    for i, value in enumerate(values):
        if value < CUT_MIN_CHANGE:
            continue
        if skips is not None and _flash(skips, i, value):
            continue
        around = np.concatenate(
            [values[max(0, i - CUT_WINDOW) : i], values[i + 1 : i + 1 + CUT_WINDOW]]
        )
        typical = float(np.median(around)) if around.size else 0.0
        if value >= CUT_RATIO * max(typical, 1.0):
            candidates.append(i)
    gap = max(1, round(CUT_MIN_GAP * fps))
    kept: list[int] = []
    for i in candidates:
        if kept and i - kept[-1] < gap:
            if values[i] > values[kept[-1]]:
                kept[-1] = i
            continue
        kept.append(i)
    return [i + 1 for i in kept]


def _flash(skips: Sequence[float], i: int, value: float) -> bool:
    """True when the change i -> i+1 is into or out of a single odd frame: the picture either
    side of it (i and i+2, or i-1 and i+1) is about the same."""
    into = i < len(skips) and skips[i] * CUT_RATIO < value
    out_of = 0 < i <= len(skips) and skips[i - 1] * CUT_RATIO < value
    return into or out_of


def motion(changes: Sequence[float], cuts: Sequence[int]) -> float:
    """Mean frame-to-frame change (0-255) with the cuts themselves left out: 0 for a still."""
    values = np.asarray(changes, dtype=np.float64)
    if values.size == 0:
        return 0.0
    keep = np.ones(values.size, dtype=bool)
    for cut in cuts:
        keep[cut - 1] = False
    return float(values[keep].mean()) if keep.any() else 0.0


def flicker(brightness: Sequence[float], cuts: Sequence[int]) -> float:
    """Mean jitter of overall brightness (0-255): |second difference| / 2, cuts left out.

    A steady fade or a slow exposure drift scores about 0; a picture that brightens and
    darkens on alternate frames scores about the size of the swing.
    """
    values = np.asarray(brightness, dtype=np.float64)
    if values.size < 3:
        return 0.0
    jitter = np.abs(values[2:] - 2 * values[1:-1] + values[:-2]) / 2
    keep = np.ones(jitter.size, dtype=bool)
    for cut in cuts:
        # jitter[j] spans frames j, j+1, j+2: any triple that straddles the cut is not flicker.
        keep[max(0, cut - 2) : cut] = False
    return float(jitter[keep].mean()) if keep.any() else 0.0
