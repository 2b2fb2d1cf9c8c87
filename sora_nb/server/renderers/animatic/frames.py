"""Drawing a frame: a shot's layers (bands) sampled through the camera, onto a packed canvas.

Why the scene is made of bands: every layer is, per screen column, one vertical interval
(a skyline, a hill, a figure, a lamp post), so a frame is drawn by comparing row numbers with
two per-column edges and copying a packed 32-bit colour where they say. Camera moves only
change how the edges are sampled (offset and scale per layer, which is the parallax), so each
frame costs a few vectorised passes over a half-size canvas and no per-pixel Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from PIL import Image

from sora_nb.server.renderers.animatic.colours import RGB
from sora_nb.server.renderers.animatic.sprites import Box, Sprite, box, paint

Packed = npt.NDArray[np.uint32]
Floats = npt.NDArray[np.float64]
EMPTY = 1e7  # an edge beyond any screen row: "nothing in this column"


def pack(colour: RGB) -> np.uint32:
    """One RGBA pixel as the uint32 the canvas stores (bytes R, G, B, 255 in memory order)."""
    value: np.uint32 = np.uint32(colour[0] | colour[1] << 8 | colour[2] << 16 | 0xFF000000)
    return value


def _pack_rows(colours: Floats) -> Packed:
    c = np.clip(colours, 0, 255).astype(np.uint32)
    packed: Packed = (c[:, 0] | (c[:, 1] << 8) | (c[:, 2] << 16) | np.uint32(0xFF000000)).astype(
        np.uint32
    )
    return packed


@dataclass
class Band:
    """One layer: per world column a top and bottom edge, a depth, and a vertical gradient."""

    depth: float
    top: Floats
    bottom: Floats
    colour_top: RGB
    colour_bottom: RGB
    y0: float  # world y where colour_top applies
    y1: float  # world y where colour_bottom applies
    follows_camera: bool = False  # a tracked subject keeps its place on screen
    columns: Packed | None = None  # a colour per world column instead of the gradient
    #: A grid of cells (lit windows, fields): spacing and cell size in world px, which cells of
    #: a 16x16 tile show, and for a ground plane the horizon it recedes to (perspective).
    windows: tuple[float, float, npt.NDArray[np.bool_], float | None] | None = None
    #: The character this band draws, if it is part of one (tests find the figure by it).
    cameo: str | None = None


@dataclass(frozen=True)
class CameraState:
    """Where the camera is at one frame: world offsets (px at depth 1) and zoom."""

    x: float = 0.0
    y: float = 0.0
    zoom: float = 1.0


@dataclass
class Scene:
    """Everything drawn for one shot, built once and sampled per frame."""

    width: int
    height: int
    grid: Floats
    sky: Packed
    sky_margin: tuple[int, int]
    bands: list[Band]
    movement: str
    rain: npt.NDArray[np.int64] | None = None  # flat indices of streak pixels (one tile)
    snow: npt.NDArray[np.int64] | None = None
    weather_colour: np.uint32 = field(default_factory=lambda: pack((200, 205, 215)))
    plate: Image.Image | None = None  # a reference image the first shot moves over
    shake: Floats | None = None  # handheld jitter per frame, (n, 2)
    #: The things the prompt names, drawn over the layers (the subject among them).
    sprites: list[Sprite] = field(default_factory=list)
    wind: npt.NDArray[np.int64] | None = None  # flat indices of wind streaks (one tile)
    #: A veil of fog over everything: its colour and opacity (0..255).
    fog: tuple[RGB, int] | None = None
    #: Frames (numbered within the shot) lit by lightning, and the bolt drawn then.
    flashes: frozenset[int] = frozenset()
    bolt: Sprite | None = None


def _factors(move: str, depth: float, follows: bool) -> tuple[float, float]:
    """How much a layer at ``depth`` moves with the camera: parallax per move."""
    if follows:
        return 0.0, 0.0
    if move in ("pan", "tilt", "handheld"):
        return 0.6 + 0.4 * depth, 0.6 + 0.4 * depth  # a turn: nearly uniform, a hint of depth
    if move == "orbit":
        return depth - 1.0, 0.0  # behind the subject slides one way, in front the other
    return depth, depth


def sprite_box(scene: Scene, sprite: Sprite, camera: CameraState, progress: float) -> Box:
    """Where ``sprite`` is on the canvas (x0, y0, x1, y1) in this frame, camera applied."""
    fx, fy = _factors(scene.movement, sprite.depth, sprite.follows)
    zoom = 1.0 if sprite.follows else 1 + (camera.zoom - 1) * sprite.depth
    offset = (camera.x * fx, camera.y * fy)
    return box(sprite, progress, offset, zoom, scene.width, scene.height)


def draw(
    scene: Scene,
    camera: CameraState,
    out: Packed,
    frame_number: int,
    progress: float = 0.0,
    *,
    step: int = 0,
    things: bool = True,
) -> None:
    """Draw one frame of ``scene`` as seen by ``camera`` into ``out`` (rows x columns, packed):
    ``progress`` is how far into the shot it is (0..1), ``step`` its frame within the shot;
    ``things=False`` leaves out the drawn things (the background alone)."""
    iw, ih = scene.width, scene.height
    if scene.plate is not None:
        _draw_plate(scene, camera, out)
    else:
        mx, my = scene.sky_margin
        fx, fy = _factors(scene.movement, 0.0, False)
        ox = int(np.clip(round(mx + camera.x * fx), 0, 2 * mx))
        oy = int(np.clip(round(my + camera.y * fy), 0, 2 * my))
        out[:] = scene.sky[oy : oy + ih, ox : ox + iw]
        rows = np.arange(ih, dtype=np.float32)[:, None]
        row_numbers = np.arange(ih, dtype=np.int16)[:, None]
        columns = np.arange(iw, dtype=np.float64) - iw / 2
        for band in scene.bands:
            fx, fy = _factors(scene.movement, band.depth, band.follows_camera)
            zp = 1.0 if band.follows_camera else 1 + (camera.zoom - 1) * band.depth
            u = columns / zp + camera.x * fx
            top = (np.interp(u, scene.grid, band.top) - camera.y * fy) * zp + ih / 2
            bottom = (np.interp(u, scene.grid, band.bottom) - camera.y * fy) * zp + ih / 2
            lo = int(max(0.0, math.floor(float(top.min()))))
            hi = int(min(float(ih), math.ceil(float(bottom.max()))))
            if hi <= lo:
                continue
            r = rows[lo:hi]
            # Whole-row edges in int16 (a row r is inside when ceil(top) <= r < ceil(bottom)):
            # comparing small integers is the cheapest way to build the mask.
            first = np.ceil(np.clip(top, -1, ih + 1).astype(np.float32)).astype(np.int16)
            last = np.ceil(np.clip(bottom, -1, ih + 1).astype(np.float32)).astype(np.int16)
            rint = row_numbers[lo:hi]
            if bool(np.all((last >= hi) | (first >= hi))):
                mask = rint >= first  # the band runs off the bottom: one edge is enough
            else:
                mask = (rint >= first) & (rint < last)
            if band.windows is not None:
                spacing, size, lit, horizon = band.windows
                v = (r[:, 0] - ih / 2) / zp + camera.y * fy
                if horizon is None:
                    row_cell = np.floor(v / spacing).astype(np.intp)
                    col_cell = np.floor(u / spacing).astype(np.intp)
                    in_row = (v - row_cell * spacing) < size
                    in_col = (u - col_cell * spacing) < size
                    mask &= in_row[:, None] & in_col[None, :]
                    mask &= lit[np.ix_(row_cell % 16, col_cell % 16)]
                else:
                    # A ground plane: cells shrink towards the horizon as they recede.
                    near = ih / 2
                    distance = np.maximum(v - horizon, 0.5)
                    z = near * near / distance
                    x = np.outer(near / distance, u)
                    row_cell = np.floor(z / spacing).astype(np.intp)
                    col_cell = np.floor(x / spacing).astype(np.intp)
                    mask &= ((z - row_cell * spacing) < size)[:, None]
                    mask &= (x - col_cell * spacing) < size
                    mask &= lit[row_cell[:, None] % 16, col_cell % 16]
                np.copyto(out[lo:hi], pack(band.colour_top), where=mask)
                continue
            if band.columns is not None:
                step = scene.grid[1] - scene.grid[0]
                idx = np.clip(np.rint((u - scene.grid[0]) / step), 0, band.columns.size - 1)
                np.copyto(out[lo:hi], band.columns[idx.astype(np.intp)][None, :], where=mask)
                continue
            v = (r[:, 0] - ih / 2) / zp + camera.y * fy
            t = np.clip((v - band.y0) / max(1e-6, band.y1 - band.y0), 0, 1)[:, None]
            colours = (1 - t) * np.array(band.colour_top) + t * np.array(band.colour_bottom)
            np.copyto(out[lo:hi], _pack_rows(colours)[:, None], where=mask)
        if things:
            for sprite in scene.sprites:
                paint(sprite, sprite_box(scene, sprite, camera, progress), out)
    _weather(scene, out, frame_number, step)


def _weather(scene: Scene, out: Packed, frame_number: int, step: int) -> None:
    """Rain, snow and wind streaks, a fog veil and lightning, over the whole frame."""
    iw, ih = scene.width, scene.height
    flat = out.reshape(-1)
    for streaks, speed in ((scene.rain, 0.09), (scene.snow, 0.008)):
        if streaks is not None:
            shift = int(frame_number * speed * ih) % ih
            flat[(streaks + shift * iw) % flat.size] = scene.weather_colour
    if scene.wind is not None:
        flat[(scene.wind + int(frame_number * 0.06 * iw)) % flat.size] = scene.weather_colour
    veil = scene.fog
    if step in scene.flashes:
        veil = ((250, 250, 255), 150)
        if scene.bolt is not None:
            paint(scene.bolt, box(scene.bolt, 0.0, (0.0, 0.0), 1.0, iw, ih), out)
    if veil is not None:
        colour, alpha = veil
        pixels = out.view(np.uint8).reshape(ih, iw, 4)[:, :, :3]
        tint = np.array(colour, dtype=np.uint32) * alpha
        mixed = (pixels.astype(np.uint32) * (255 - alpha) + tint + 127) // 255
        pixels[:] = mixed.astype(np.uint8)


def _draw_plate(scene: Scene, camera: CameraState, out: Packed) -> None:
    """Move over a reference image: zoom and offset inside it, never past its edges."""
    assert scene.plate is not None
    iw, ih = scene.width, scene.height
    pw, ph = scene.plate.size
    zoom = max(1.0, camera.zoom)
    bw, bh = pw / zoom, ph / zoom
    cx = float(np.clip(pw / 2 + camera.x * pw / iw * 0.5, bw / 2, pw - bw / 2))
    cy = float(np.clip(ph / 2 + camera.y * ph / ih * 0.5, bh / 2, ph - bh / 2))
    box = (cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2)
    image = scene.plate.resize((iw, ih), Image.Resampling.BILINEAR, box=box)
    rgba = np.asarray(image.convert("RGBA"))
    out[:] = np.ascontiguousarray(rgba).view("<u4")[:, :, 0]
