"""The backdrop of a shot: a sky with its sun or moon and stars, or an interior's back wall."""

from __future__ import annotations

import numpy as np

from sora_nb.server.renderers.animatic.colours import TIME_LOOKS, mix
from sora_nb.server.renderers.animatic.frames import Packed
from sora_nb.server.renderers.animatic.storyboard import ShotPlan, Storyboard


def sky_canvas(
    storyboard: Storyboard,
    shot: ShotPlan,
    rng: np.random.Generator,
    iw: int,
    ih: int,
    horizon: float,
    margin: tuple[int, int],
) -> Packed:
    """The backdrop of a ``iw`` x ``ih`` canvas plus ``margin`` on each side (room for the
    camera to pan and tilt over it), with the horizon at world row ``horizon``."""
    look = storyboard.look
    time = TIME_LOOKS[look.time_of_day]
    mx, my = margin
    cw, ch = iw + 2 * mx, ih + 2 * my
    ys = np.arange(ch, dtype=np.float64) - my - ih / 2  # world y of each canvas row
    sky_top = mix(time.sky_top, look.accent, 0.15)
    horizon_c = mix(time.horizon, look.accent, 0.1)
    if look.setting == "interior":
        sky_top = mix(look.palette[0], (30, 25, 20), 0.55)
        horizon_c = mix(look.palette[0], time.light, 0.3)
    t = np.clip((ys - (-ih / 2 - my)) / max(1.0, horizon + ih / 2 + my), 0, 1) ** 1.3
    rows = (np.outer(1 - t, sky_top) + np.outer(t, horizon_c)).astype(np.float32)
    xs = np.arange(cw, dtype=np.float32) - mx - iw / 2
    ys32 = ys.astype(np.float32)
    # Built channel by channel in float32: a 1792x1024 sky with margins is 1.2 M pixels,
    # and whole-canvas float64 temporaries would cost over 100 MB at once.
    rgba = np.empty((ch, cw, 4), dtype=np.uint8)
    rgba[:, :, 3] = 255
    if look.setting == "interior":
        for c in range(3):
            rgba[:, :, c] = np.clip(rows[:, c], 0, 255).astype(np.uint8)[:, None]
        # A window on the back wall shows the time of day outside.
        wx0, wx1 = -0.35 * iw + shot.light_side * 0.2 * iw, 0.05 * iw + shot.light_side * 0.2 * iw
        wy0, wy1 = -0.4 * ih, 0.02 * ih
        cols = (xs >= wx0) & (xs < wx1)
        lines = (ys32 >= wy0) & (ys32 < wy1)
        rgba[np.ix_(lines, cols)] = (*mix(time.horizon, time.light, 0.4), 255)
    else:
        # The sun (or the moon at night) on the key light's side, with a soft glow.
        sun_x = shot.light_side * 0.3 * iw + rng.uniform(-0.03, 0.03) * iw
        lift = 0.18 + 0.5 * time.sun_height if time.sun_height > 0 else 0.45
        sun_y = horizon - lift * ih
        r = 0.045 * ih if time.sun_height > 0 else 0.03 * ih
        disc = (255, 245, 215) if time.sun_height > 0 else (225, 230, 245)
        d2 = (xs[None, :] - np.float32(sun_x)) ** 2 + (ys32[:, None] - np.float32(sun_y)) ** 2
        glow = np.exp(d2 * np.float32(-1 / (2 * (0.18 * ih) ** 2))) * np.float32(0.55)
        for c in range(3):
            channel = rows[:, c : c + 1] * (1 - glow) + np.float32(time.light[c]) * glow
            rgba[:, :, c] = np.clip(channel, 0, 255).astype(np.uint8)
        rgba[d2 < r * r] = (*disc, 255)
        if time.sun_height < 0:
            count = int(cw * ch / 900)
            sx = rng.integers(0, cw, count)
            sy = rng.integers(0, max(1, int(my + ih / 2 + horizon - 0.1 * ih)), count)
            rgba[sy, sx] = (210, 215, 235, 255)
    return rgba.view("<u4")[:, :, 0]
