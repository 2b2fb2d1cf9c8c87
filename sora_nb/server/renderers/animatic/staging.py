"""Staging a shot's things: where each stands, how big it is for the framing, where it goes.

The subject fills its framing (a close-up fills the frame, an extreme wide shows it small) and
moves as its action says; the other things stand beside it, sized as they are beside it in life
and kept apart so every one of them shows. A group ("two kids", "a crowd") stands side by side.
"""

from __future__ import annotations

from sora_nb.server.renderers.animatic import icons
from sora_nb.server.renderers.animatic.colours import RGB
from sora_nb.server.renderers.animatic.request import FPS
from sora_nb.server.renderers.animatic.sprites import Sprite, lit
from sora_nb.server.renderers.animatic.storyboard import ShotPlan
from sora_nb.server.renderers.animatic.subjects import POSE_PICTURES, Motion, Thing

#: The subject's height for each framing, in frame heights.
HEIGHTS = {
    "extreme-wide": 0.13,
    "wide": 0.36,
    "medium-wide": 0.5,
    "aerial": 0.08,
    "pov": 0.45,
    "over-the-shoulder": 0.55,
    "medium": 0.62,
    "medium-close-up": 0.75,
    "close-up": 0.88,
    "extreme-close-up": 1.25,
}
_CLOSE = frozenset({"medium-close-up", "close-up", "extreme-close-up"})
#: Where a ground thing's foot is for framings that show the ground, below the horizon.
_FEET = {"extreme-wide": 0.08, "wide": 0.2, "medium-wide": 0.3, "aerial": 0.06}
_SLOTS = {1: (0.0,), 2: (-0.22, 0.22), 3: (-0.3, 0.0, 0.3), 4: (-0.36, -0.12, 0.12, 0.36)}


def _picture_name(thing: Thing, motion: Motion, framing: str) -> str:
    if thing.entry is None:
        return icons.FALLBACK
    if thing.entry.key != "person":
        return thing.entry.picture
    if framing in _CLOSE and thing.subject:
        return POSE_PICTURES["face"]
    return POSE_PICTURES[motion.pose if thing.subject else "stand"]


def stage(
    things: tuple[Thing, ...],
    shot: ShotPlan,
    side: float,
    nudge: float,
    horizon: float,
    size: tuple[int, int],
    light: RGB,
    brightness: float,
    setting: str,
) -> list[Sprite]:
    """The sprites of one shot: ``side`` picks the subject's third of the frame, ``nudge``
    shifts it a little per take, ``horizon`` is the shot's horizon (world y)."""
    iw, ih = size
    if not things or (shot.framing == "pov" and len(things) == 1 and things[0].entry is None):
        return []
    framing = shot.framing
    motion = shot.motion
    count = min(len(things), 4)
    slots = [s * iw for s in _SLOTS[count]]
    if count == 1:
        slots = [side * iw / (12 if framing in _CLOSE else 6)]
    elif side > 0:
        slots = slots[::-1]  # the subject on its third, the rest across the frame
    subject_size = next((t.entry.size for t in things if t.subject and t.entry), 1.0)
    base = HEIGHTS.get(framing, 0.62) * ih
    room = iw * 0.9 * {1: 0.8, 2: 0.44, 3: 0.3, 4: 0.24}[count]
    sprites: list[Sprite] = []
    for thing, slot in zip(things, slots, strict=False):
        size_here = thing.entry.size if thing.entry else 1.0
        height = base if thing.subject else base * min(1.0, max(0.3, size_here / subject_size))
        if thing.child:
            height *= 0.7
        copies = max(1, min(thing.count, 7))
        if copies >= 5:
            height *= 0.75
        name = _picture_name(thing, motion, framing)
        probe = icons.picture(name, 64)
        aspect = probe.shape[1] / probe.shape[0]
        group_width = height * aspect * (1 + 0.75 * (copies - 1))
        if group_width > room:
            height *= room / group_width
        height = max(4.0, height)
        group_width = height * aspect * (1 + 0.75 * (copies - 1))
        place = thing.entry.place if thing.entry else "g"
        foot = _foot(place, framing, horizon, height, ih, setting, thing.subject)
        # A close framing keeps its subject in frame: it walks on the spot rather than across.
        crossing_close = motion.kind == "cross" and framing in _CLOSE
        moving = thing.subject and motion.kind != "idle" and not crossing_close
        path, travel, steps = "idle", 0.0, 0.0
        seconds = (shot.stop - shot.start) / FPS
        x = slot + nudge
        if group_width < 0.96 * iw:
            x = max(-0.48 * iw + group_width / 2, min(0.48 * iw - group_width / 2, x))
        if moving:
            path = motion.kind
            if path == "cross":
                travel = min(0.9 * iw, motion.speed * seconds * 0.2 * iw) * motion.direction
                half = abs(travel) / 2 + group_width / 2
                x = max(-0.48 * iw + half, min(0.48 * iw - half, x)) if half < 0.48 * iw else 0.0
            elif path in ("rise", "fall"):
                travel = min(0.6 * ih, 0.3 * ih * motion.speed)
            elif path == "circle":
                travel = height * max(1.0, motion.speed)
            if motion.pose in ("walk", "run") and thing.entry and thing.entry.size <= 1.0:
                steps = seconds * (2.0 if motion.pose == "walk" else 3.0) * motion.speed
        faces = thing.entry.faces if thing.entry else "n"
        heading = motion.direction if path == "cross" else (1 if x < 0 else -1)
        mirrored = (faces == "l" and heading > 0) or (faces == "r" and heading < 0)
        picture = lit(icons.picture(name, round(height), mirrored), light, brightness)
        key = thing.entry.key if thing.entry else icons.FALLBACK
        spacing = height * aspect * 0.75
        for copy in range(copies):
            dx = (copy - (copies - 1) / 2) * spacing
            dy = 0.03 * ih * (copy % 2) if copies > 1 and place != "a" else 0.0
            sprites.append(
                Sprite(
                    name=thing.name,
                    key=key,
                    picture=picture,
                    x=x + dx,
                    y=foot + dy,
                    height=height,
                    path=path,
                    travel=travel,
                    steps=steps,
                    follows=thing.subject and shot.movement == "tracking",
                )
            )
    # Nearer (lower on screen) drawn last, so it overlaps what stands behind it.
    sprites.sort(key=lambda s: s.y)
    return sprites


def _foot(
    place: str, framing: str, horizon: float, height: float, ih: int, setting: str, subject: bool
) -> float:
    """Where a thing's foot (its picture's bottom) is, in world y (0 the frame's middle)."""
    if framing in _FEET:
        ground = min(0.46 * ih, horizon + _FEET[framing] * ih)
        if place == "a":
            return max(-0.45 * ih + height, horizon - 0.12 * ih)
        if place == "w" and setting == "sea":
            return min(ground, horizon + 0.08 * ih + 0.5 * height)
        return ground
    if place == "a" and not subject:
        return max(-0.45 * ih + height, horizon - 0.1 * ih)
    if height < 0.5 * ih and subject:
        return 0.5 * height + 0.08 * ih  # a small subject framed close sits in the middle
    return 0.46 * ih + max(0.0, height - 0.92 * ih) * 0.6
