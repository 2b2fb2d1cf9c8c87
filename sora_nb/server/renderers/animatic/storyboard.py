"""From a parsed Prompt to a plan: shots with frame ranges, the look, subtitles and sound cues.

The prompt text is read once by ``sora_nb.prompt.parse`` (the project's one parser); this
module only decides how the animatic shows what the Prompt says: which framing, move, light and
palette each shot gets, when each dialogue line is on screen, and which sounds play.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from sora_nb.prompt import Prompt, Shot, render
from sora_nb.prompt.cast import named
from sora_nb.server.renderers.animatic.colours import (
    DEFAULT_TIME,
    RGB,
    TIME_LOOKS,
    colour_rgb,
    light_colour,
    mix,
)
from sora_nb.server.renderers.animatic.icons import CREDIT, available
from sora_nb.server.renderers.animatic.request import FPS, AnimaticRequest
from sora_nb.server.renderers.animatic.storyboard_words import (
    _CALM,
    _FAST,
    _MINOR,
    FRAMING_LABELS,
    MOVES,
    SETTING_WORDS,
    SOUND_WORDS,
)
from sora_nb.server.renderers.animatic.subjects import (
    Motion,
    Thing,
    motion_of,
    things_of,
    weather_of,
)
from sora_nb.server.renderers.base import Cameo

# The storyboard's public names, the word tables kept beside this module included.
__all__ = [
    "FRAMING_LABELS",
    "MOVES",
    "SETTING_WORDS",
    "SOUND_WORDS",
    "Look",
    "ShotPlan",
    "SoundPlan",
    "Storyboard",
    "Subtitle",
    "caption_of",
    "cast_of",
    "look_of",
    "plan",
    "setting_of",
]

_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class ShotPlan:
    """One shot of the animatic: its frames, framing, move, lens and light, and its caption."""

    number: int
    count: int
    start: int  # first frame (inclusive)
    stop: int  # last frame (exclusive)
    framing: str
    movement: str
    lens_mm: float | None
    angle: str | None
    key_light: RGB
    light_side: float  # -1 key from the left, 1 from the right, 0 from behind (rim light)
    soft_light: bool
    caption: str
    #: The characters in this shot, as indices into the storyboard's cast (left to right).
    cast: tuple[int, ...] = ()
    #: How the subject moves in this shot (its action's verb and adverbs).
    motion: Motion = field(default_factory=Motion)


@dataclass(frozen=True)
class Look:
    """What the whole clip looks like: time of day, weather, setting kind and palette."""

    time_of_day: str
    weather: str | None
    setting: str
    palette: tuple[RGB, ...]  # at least three anchors
    accent: RGB
    subject: RGB
    neon: bool
    neon_colours: tuple[RGB, ...]
    #: Weather drawn over the scene: rain, snow, fog, wind, lightning.
    effects: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Subtitle:
    """A dialogue line on screen from ``start`` to ``stop`` (frames), said by ``speaker``."""

    start: int
    stop: int
    speaker: str
    line: str
    voice: int  # which voice says it: speakers in order of first line


@dataclass(frozen=True)
class SoundPlan:
    """The sound bed: ambience and effect cues, and music (tempo in beats per minute)."""

    cues: tuple[str, ...]
    music_bpm: float | None
    minor: bool


@dataclass(frozen=True)
class Storyboard:
    """The whole animatic planned: size, frames, shots, look, subtitles and sound."""

    width: int
    height: int
    frame_count: int
    shots: tuple[ShotPlan, ...]
    look: Look
    subtitles: tuple[Subtitle, ...]
    sound: SoundPlan
    mark: str
    #: Who made the pictures drawn, when any are (the mark's second line, bottom right).
    credit: str = ""
    #: The characters the prompt names, in the order it first names them.
    cast: tuple[Cameo, ...] = ()
    #: Where this storyboard's first frame sits in the whole video (a later segment of a video
    #: made in steps starts past the earlier ones): the timecode counts from here.
    first_frame: int = 0
    #: What the prompt names that the storyboard draws, the subject first.
    things: tuple[Thing, ...] = ()

    @property
    def label(self) -> str:
        """The storyboard label: what the drawings stand for, in the prompt's words."""
        return "  ·  ".join(_named(t) for t in self.things)

    @property
    def internal_size(self) -> tuple[int, int]:
        """The drawing canvas: half the output size (the encoder scales it up smoothly)."""
        return max(8, self.width // 2), max(8, self.height // 2)


def _words(*texts: str | None) -> set[str]:
    return {w for text in texts if text for w in _WORD.findall(text.lower())}


def _setting(words: set[str]) -> str:
    for kind, vocabulary in SETTING_WORDS:
        if words & vocabulary:
            return kind
    return "open"


def _split_frames(shots: list[Shot], frame_count: int) -> list[tuple[int, int]]:
    """Give each shot its own seconds where stated, the rest shared equally, in whole frames."""
    total = frame_count / FPS
    asked = [s.seconds for s in shots]
    fixed = sum(a for a in asked if a is not None)
    free = [a is None for a in asked]
    if fixed >= total or not any(free):
        # Stated lengths that do not add up to the clip are scaled to fit it.
        weights = [a if a is not None else total / len(shots) for a in asked]
    else:
        share = (total - fixed) / sum(free)
        weights = [a if a is not None else share for a in asked]
    # More shots than frames: the first ones get a frame each, the rest do not fit.
    weights = weights[:frame_count]
    count = len(weights)
    scale = frame_count / sum(weights)
    edges = [0]
    acc = 0.0
    for i, weight in enumerate(weights[:-1], start=1):
        acc += weight * scale
        # Every shot keeps at least one frame, so no cut is lost to rounding.
        edges.append(min(max(round(acc), edges[-1] + 1), frame_count - (count - i)))
    edges.append(frame_count)
    return list(pairwise(edges))


def _light_side(shot: Shot, rng: np.random.Generator) -> float:
    words = _words(shot.lighting.direction, shot.lighting.key, *shot.lighting.sources)
    if words & {"behind", "back", "backlit", "backlight", "rim", "silhouette", "silhouetted"}:
        return 0.0
    if "left" in words:
        return -1.0
    if "right" in words:
        return 1.0
    return -1.0 if rng.random() < 0.5 else 1.0


def _subtitles(prompt: Prompt, frame_count: int) -> tuple[Subtitle, ...]:
    """Time dialogue lines in order at a speaking pace, squeezed to fit when they are many."""
    lines = prompt.dialogue
    if not lines:
        return ()
    total = frame_count / FPS
    wanted = [max(1.0, len(line.line.split()) / 2.6 + 0.4) for line in lines]
    gap = 0.25
    lead = min(0.4, total * 0.05)
    room = max(0.1, total - lead - gap * len(lines))
    scale = min(1.0, room / sum(wanted))
    voices: dict[str, int] = {}
    subtitles = []
    at = lead
    for line, length in zip(lines, wanted, strict=True):
        voice = voices.setdefault(line.speaker.lower(), len(voices))
        start = round(at * FPS)
        stop = max(start + 1, min(frame_count, round((at + length * scale) * FPS)))
        subtitles.append(Subtitle(start, stop, line.speaker, line.line, voice))
        at += length * scale + gap
    return tuple(subtitles)


def _sound(prompt: Prompt, setting: str) -> SoundPlan:
    audio = prompt.audio
    words = _words(*audio.ambience, *audio.effects, prompt.scene.weather)
    cues = [cue for cue, vocabulary in SOUND_WORDS.items() if words & vocabulary]
    if not cues and audio.is_empty():
        # No sound asked for: the setting's own bed, as a location recordist would bring.
        cues = {"sea": ["waves"], "city": ["city"], "forest": ["birdsong"]}.get(setting, [])
    bpm: float | None = None
    mood = _words(prompt.mood, audio.music)
    if audio.music:
        bpm = 72.0 if mood & _CALM else 126.0 if mood & _FAST else 96.0
    return SoundPlan(tuple(cues), bpm, bool(mood & _MINOR))


def _palette(prompt: Prompt, time: str) -> tuple[tuple[RGB, ...], tuple[RGB, ...]]:
    named = [c for c in (colour_rgb(name) for name in prompt.palette) if c is not None]
    look = TIME_LOOKS[time]
    defaults = [mix(look.horizon, look.light, 0.3), mix(look.sky_top, (90, 110, 90), 0.5)]
    defaults.append(mix(look.horizon, (60, 70, 60), 0.6))
    palette = (named + defaults)[: max(3, len(named))]

    def saturation(c: RGB) -> int:
        return max(c) - min(c)

    vivid = tuple(sorted(named, key=saturation, reverse=True)[:3]) or (
        (255, 40, 200),
        (0, 230, 255),
    )
    return tuple(palette), vivid


def setting_of(prompt: Prompt) -> str | None:
    """The kind of place a prompt's words call for, or None when they name none."""
    kind = _setting(_words(_scene_text(prompt)))
    return None if kind == "open" else kind


def _scene_text(prompt: Prompt) -> str:
    shots = prompt.resolved_shots()
    return " ".join(
        t
        for t in (
            prompt.prose,
            prompt.scene.setting,
            prompt.subject,
            prompt.style,
            *(s.description or "" for s in shots),
        )
        if t
    )


def look_of(prompt: Prompt, *, setting: str | None = None) -> Look:
    """What a clip of ``prompt`` looks like: its time of day, weather, place and palette
    (``setting`` overrides the place its words call for: an edit keeps the source's)."""
    words = _words(_scene_text(prompt))
    lighting_words = _words(
        prompt.lighting.key, prompt.lighting.quality, *prompt.lighting.sources, *prompt.palette
    )
    neon = "neon" in words or "neon" in lighting_words
    time = prompt.scene.time_of_day or ("night" if neon else DEFAULT_TIME)
    if time not in TIME_LOOKS:
        time = DEFAULT_TIME
    palette, vivid = _palette(prompt, time)
    darkest = min(palette, key=sum)
    return Look(
        time_of_day=time,
        weather=prompt.scene.weather,
        setting=setting or _setting(words),
        palette=palette,
        accent=vivid[0] if prompt.palette else TIME_LOOKS[time].light,
        subject=mix(darkest, (40, 35, 45), 0.5),
        neon=neon,
        neon_colours=vivid,
        effects=weather_of(prompt),
    )


def cast_of(prompt: Prompt, characters: Sequence[Cameo]) -> tuple[Cameo, ...]:
    """The characters ``prompt`` names, in the order it first names them; one it never names
    is left out, as the service may leave out a character whose name the prompt omits."""
    text = render(prompt)
    order = named(text, [c.name for c in characters])
    by_name = {c.name: c for c in characters}
    return tuple(by_name[name] for name in order)


def _shot_cast(prompt: Prompt, shot: Shot, cast: Sequence[Cameo]) -> tuple[int, ...]:
    """Who is in a shot: the characters its own words name, else everyone the prompt names."""
    if not cast:
        return ()
    own = " ".join([shot.description or "", *shot.action])
    if prompt.shots:
        chosen = named(own, [c.name for c in cast])
        if chosen:
            return tuple(i for i, c in enumerate(cast) if c.name in chosen)
    return tuple(range(len(cast)))


def plan(
    prompt: Prompt,
    request: AnimaticRequest,
    *,
    look: Look | None = None,
    characters: Sequence[Cameo] = (),
    frame_count: int | None = None,
    first_frame: int = 0,
    label: str = "",
    layout_seed: int | Sequence[int] | None = None,
) -> Storyboard:
    """Plan the animatic of ``prompt`` for ``request``: one segment per shot, cut between them.

    A later segment of a video made in steps passes the whole video's ``look``, its own
    ``frame_count`` and where it starts (``first_frame``), a ``label`` for its captions, and
    the seed its layout follows.
    """
    rng = np.random.default_rng(
        layout_seed if layout_seed is not None else request.seed(with_take=False)
    )
    frame_count = frame_count if frame_count is not None else request.frame_count
    shots = prompt.resolved_shots()
    look = look or look_of(prompt)
    time, neon, vivid = look.time_of_day, look.neon, look.neon_colours
    setting = look.setting
    cast = cast_of(prompt, characters)
    ranges = _split_frames(shots, frame_count)
    plans = []
    for number, (shot, (start, stop)) in enumerate(zip(shots, ranges, strict=False), start=1):
        camera = shot.camera
        framing = camera.framing if camera.framing in FRAMING_LABELS else "medium"
        if camera.framing is None and camera.movement == "drone":
            framing = "aerial"
        movement = camera.movement if camera.movement in MOVES else "static"
        if movement == "static" and camera.rig in ("handheld", "drone"):
            movement = camera.rig
        key = (
            light_colour(" ".join([shot.lighting.key or "", *shot.lighting.sources]))
            or TIME_LOOKS[time].light
        )
        if neon:
            key = mix(key, vivid[0], 0.5)
        caption = caption_of(
            f"{label}SHOT {number}/{len(ranges)}",
            FRAMING_LABELS[framing] if camera.framing or framing == "aerial" else None,
            camera.lens_mm,
            movement if camera.movement or camera.rig else None,
        )
        quality = _words(shot.lighting.quality)
        plans.append(
            ShotPlan(
                number=number,
                count=len(ranges),
                start=start,
                stop=stop,
                framing=framing,
                movement=movement,
                lens_mm=camera.lens_mm,
                angle=camera.angle,
                key_light=key,
                light_side=_light_side(shot, rng),
                soft_light=bool(quality & {"soft", "diffuse", "diffused", "dappled", "overcast"}),
                caption=caption,
                cast=_shot_cast(prompt, shot, cast),
                motion=motion_of(prompt, shot),
            )
        )
    things = things_of(prompt)
    credit = CREDIT if any(t.entry for t in things) and available() else ""
    return Storyboard(
        width=request.width,
        height=request.height,
        frame_count=frame_count,
        shots=tuple(plans),
        look=look,
        subtitles=_subtitles(prompt, frame_count),
        sound=_sound(prompt, setting),
        mark=f"OFFLINE ANIMATIC · {request.model} · {_variation(request)}",
        credit=credit,
        cast=cast,
        first_frame=first_frame,
        things=things,
    )


def caption_of(shot: str, framing: str | None, lens_mm: float | None, move: str | None) -> str:
    """A shot's caption in plain words ("SHOT 1/3  ·  WIDE  ·  35 mm  ·  ORBIT"): only what
    the prompt gave, nothing for what it left out."""
    parts = [shot, framing, f"{lens_mm:g} mm" if lens_mm else None, move.upper() if move else None]
    return "  ·  ".join(p for p in parts if p)


def _named(thing: Thing) -> str:
    return (
        thing.name
        if thing.count == 1 or thing.name.endswith("s")
        else f"{thing.name} ×{thing.count}"
    )


def _variation(request: AnimaticRequest) -> str:
    """What the mark calls this variation: the seed sent, else the take number."""
    return f"seed {request.variation}" if request.variation is not None else f"take {request.take}"
