"""Drawing a character: its outline from its clip, filled with its own colours, at a framing.

The generic subject is a grey silhouette lit by the shot; a character is drawn from what its clip
showed (:class:`~sora_nb.server.renderers.base.Cameo`): the outline column by column and the
palette top to bottom, so it is the same recognisable figure in every shot and video. The shot's
light only darkens it a little, never tints it: the figure keeps its colours at night as by day,
which is what continuity across shots asks of a character.
"""

from __future__ import annotations

import itertools

import numpy as np

from sora_nb.server.renderers.animatic.colours import RGB, mix
from sora_nb.server.renderers.animatic.frames import EMPTY, Band, Floats
from sora_nb.server.renderers.base import Cameo

#: How much the shot's light (its strength, not its hue) darkens a character's own colours.
LIGHT_SHARE = 0.35

#: For framings that crop the figure: its full height and where its top sits, in frame heights
#: (world y, 0 the frame's centre, -0.5 its top edge).
_CROPPED: dict[str, tuple[float, float]] = {
    "medium-wide": (0.95, -0.32),
    "medium": (1.5, -0.26),
    "over-the-shoulder": (1.5, -0.26),
    "medium-close-up": (2.1, -0.22),
    "close-up": (3.2, -0.22),
    "extreme-close-up": (6.0, -0.42),
}
#: For framings that show the whole figure: its height in frame heights and its feet below the
#: horizon.
_WHOLE: dict[str, tuple[float, float]] = {
    "extreme-wide": (0.14, 0.08),
    "wide": (0.42, 0.2),
    "aerial": (0.07, 0.08),
}


def placements(count: int, framing: str, iw: int, side: float) -> list[float]:
    """Where ``count`` characters stand (centre x, world px), left to right: one on a third of
    the frame (the side ``side`` picks), two on both thirds, closer in for close framings."""
    close = framing in ("close-up", "extreme-close-up", "medium-close-up")
    if count <= 1:
        x = side * iw / 6
        return [x * 0.5 if close else x]
    spread = 0.24 if close else 0.2
    return [-spread * iw, spread * iw][:count]


def cameo_bands(
    cameo: Cameo,
    grid: Floats,
    cx: float,
    framing: str,
    ih: int,
    horizon: float,
    light: RGB,
    brightness: float,
    follows: bool,
) -> list[Band]:
    """The bands that draw ``cameo`` standing at ``cx`` in a shot framed ``framing``."""
    if framing in _WHOLE:
        tall, feet = _WHOLE[framing]
        height = tall * ih
        top = horizon + feet * ih - height
    else:
        share, top_at = _CROPPED.get(framing, _CROPPED["medium"])
        height, top = share * ih, top_at * ih
    width = height / max(0.2, cameo.aspect)
    columns = len(cameo.outline)
    where = (grid - (cx - width / 2)) / width
    inside = (where >= 0) & (where < 1)
    index = np.clip((where * columns).astype(np.int64), 0, columns - 1)
    tops = np.array([c[0] if c else np.nan for c in cameo.outline], dtype=np.float64)
    bottoms = np.array([c[1] if c else np.nan for c in cameo.outline], dtype=np.float64)
    edge_top = np.where(inside, top + tops[index] * height, np.nan)
    edge_bottom = np.where(inside, top + bottoms[index] * height, np.nan)
    bounds = (0.0, *cameo.bands[: len(cameo.palette) - 1], 1.0)
    bands = []
    for part, (start, stop) in enumerate(itertools.pairwise(bounds)):
        colour = _lit(cameo.palette[part], light, brightness)
        y0, y1 = top + start * height, top + stop * height
        band_top = np.maximum(edge_top, y0)  # NaN (no figure there) stays NaN
        band_bottom = np.minimum(edge_bottom, y1)
        empty = ~(band_bottom > band_top)  # NaN compares False: empty columns stay empty
        band_top = np.where(empty, EMPTY, band_top)
        band_bottom = np.where(empty, EMPTY, band_bottom)
        darker = mix(colour, (0, 0, 0), 0.15)
        band = Band(1.0, band_top, band_bottom, colour, darker, y0, y1, follows, cameo=cameo.name)
        bands.append(band)
    return bands


def _lit(colour: RGB, light: RGB, brightness: float) -> RGB:
    """The character's own colour, darker in dim light but never tinted by it: the light's
    strength (its luma and the time of day's exposure) reaches it, not its hue."""
    strength = min(1.0, (0.2126 * light[0] + 0.7152 * light[1] + 0.0722 * light[2]) / 255)
    exposure = strength * brightness
    dimmed = (
        round(colour[0] * exposure),
        round(colour[1] * exposure),
        round(colour[2] * exposure),
    )
    return mix(colour, dimmed, LIGHT_SHARE)
