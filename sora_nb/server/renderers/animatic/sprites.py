"""Pictures that move over a shot: the things a prompt names, placed, sized and set moving.

A sprite is a picture rasterised once (:mod:`~sora_nb.server.renderers.animatic.icons`) and a
path: where its foot (bottom centre) is and how big it is at each moment of the shot, in the
scene's world units. Drawing it samples the picture at the frame's size (nearest pixel, so no
picture is drawn anew per frame) and blends it over the canvas by its alpha.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt

from sora_nb.server.renderers.animatic.colours import RGB

Packed = npt.NDArray[np.uint32]
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Sprite:
    """One drawn thing: what it stands for, its picture and its path through the shot."""

    name: str
    key: str  # the drawing's key in the lexicon, or "fallback"
    picture: npt.NDArray[np.uint8]  # RGBA, rows x columns x 4
    x: float  # where its foot is at the shot's middle (world px)
    y: float
    height: float  # world px, at scale 1
    path: str = "idle"  # idle, cross, approach, rise, fall, circle
    travel: float = 0.0  # how far it goes (world px; signed for cross)
    steps: float = 0.0  # bobs over the shot (a walker's steps)
    follows: bool = False  # a tracked subject keeps its place on screen
    depth: float = 1.0

    def at(self, progress: float) -> tuple[float, float, float]:
        """Its foot (x, y) and scale at ``progress`` (0 the shot's first frame, 1 its last)."""
        p = min(1.0, max(0.0, progress))
        x, y, scale = self.x, self.y, 1.0
        if self.path == "cross":
            x += (p - 0.5) * self.travel
        elif self.path == "approach":
            scale = 0.55 + 0.65 * p
            x *= 1 - 0.6 * p
            y += (1 - p) * -0.15 * self.height
        elif self.path == "rise":
            y -= p * self.travel
        elif self.path == "fall":
            y += (p - 1) * self.travel
        elif self.path == "circle":
            angle = 2 * math.pi * p * max(1.0, abs(self.travel) / max(1.0, self.height))
            x += 0.5 * self.height * math.cos(angle)
            y += 0.2 * self.height * math.sin(angle)
        if self.steps:
            y -= abs(math.sin(math.pi * self.steps * p)) * 0.04 * self.height
        return x, y, scale

    @cached_property
    def layers(self) -> tuple[Packed, npt.NDArray[np.bool_], npt.NDArray[np.uint16]]:
        """Made once, sampled per frame: the picture packed like the canvas, where it is
        opaque, and its premultiplied colours with 255 - alpha as a fourth channel (zero where
        nothing shows), for the partly transparent edge."""
        rgba = self.picture
        alpha = rgba[:, :, 3:4].astype(np.uint16)
        packed = np.ascontiguousarray(rgba).view(np.uint32)[:, :, 0] | np.uint32(0xFF000000)
        blend = np.concatenate([rgba[:, :, :3] * alpha, np.uint16(255) - alpha], axis=2)
        blend[rgba[:, :, 3] == 0] = 0
        return packed, rgba[:, :, 3] == 255, blend

    def held(self, progress: float) -> Sprite:
        """This sprite standing still where it is at ``progress``."""
        x, y, scale = self.at(progress)
        return replace(self, x=x, y=y, height=self.height * scale, path="idle", steps=0.0)


def box(
    sprite: Sprite, progress: float, offset: tuple[float, float], zoom: float, iw: int, ih: int
) -> Box:
    """Where ``sprite`` lands on the canvas (x0, y0, x1, y1, unclipped) for a camera at world
    ``offset`` (already scaled by the layer's parallax) and ``zoom``."""
    x, y, scale = sprite.at(progress)
    h, w = sprite.picture.shape[:2]
    tall = sprite.height * scale * zoom
    cx = (x - offset[0]) * zoom + iw / 2
    bottom = round((y - offset[1]) * zoom + ih / 2)
    if abs(tall - h) < 0.5:
        # At the picture's own size: its exact box, so it is copied, not resampled.
        left = round(cx - w / 2)
        return left, bottom - h, left + w, bottom
    wide = tall * w / h
    return round(cx - wide / 2), round(bottom - tall), round(cx + wide / 2), bottom


def paint(sprite: Sprite, where: Box, out: Packed) -> None:
    """Blend ``sprite``'s picture, scaled into ``where``, over the packed canvas ``out``."""
    x0, y0, x1, y1 = where
    ih, iw = out.shape
    if x1 <= x0 or y1 <= y0 or x1 <= 0 or y1 <= 0 or x0 >= iw or y0 >= ih:
        return
    h, w = sprite.picture.shape[:2]
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(iw, x1), min(ih, y1)
    packed, opaque, blend = sprite.layers
    if y1 - y0 == h and x1 - x0 == w:
        # Its own size: a slice of the picture, no resampling.
        rows = np.arange(cy0 - y0, cy1 - y0)
        cols = np.arange(cx0 - x0, cx1 - x0)
        solid = packed[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        inside = opaque[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    else:
        rows = ((np.arange(cy0, cy1) - y0) * h // (y1 - y0)).clip(0, h - 1)
        cols = ((np.arange(cx0, cx1) - x0) * w // (x1 - x0)).clip(0, w - 1)
        solid = packed.take(rows, axis=0).take(cols, axis=1)
        inside = opaque.take(rows, axis=0).take(cols, axis=1)
    region = out[cy0:cy1, cx0:cx1]
    # The opaque inside is copied as whole pixels; only the soft edge is blended.
    np.copyto(region, solid, where=inside)
    edge = blend[:, :, 3].take(rows, axis=0).take(cols, axis=1)
    r, c = np.nonzero((edge > 0) & ~inside)
    if r.size == 0:
        return
    src = blend[rows[r], cols[c]]
    under = region[r, c].view(np.uint8).reshape(-1, 4)[:, :3]
    # under * (255 - a) + colour * a never passes 255 * 255, so 16 bits hold it; then an
    # exact rounded division by 255 with shifts.
    mixed = under * src[:, 3:] + src[:, :3] + np.uint16(128)
    mixed += mixed >> 8
    pixels = np.empty((r.size, 4), dtype=np.uint8)
    pixels[:, :3] = mixed >> 8
    pixels[:, 3] = 255
    region[r, c] = pixels.view(np.uint32)[:, 0]


def lit(picture: npt.NDArray[np.uint8], light: RGB, brightness: float) -> npt.NDArray[np.uint8]:
    """A picture in the shot's light: its own colours, a little darker and warmer or cooler,
    never so much that it stops reading (a storyboard drawing stays a drawing)."""
    gain = np.array(light, dtype=np.float32) / 255 * min(1.0, brightness)
    factor = 0.6 + 0.4 * gain
    out = picture.astype(np.float32)
    out[:, :, :3] *= factor
    result: npt.NDArray[np.uint8] = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return result
