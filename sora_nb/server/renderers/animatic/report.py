"""What the animatic drew and where: the things of each shot with their boxes on screen.

``drawings(request)`` says, for each shot, which drawing stands for which words of the prompt
(the lexicon's key, or "fallback" when nothing matched) and where it is in a given frame, in
output pixels; ``still(request, frame, things=...)`` draws that frame's picture (no captions)
with the things, without them, or with the fallback in their place, to compare against.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from PIL import Image

from sora_nb import media
from sora_nb.server.renderers.animatic import icons
from sora_nb.server.renderers.animatic.frames import draw, sprite_box
from sora_nb.server.renderers.animatic.pieces import Piece, ShotSetup, plain
from sora_nb.server.renderers.animatic.request import AnimaticRequest
from sora_nb.server.renderers.animatic.sprites import Box, Sprite


@dataclass(frozen=True)
class Drawing:
    """One thing drawn in one frame: the words it stands for, its drawing, where it is."""

    shot: int
    frame: int
    name: str
    key: str  # the lexicon's key, or "fallback"
    box: Box  # x0, y0, x1, y1 in output pixels, clipped to the frame


def drawings(request: AnimaticRequest, at: float = 0.5) -> list[Drawing]:
    """Each thing every shot of ``request`` draws, and its box in the frame ``at`` of the way
    through the shot (0 its first frame, 1 its last)."""
    piece = plain(request)
    found = []
    for setup in piece.setups:
        frame = _frame_at(setup, at)
        for sprite, where in _boxes(piece, setup, frame):
            found.append(Drawing(setup.plan.number, frame, sprite.name, sprite.key, where))
    return found


def _frame_at(setup: ShotSetup, at: float) -> int:
    shot = setup.plan
    return shot.start + round(at * max(0, shot.stop - shot.start - 1))


def _boxes(piece: Piece, setup: ShotSetup, frame: int) -> list[tuple[Sprite, Box]]:
    shot = setup.plan
    count = shot.stop - shot.start
    step = frame - shot.start
    camera = setup.camera(step, count)
    sx = piece.storyboard.width / setup.scene.width
    sy = piece.storyboard.height / setup.scene.height
    out: list[tuple[Sprite, Box]] = []
    for sprite in setup.scene.sprites:
        x0, y0, x1, y1 = sprite_box(setup.scene, sprite, camera, step / max(1, count - 1))
        clipped: Box = (
            max(0, round(x0 * sx)),
            max(0, round(y0 * sy)),
            min(piece.storyboard.width, round(x1 * sx)),
            min(piece.storyboard.height, round(y1 * sy)),
        )
        out.append((sprite, clipped))
    return out


def still(request: AnimaticRequest, frame: int, things: str = "drawn") -> media.RGBFrame:
    """Frame ``frame`` of ``request``'s picture at the output size, without captions: with
    its things ``"drawn"``, with ``"none"``, or each in the ``"fallback"`` drawing."""
    piece = plain(request)
    setup = next(s for s in piece.setups if s.plan.start <= frame < s.plan.stop)
    scene = setup.scene
    if things == "fallback":
        swapped = []
        for sprite in scene.sprites:
            h, w = sprite.picture.shape[:2]
            stand_in = np.asarray(Image.fromarray(icons.picture(icons.FALLBACK, h)).resize((w, h)))
            swapped.append(dataclasses.replace(sprite, picture=stand_in))
        scene = dataclasses.replace(scene, sprites=swapped)
    shot = setup.plan
    count = shot.stop - shot.start
    step = frame - shot.start
    canvas = np.empty((scene.height, scene.width), dtype=np.uint32)
    camera = setup.camera(step, count)
    progress = step / max(1, count - 1)
    draw(scene, camera, canvas, frame, progress, step=step, things=things != "none")
    rgba = canvas.view(np.uint8).reshape(scene.height, scene.width, 4)
    image = Image.fromarray(rgba, "RGBA").convert("RGB")
    size = (piece.storyboard.width, piece.storyboard.height)
    return np.asarray(image.resize(size, Image.Resampling.BILINEAR), dtype=np.uint8)
