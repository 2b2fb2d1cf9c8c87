"""Drawing a shot: a layered scene (sky, far, mid, ground, subject, foreground) and its camera.

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

from sora_nb.emulator.animatic.colours import RGB, TIME_LOOKS, mix
from sora_nb.emulator.animatic.storyboard import ShotPlan, Storyboard

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


def _smooth_noise(rng: np.random.Generator, grid: Floats, spacings: list[float]) -> Floats:
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


def _blocks(
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


def _figure(
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


def _sky(
    storyboard: Storyboard,
    shot: ShotPlan,
    rng: np.random.Generator,
    iw: int,
    ih: int,
    horizon: float,
    margin: tuple[int, int],
) -> Packed:
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


def _shade(colour: RGB, light: RGB, brightness: float) -> RGB:
    """Light a surface colour: tint by the key light and scale by the time of day's exposure."""
    return (
        round(colour[0] * light[0] / 255 * brightness),
        round(colour[1] * light[1] / 255 * brightness),
        round(colour[2] * light[2] / 255 * brightness),
    )


def build_scene(
    storyboard: Storyboard,
    shot: ShotPlan,
    layout: np.random.Generator,
    take: np.random.Generator,
    plate: Image.Image | None = None,
) -> Scene:
    """Lay out one shot's layers from its plan: ``layout`` fixes the composition, ``take``
    nudges it a little (so re-rolls differ without becoming a different shot)."""
    iw, ih = storyboard.internal_size
    look = storyboard.look
    time = TIME_LOOKS[look.time_of_day]
    light = shot.key_light
    bright = time.brightness
    grid = np.arange(-2.0 * iw, 2.0 * iw, 2.0)
    horizon = {"low": 0.22, "high": -0.18, "overhead": -0.4}.get(shot.angle or "", 0.06) * ih
    if shot.framing == "aerial" or shot.movement == "drone":
        horizon = -0.36 * ih
    horizon += take.uniform(-0.015, 0.015) * ih
    margin = (int(0.32 * iw), int(0.32 * ih))
    sky = _sky(storyboard, shot, layout, iw, ih, horizon, margin)

    palette = look.palette
    fog = 0.45 if look.weather in ("fog", "mist", "haze") else 0.0
    haze = mix(time.horizon, (200, 200, 205), 0.3)

    def tone(colour: RGB, depth: float) -> RGB:
        lit = _shade(colour, light, bright)
        # Aerial perspective: far layers fade into the horizon colour (more in fog).
        return mix(lit, haze, min(0.85, (0.55 + fog) * (1 - min(depth, 1.0)) ** 1.5 + fog * 0.3))

    def jitter(values: Floats, amount: float) -> Floats:
        return values + _smooth_noise(take, grid, [90.0]) * amount

    bands: list[Band] = []

    def add(
        depth: float,
        top: Floats,
        bottom: Floats,
        colour: RGB,
        darker: float = 0.6,
        follows: bool = False,
    ) -> None:
        c0 = tone(colour, depth)
        c1 = tone(mix(colour, (0, 0, 0), 1 - darker), depth)
        bands.append(Band(depth, top, bottom, c0, c1, horizon - 0.3 * ih, 0.5 * ih, follows))

    below = np.full_like(grid, EMPTY * 0.5)
    setting = look.setting
    far_c, mid_c, ground_c = palette[1 % len(palette)], palette[2 % len(palette)], palette[0]
    if setting == "city":
        signs_hint = (look.neon_colours or palette)[0]
        top, _ = _blocks(
            layout, grid, 0.05 * iw, 0.12 * iw, horizon - 0.3 * ih, horizon - 0.08 * ih
        )
        add(0.15, jitter(top, 2), below, mix(far_c, (90, 95, 110), 0.5))
        top, blocks = _blocks(
            layout, grid, 0.1 * iw, 0.22 * iw, horizon - 0.45 * ih, horizon - 0.12 * ih
        )
        add(0.45, top, below, mix(mid_c, (40, 40, 50), 0.6), darker=0.4)
        if time.sun_height < 0.1:
            # After dark the nearer buildings show lit windows, a few in each block.
            glow = (255, 205, 130) if not look.neon else mix((255, 205, 130), signs_hint, 0.3)
            spacing = max(3.0, 0.035 * ih)
            lit_cells = layout.random((16, 16)) < 0.35
            bands.append(
                Band(
                    0.45,
                    top + spacing * 0.8,
                    below,
                    glow,
                    glow,
                    0,
                    1,
                    windows=(spacing, spacing * 0.45, lit_cells, None),
                )
            )
        # Signs on the nearer buildings, all in one band with a colour per column.
        signs = look.neon_colours or palette
        sign_top = np.full_like(grid, EMPTY)
        sign_bottom = np.full_like(grid, EMPTY)
        sign_colour = np.zeros(grid.size, dtype=np.uint32)
        for i, (x0, x1, h) in enumerate(blocks):
            if layout.random() < 0.55:
                colour = signs[i % len(signs)]
                sx0 = x0 + (x1 - x0) * layout.uniform(0.1, 0.4)
                sx1 = sx0 + (x1 - x0) * layout.uniform(0.2, 0.5)
                sy0 = h + layout.uniform(0.03, 0.12) * ih
                sel = (grid >= sx0) & (grid < sx1)
                sign_top[sel] = sy0
                sign_bottom[sel] = sy0 + layout.uniform(0.03, 0.08) * ih
                lit = colour if look.neon else tone(mix(colour, time.light, 0.5), 0.6)
                sign_colour[sel] = pack(lit)
        bands.append(
            Band(0.45, sign_top, sign_bottom, (0, 0, 0), (0, 0, 0), 0, 1, columns=sign_colour)
        )
        add(0.7, np.full_like(grid, horizon + 0.02 * ih), below, mix(ground_c, (60, 60, 65), 0.6))
    elif setting == "sea":
        islands = horizon - np.maximum(_smooth_noise(layout, grid, [160.0, 60.0]), 0) * 0.12 * ih
        add(0.1, islands, below, mix(far_c, (80, 90, 100), 0.4))
        sea = mix(palette[min(1, len(palette) - 1)], (30, 90, 140), 0.75)
        add(0.5, np.full_like(grid, horizon), below, sea, darker=0.5)
        sand = horizon + (0.3 + 0.04 * _smooth_noise(layout, grid, [200.0])) * ih
        add(0.9, sand, below, mix(ground_c, (194, 178, 128), 0.6))
    elif setting == "forest":
        teeth = np.abs(((grid / (0.03 * iw)) % 2) - 1)
        top = horizon - (0.2 + 0.1 * teeth + 0.06 * _smooth_noise(layout, grid, [80.0])) * ih
        add(0.3, jitter(top, 2), below, mix(far_c, (40, 90, 60), 0.6))
        top = horizon - (0.1 + 0.14 * teeth[::-1] + 0.08 * _smooth_noise(layout, grid, [50.0])) * ih
        add(0.6, top, below, mix(mid_c, (25, 60, 35), 0.7), darker=0.4)
        add(0.7, np.full_like(grid, horizon + 0.08 * ih), below, mix(ground_c, (70, 60, 40), 0.5))
    elif setting == "interior":
        add(0.7, np.full_like(grid, horizon + 0.12 * ih), below, mix(ground_c, (90, 70, 50), 0.5))
        table = (grid > 0.15 * iw) & (grid < 0.6 * iw)
        add(
            0.85,
            np.where(table, horizon + 0.2 * ih, EMPTY),
            np.where(table, horizon + 0.45 * ih, EMPTY),
            mix(mid_c, (60, 40, 30), 0.5),
        )
    else:
        peaks = 0.22 if setting == "mountain" else 0.1
        top = horizon - (peaks + peaks * _smooth_noise(layout, grid, [220.0, 90.0, 30.0])) * ih
        add(0.15, jitter(top, 2), below, mix(far_c, (100, 110, 130), 0.4))
        top = horizon - (0.04 + 0.05 * _smooth_noise(layout, grid, [160.0, 50.0])) * ih
        add(0.4, jitter(top, 2), below, mix(mid_c, (70, 100, 60), 0.5))
        ground = (194, 160, 110) if setting == "desert" else (80, 110, 60)
        add(0.7, np.full_like(grid, horizon + 0.03 * ih), below, mix(ground_c, ground, 0.5))
        # Trees (or boulders in bare country) dotted over the middle distance: they are what
        # the eye tracks when the camera moves.
        pointed = setting == "open"
        top = np.full_like(grid, EMPTY)
        bottom = np.full_like(grid, EMPTY)
        for x in np.sort(layout.uniform(-1.9, 1.9, 14)) * iw:
            half = layout.uniform(0.015, 0.035) * iw
            tall = layout.uniform(0.06, 0.14) * ih if pointed else half * 1.2
            base = horizon + layout.uniform(0.04, 0.1) * ih
            d = np.abs(grid - x) / half
            inside = d < 1
            shape = (1 - d[inside]) if pointed else np.sqrt(1 - d[inside] ** 2)
            top[inside] = np.minimum(top[inside], base - tall * shape)
            bottom[inside] = base
        tree = (40, 70, 40) if pointed else (110, 100, 90)
        add(0.55, top, bottom, mix(mid_c, tree, 0.6), darker=0.7)

    if shot.framing == "aerial" or shot.movement == "drone":
        # From above the ground fills the frame: show fields (or blocks and street lights).
        spacing = 0.14 * ih
        patches = layout.random((16, 16)) < 0.5
        field = tone(mix(ground_c, (90, 110, 70), 0.5), 0.7)
        lights = mix(field, (255, 200, 120), 0.6)
        patch = lights if setting == "city" else mix(field, time.light, 0.12)
        size = spacing * (0.8 if setting != "city" else 0.12)
        bands.append(
            Band(
                0.7,
                np.full_like(grid, horizon + 0.06 * ih),
                below,
                patch,
                patch,
                0,
                1,
                windows=(spacing, size, patches, horizon + 0.06 * ih),
            )
        )

    # The subject, on a third of the frame, lit on the key light's side.
    if shot.framing != "pov":
        third = -1 if layout.random() < 0.5 else 1
        cx = third * iw / 6 + take.uniform(-0.02, 0.02) * iw
        if shot.framing in ("close-up", "extreme-close-up", "medium-close-up"):
            cx *= 0.5
        follows = shot.movement == "tracking"
        dark = mix(look.subject, (8, 8, 12), 0.35)
        contrast = 0.2 if shot.soft_light else 0.45
        lit = mix(dark, light, contrast)
        lit_side = np.greater((grid - cx) * shot.light_side, 0.0)
        for top, bottom in _figure(grid, cx, shot.framing, ih, horizon):
            add(1.0, top, bottom, dark, darker=0.7, follows=follows)
            if shot.light_side == 0:
                # Backlight: a rim along the top edge instead of a lit half.
                rim_top, rim_bottom = top, np.where(top < EMPTY, top + 0.012 * ih, EMPTY)
            else:
                rim_top = np.where(lit_side, top, EMPTY)
                rim_bottom = np.where(lit_side, bottom, EMPTY)
            shade = mix(lit, dark, 0.6)
            bands.append(Band(1.0, rim_top, rim_bottom, lit, shade, top.min(), 0.5 * ih, follows))
        if shot.framing == "over-the-shoulder":
            # The listener's shoulder and the back of their head, close to the lens.
            for top, bottom in _figure(grid, -third * 0.42 * iw, "close-up", ih, horizon):
                add(1.5, top + 0.42 * ih, bottom + 0.42 * ih, (12, 12, 16), darker=0.8)

    # Foreground: grass tufts, rocks, lamp posts or tree trunks that pass fastest.
    if setting in ("city", "forest"):
        count = 3
        posts = np.zeros_like(grid, dtype=bool)
        for _ in range(count):
            x = layout.uniform(-1.2, 1.2) * iw
            posts |= (grid > x) & (grid < x + (0.02 if setting == "city" else 0.06) * iw)
        top = np.where(posts, -EMPTY * 0.5, EMPTY)
        add(1.7, top, np.where(posts, EMPTY * 0.5, EMPTY), (20, 18, 22), darker=0.8)
    elif setting not in ("interior",):
        bumps = np.maximum(_smooth_noise(layout, grid, [70.0, 20.0]), 0.15) - 0.15
        top = np.where(bumps > 0, 0.5 * ih - bumps * 0.25 * ih, EMPTY)
        add(1.7, top, below, mix(ground_c, (20, 30, 15), 0.7), darker=0.6)

    scene = Scene(iw, ih, grid, sky, margin, bands, shot.movement, plate=plate)
    if look.weather in ("rain", "storm", "drizzle"):
        scene.rain = _streaks(layout, iw, ih, density=0.0008, length=int(0.04 * ih) + 2)
        scene.weather_colour = pack(mix(time.horizon, (190, 195, 210), 0.6))
    elif look.weather == "snow":
        scene.snow = _streaks(layout, iw, ih, density=0.0015, length=2)
        scene.weather_colour = pack((240, 242, 250))
    if shot.movement == "handheld":
        steps = max(2, shot.stop - shot.start)
        walk = np.cumsum(take.normal(0, 1, (steps + 8, 2)), axis=0)
        kernel = np.ones(8) / 8
        smooth = np.stack([np.convolve(walk[:, i], kernel, "valid")[:steps] for i in range(2)], 1)
        smooth -= smooth.mean(axis=0)
        peak = float(np.abs(smooth).max()) or 1.0
        scene.shake = smooth / peak * np.array([0.02 * iw, 0.015 * ih])
    return scene


