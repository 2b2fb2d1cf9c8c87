"""Shapes the scenes are made of, as per-column edges: noise hills, skylines, figures, rain."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sora_nb.server.renderers.animatic.frames import EMPTY, Floats


def smooth_noise(rng: np.random.Generator, grid: Floats, spacings: list[float]) -> Floats:
    """Fractal 1D noise in [-1, 1] over ``grid``: a few octaves of interpolated randoms."""
    total = np.zeros_like(grid)
    weight = 0.0
    for i, spacing in enumerate(spacings):
        knots = np.arange(grid[0] - spacing, grid[-1] + 2 * spacing, spacing)
        values = rng.uniform(-1, 1, knots.size)
        amp = 0.55**i
        total += amp * np.interp(grid, knots, values)
        weight += amp
    return total / weight


def skyline_blocks(
    rng: np.random.Generator, grid: Floats, min_w: float, max_w: float, low: float, high: float
) -> tuple[Floats, list[tuple[float, float, float]]]:
    """A stepped skyline: random-width blocks; returns per-column tops and the blocks."""
    top = np.full_like(grid, EMPTY)  # the gaps between blocks stay empty
    blocks: list[tuple[float, float, float]] = []
    x = float(grid[0])
    while x < grid[-1]:
        w = rng.uniform(min_w, max_w)
        h = rng.uniform(low, high)
        top[(grid >= x) & (grid < x + w)] = h
        blocks.append((x, x + w, h))
        x += w + rng.uniform(0, min_w * 0.3)
    return top, blocks


def figure(
    grid: Floats, cx: float, framing: str, height: int, horizon: float
) -> list[tuple[Floats, Floats]]:
    """The subject's silhouette for a framing, as parts (head, body) of top and bottom edges:
    a standing figure for wide framings, a head and shoulders for closer ones."""
    dx = np.abs(grid - cx)

    def empty() -> tuple[Floats, Floats]:
        return np.full_like(grid, EMPTY), np.full_like(grid, EMPTY)

    head_top, head_bottom = empty()
    body_top, body_bottom = empty()
    if framing in ("extreme-wide", "wide", "aerial"):
        tall = {"extreme-wide": 0.14, "wide": 0.42, "aerial": 0.07}[framing] * height
        feet = horizon + (0.2 if framing == "wide" else 0.08) * height
        r = 0.065 * tall
        head_y = feet - tall + r
        neck_y = head_y + r + 0.015 * tall
        shoulders = 0.12 * tall
        body = dx < shoulders
        body_top[body] = neck_y + 0.03 * tall + 0.06 * tall * (dx[body] / shoulders) ** 2
        neck = dx < 0.025 * tall
        body_top[neck] = head_y
        body_bottom[body] = feet - 0.5 * tall  # arms end at the hips
        legs = dx < 0.075 * tall
        body_bottom[legs] = feet
        body_bottom[dx < 0.012 * tall] = feet - 0.44 * tall  # the gap between the legs
    else:
        r = {
            "medium-wide": 0.075,
            "medium": 0.1,
            "medium-close-up": 0.14,
            "close-up": 0.24,
            "extreme-close-up": 0.55,
            "over-the-shoulder": 0.1,
        }.get(framing, 0.1) * height
        head_y = {
            "medium-wide": -0.22,
            "medium": -0.14,
            "medium-close-up": -0.08,
            "close-up": -0.02,
            "extreme-close-up": 0.12,
        }.get(framing, -0.14) * height
        reach = 2.6 * r
        body = dx < reach
        shoulder_y = head_y + 1.45 * r
        body_top[body] = shoulder_y + 0.9 * r * (np.maximum(dx[body] - 0.45 * r, 0) / reach) ** 2
        neck = dx < 0.42 * r
        body_top[neck] = head_y + 0.5 * r
        body_bottom[body] = EMPTY * 0.5  # to the bottom of the frame
    head = dx < r
    half = np.sqrt(np.maximum(r * r - dx[head] ** 2, 0))
    head_top[head] = head_y - half
    head_bottom[head] = head_y + half
    return [(body_top, body_bottom), (head_top, head_bottom)]


def streaks(
    rng: np.random.Generator, iw: int, ih: int, density: float, length: int
) -> npt.NDArray[np.int64]:
    """Flat pixel indices of slanted streaks (rain) or dots (snow) on a screen-sized tile."""
    count = max(1, int(iw * ih * density))
    x = rng.integers(0, iw, count)
    y = rng.integers(0, ih, count)
    steps = np.arange(length)
    xs = (x[:, None] + steps[None, :] // 4) % iw
    ys = (y[:, None] + steps[None, :]) % ih
    return (ys * iw + xs).ravel().astype(np.int64)
