"""Laying out a shot: which layers a setting has, where the subject stands, how light falls."""

from __future__ import annotations

import numpy as np
from PIL import Image

from sora_nb.server.renderers.animatic.cameo import cameo_bands, placements
from sora_nb.server.renderers.animatic.colours import RGB, TIME_LOOKS, mix
from sora_nb.server.renderers.animatic.frames import EMPTY, Band, Floats, Scene, pack
from sora_nb.server.renderers.animatic.shapes import figure, skyline_blocks, smooth_noise, streaks
from sora_nb.server.renderers.animatic.sky import sky_canvas
from sora_nb.server.renderers.animatic.sprites import Sprite
from sora_nb.server.renderers.animatic.staging import stage
from sora_nb.server.renderers.animatic.storyboard import ShotPlan, Storyboard
from sora_nb.server.renderers.animatic.weather import weather


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
    sky = sky_canvas(storyboard, shot, layout, iw, ih, horizon, margin)

    palette = look.palette
    fog = 0.45 if look.weather in ("fog", "mist", "haze") or "fog" in look.effects else 0.0
    haze = mix(time.horizon, (200, 200, 205), 0.3)

    def tone(colour: RGB, depth: float) -> RGB:
        lit = _shade(colour, light, bright)
        # Aerial perspective: far layers fade into the horizon colour (more in fog).
        return mix(lit, haze, min(0.85, (0.55 + fog) * (1 - min(depth, 1.0)) ** 1.5 + fog * 0.3))

    def jitter(values: Floats, amount: float) -> Floats:
        return values + smooth_noise(take, grid, [90.0]) * amount

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
        top, _ = skyline_blocks(
            layout, grid, 0.05 * iw, 0.12 * iw, horizon - 0.3 * ih, horizon - 0.08 * ih
        )
        add(0.15, jitter(top, 2), below, mix(far_c, (90, 95, 110), 0.5))
        top, blocks = skyline_blocks(
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
        islands = horizon - np.maximum(smooth_noise(layout, grid, [160.0, 60.0]), 0) * 0.12 * ih
        add(0.1, islands, below, mix(far_c, (80, 90, 100), 0.4))
        sea = mix(palette[min(1, len(palette) - 1)], (30, 90, 140), 0.75)
        add(0.5, np.full_like(grid, horizon), below, sea, darker=0.5)
        sand = horizon + (0.3 + 0.04 * smooth_noise(layout, grid, [200.0])) * ih
        add(0.9, sand, below, mix(ground_c, (194, 178, 128), 0.6))
    elif setting == "forest":
        teeth = np.abs(((grid / (0.03 * iw)) % 2) - 1)
        top = horizon - (0.2 + 0.1 * teeth + 0.06 * smooth_noise(layout, grid, [80.0])) * ih
        add(0.3, jitter(top, 2), below, mix(far_c, (40, 90, 60), 0.6))
        top = horizon - (0.1 + 0.14 * teeth[::-1] + 0.08 * smooth_noise(layout, grid, [50.0])) * ih
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
        top = horizon - (peaks + peaks * smooth_noise(layout, grid, [220.0, 90.0, 30.0])) * ih
        add(0.15, jitter(top, 2), below, mix(far_c, (100, 110, 130), 0.4))
        top = horizon - (0.04 + 0.05 * smooth_noise(layout, grid, [160.0, 50.0])) * ih
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

    # The subject, on a third of the frame.
    sprites: list[Sprite] = []
    if shot.framing != "pov" and shot.cast:
        # Characters from clips, in their own colours (the same draws as the generic figure's,
        # so the rest of the shot is laid out exactly as it would be without them).
        third = -1 if layout.random() < 0.5 else 1
        nudge = take.uniform(-0.02, 0.02) * iw
        follows = shot.movement == "tracking"
        chosen = [storyboard.cast[i] for i in shot.cast]
        for cameo, x in zip(chosen, placements(len(chosen), shot.framing, iw, third), strict=False):
            bands.extend(
                cameo_bands(
                    cameo, grid, x + nudge, shot.framing, ih, horizon, light, bright, follows
                )
            )
    elif shot.framing != "pov" or storyboard.things:
        # The things the prompt names (the subject first), each a recognisable picture.
        third = -1 if layout.random() < 0.5 else 1
        nudge = take.uniform(-0.02, 0.02) * iw
        sprites = stage(
            storyboard.things, shot, third, nudge, horizon, (iw, ih), light, bright, setting
        )
        if shot.framing == "over-the-shoulder" and sprites:
            # The listener's shoulder and the back of their head, close to the lens.
            for top, bottom in figure(grid, -third * 0.42 * iw, "close-up", ih, horizon):
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
        bumps = np.maximum(smooth_noise(layout, grid, [70.0, 20.0]), 0.15) - 0.15
        top = np.where(bumps > 0, 0.5 * ih - bumps * 0.25 * ih, EMPTY)
        add(1.7, top, below, mix(ground_c, (20, 30, 15), 0.7), darker=0.6)

    scene = Scene(iw, ih, grid, sky, margin, bands, shot.movement, plate=plate, sprites=sprites)
    effects = look.effects | ({look.weather} if look.weather else set())
    if effects & {"rain", "storm", "drizzle"}:
        scene.rain = streaks(layout, iw, ih, density=0.0008, length=int(0.04 * ih) + 2)
        scene.weather_colour = pack(mix(time.horizon, (190, 195, 210), 0.6))
    elif "snow" in effects:
        scene.snow = streaks(layout, iw, ih, density=0.0015, length=2)
        scene.weather_colour = pack((240, 242, 250))
    weather(scene, effects, layout, shot.stop - shot.start, haze)
    if shot.movement == "handheld":
        scene.shake = shake(take, max(2, shot.stop - shot.start), iw, ih)
    return scene


def shake(take: np.random.Generator, steps: int, iw: int, ih: int) -> Floats:
    """Handheld jitter for ``steps`` frames: a smoothed random walk, (steps, 2) in world px."""
    walk = np.cumsum(take.normal(0, 1, (steps + 8, 2)), axis=0)
    kernel = np.ones(8) / 8
    smooth = np.stack([np.convolve(walk[:, i], kernel, "valid")[:steps] for i in range(2)], 1)
    smooth -= smooth.mean(axis=0)
    peak = float(np.abs(smooth).max()) or 1.0
    jitter: Floats = smooth / peak * np.array([0.02 * iw, 0.015 * ih])
    return jitter