def _streaks(
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


def camera_at(scene: Scene, index: int, count: int) -> CameraState:
    """The camera for frame ``index`` of ``count`` in a shot, eased in and out.

    A move covers less ground in a short shot (full travel takes four seconds or more), so a
    two-second pan drifts rather than whips, and a cut stays the biggest change on screen.
    """
    iw, ih = scene.width, scene.height
    t = index / max(1, count - 1)
    e = t * t * (3 - 2 * t)
    reach = min(1.0, count / (4 * 24))
    move = scene.movement
    if scene.plate is not None:
        # Over a reference image every move starts from the image as given (frame 1 = it).
        if move in ("pan", "truck", "tracking", "orbit"):
            return CameraState(x=0.2 * iw * e * reach, zoom=1 + 0.15 * e * reach)
        if move in ("tilt", "crane", "drone"):
            return CameraState(y=-0.2 * ih * e * reach, zoom=1 + 0.15 * e * reach)
        if move == "handheld" and scene.shake is not None:
            dx, dy = scene.shake[min(index, len(scene.shake) - 1)]
            return CameraState(x=float(dx) * e, y=float(dy) * e, zoom=1 + 0.05 * e)
        if move == "static":
            return CameraState()
        return CameraState(zoom=1 + 0.3 * e * reach)  # push-in; a pull-out cannot leave it
    s = (2 * e - 1) * reach  # -reach .. reach
    if move in ("pan", "truck"):
        return CameraState(x=0.16 * iw * s)
    if move == "tracking":
        # Keeping pace with a moving subject: the world streams past behind it.
        return CameraState(x=0.6 * iw * s)
    if move == "tilt":
        return CameraState(y=0.14 * ih * -s)
    if move == "push-in":
        return CameraState(zoom=1 + 0.35 * e * reach)
    if move == "pull-out":
        return CameraState(zoom=1 + 0.35 * reach * (1 - e))
    if move == "orbit":
        return CameraState(x=0.2 * iw * s, zoom=1.05)
    if move == "crane":
        return CameraState(y=0.16 * ih * -s, zoom=1 + 0.1 * reach * (1 - e))
    if move == "drone":
        return CameraState(y=0.1 * ih * -s, zoom=1 + 0.3 * e * reach)
    if move == "handheld" and scene.shake is not None:
        dx, dy = scene.shake[min(index, len(scene.shake) - 1)]
        return CameraState(x=float(dx), y=float(dy), zoom=1.04)
    return CameraState()


def _factors(move: str, depth: float, follows: bool) -> tuple[float, float]:
    """How much a layer at ``depth`` moves with the camera: parallax per move."""
    if follows:
        return 0.0, 0.0
    if move in ("pan", "tilt", "handheld"):
        return 0.6 + 0.4 * depth, 0.6 + 0.4 * depth  # a turn: nearly uniform, a hint of depth
    if move == "orbit":
        return depth - 1.0, 0.0  # behind the subject slides one way, in front the other
    return depth, depth


def draw(scene: Scene, camera: CameraState, out: Packed, frame_number: int) -> None:
    """Draw one frame of ``scene`` as seen by ``camera`` into ``out`` (rows x columns, packed)."""
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
            mask = (r >= top.astype(np.float32)) & (r < bottom.astype(np.float32))
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
    flat = out.reshape(-1)
    for streaks, speed in ((scene.rain, 0.09), (scene.snow, 0.008)):
        if streaks is not None:
            shift = int(frame_number * speed * ih) % ih
            flat[(streaks + shift * iw) % flat.size] = scene.weather_colour


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
