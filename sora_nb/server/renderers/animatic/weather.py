"""Weather over a shot beyond rain and snow: wind streaks, a fog veil, flashes of lightning."""

from __future__ import annotations

from collections.abc import Set

import numpy as np

from sora_nb.server.renderers.animatic import icons
from sora_nb.server.renderers.animatic.colours import RGB
from sora_nb.server.renderers.animatic.frames import Scene
from sora_nb.server.renderers.animatic.request import FPS
from sora_nb.server.renderers.animatic.sprites import Sprite

_BOLT = "\u26a1"


def weather(
    scene: Scene, effects: Set[str], layout: np.random.Generator, steps: int, haze: RGB
) -> None:
    """Add the weather ``effects`` ask for to ``scene`` (a shot of ``steps`` frames)."""
    iw, ih = scene.width, scene.height
    if "wind" in effects:
        # Long thin horizontal streaks blown across the frame (leaves and dust in the gusts).
        count = max(1, iw * ih // 1400)
        x = layout.integers(0, iw, count)
        y = layout.integers(0, ih, count)
        length = max(3, iw // 40)
        run = np.arange(length)
        scene.wind = (y[:, None] * iw + (x[:, None] + run[None, :]) % iw).ravel().astype(np.int64)
    if "fog" in effects:
        scene.fog = (haze, 110)
    if "lightning" in effects:
        # A strike about every two seconds: a bright frame, a darker one, a second flicker.
        flashes: set[int] = set()
        at = int(layout.integers(FPS // 3, FPS))
        while at < steps:
            flashes |= {at, at + 1, at + 3}
            at += int(layout.integers(FPS * 3 // 2, FPS * 3))
        scene.flashes = frozenset(f for f in flashes if f < steps)
        height = 0.35 * ih
        picture = icons.picture(_BOLT, round(height))
        across = float(layout.uniform(-0.3, 0.3)) * iw
        foot = -0.5 * ih + height * 1.05
        scene.bolt = Sprite("lightning", "lightning", picture, across, foot, height)
