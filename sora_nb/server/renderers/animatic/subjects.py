"""What the storyboard draws for the words of a prompt: its subject and a few other things, how
many of each, how they move, and the weather over the scene.

The subject comes from the prompt language's own reading (``Prompt.subject``, from
:mod:`sora_nb.prompt.subject`); the other things from the rest of its words. Each is matched
against :mod:`~sora_nb.server.renderers.animatic.lexicon`, the longest phrase first, plurals
read as their singular.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sora_nb.prompt import Prompt, Shot
from sora_nb.server.renderers.animatic.lexicon import GROUPS, Entry, phrases, singular


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: How many things a shot draws at most: the subject and three more.
MOST = 4
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'-]*")
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "pair": 2,
    "couple": 2,
    "few": 3,
    "several": 3,
    "some": 3,
    "many": 5,
    "dozens": 6,
    "flock": 5,
    "herd": 5,
    "group": 4,
    "pack": 4,
    "school": 5,
    "swarm": 6,
    "crowd": 7,
    "row": 4,
}
#: A word right after a thing's name that makes it light, not a thing ("window light").
_NOT_A_THING = {"light", "lit", "lighting", "lights", "glow", "shaped"}
_ARTICLES = {"a", "an", "the", "some", "one", "his", "her", "their", "its", "our", "my"}

WEATHER_EFFECTS: dict[str, frozenset[str]] = {
    "rain": _set(
        "rain raining rainy raindrop raindrops drizzle downpour rain-soaked rainfall storm "
        "thunderstorm"
    ),
    "snow": _set("snow snowy snowing snowfall blizzard snowflakes"),
    "fog": _set("fog foggy mist misty haze hazy"),
    "wind": _set("wind windy breeze breezy gust gusts gusty gale windswept"),
    "lightning": _set("lightning thunder thunderstorm storm stormy"),
}

_MOTIONS: tuple[tuple[str, frozenset[str]], ...] = (
    ("circle", _set("circles circling circle orbits orbiting spins spinning swirls")),
    (
        "rise",
        _set("rises rising rise ascends ascending launches launching soars soaring")
        | {"lifts", "lift-off", "liftoff", "takes"},
    ),
    (
        "fall",
        _set(
            "falls falling fall drops dropping descends descending sinks sinking lands landing "
            "plunges plunging tumbles tumbling dives diving"
        ),
    ),
    (
        "cross",
        _set(
            "walks walking walk runs running run crosses crossing cross strolls strolling "
            "wanders wandering rides riding drives driving races racing gallops galloping "
            "sprints sprinting jogs jogging chases chasing swims swimming flies flying sails "
            "sailing glides gliding skates skating cycles cycling marches marching paddles "
            "paddling hurries hurrying dashes dashing trots trotting waddles waddling moves "
            "moving across past speeds speeding zooms zooming heads heading travels "
            "traveling travelling hikes hiking rolls rolling"
        ),
    ),
)
_TOWARDS = re.compile(
    r"\b(?:approach\w*|towards? (?:the )?(?:camera|us|lens|viewer)|comes? closer|"
    r"closer to (?:the )?camera)\b"
)
_WEATHER_MOVES = re.compile(
    r"\b(?:rain|snow|snowflakes|raindrops|leaves|petals|ash|confetti|sparks|embers|dust|"
    r"mist|fog|clouds|smoke|steam)\s+\w+"
)
_LEFTWARDS = re.compile(r"\b(?:right to left|to the left|leftwards?|from the right)\b")
_SLOW = _set("slowly slow gently leisurely lazily calmly gradually unhurried")
_FAST = _set(
    "quickly fast rapidly swiftly races racing sprints sprinting speeds speeding dashes "
    "dashing hurries hurrying zooms zooming runs running chases chasing gallops"
)
_POSES: tuple[tuple[str, frozenset[str]], ...] = (
    ("dance", _set("dance dances dancing twirls twirling")),
    ("wave", _set("wave waves waving greets greeting")),
    ("sit", _set("sit sits sitting seated perched meditates meditating")),
    (
        "run",
        _set("run runs running sprints sprinting jogs jogging races racing chases"),
    ),
    ("walk", _set("walk walks walking strolls strolling wanders wandering hikes")),
    ("kneel", _set("kneel kneels kneeling crouches crouching")),
)
#: The person's picture for each pose (a face for close framings).
POSE_PICTURES = {
    "stand": "\U0001f9cd",
    "walk": "\U0001f6b6",
    "run": "\U0001f3c3",
    "sit": "\U0001f9d8",
    "dance": "\U0001f483",
    "wave": "\U0001f64b",
    "kneel": "\U0001f9ce",
    "face": "\U0001f9d1",
}
_CHILD = _set("kid kids child children girl boy toddler teen teenager")
_CAMERA_WORDS = _set(
    "pan pans panning push tilt tilts dolly truck crane zoom zooms shot lens mm orbit orbiting "
    "arc tracking handheld drone aerial close-up wide framing"
)


@dataclass(frozen=True)
class Thing:
    """One thing the storyboard draws: what the prompt called it, its drawing (None: nothing
    matched, the fallback drawing stands in), how many, and whether it is the subject."""

    name: str
    entry: Entry | None
    count: int = 1
    subject: bool = False
    child: bool = False


@dataclass(frozen=True)
class Motion:
    """How the subject moves in a shot: ``kind`` is idle, cross, approach, rise, fall or
    circle; ``direction`` 1 left to right, -1 right to left; ``speed`` 1 normal; a person's
    ``pose``."""

    kind: str = "idle"
    direction: int = 1
    speed: float = 1.0
    pose: str = "stand"


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _matches(text: str) -> Iterable[tuple[Entry, str, int]]:
    """Each drawable thing ``text`` names, in order: (entry, words as written, count)."""
    words = _tokens(text)
    table = phrases()
    i = 0
    while i < len(words):
        for length in (4, 3, 2, 1):
            chunk = words[i : i + length]
            if len(chunk) < length:
                continue
            key = (*chunk[:-1], singular(chunk[-1]))
            entry = table.get(key) or table.get(tuple(chunk))
            after = words[i + length] if i + length < len(words) else ""
            if entry is None or after in _NOT_A_THING:
                continue
            before = words[max(0, i - 3) : i]
            yield entry, " ".join(chunk), _count(before, chunk[-1], key[-1])
            i += length - 1
            break
        i += 1


def _count(before: list[str], word: str, single: str) -> int:
    for previous in reversed(before):
        if previous.isdigit():
            return max(1, min(7, int(previous)))
        if previous in _NUMBERS:
            return _NUMBERS[previous]
    if word in GROUPS:
        return GROUPS[word]
    return 3 if word != single else 1


def things_of(prompt: Prompt) -> tuple[Thing, ...]:
    """The subject and up to three other things ``prompt`` names, subject first."""
    subject_text = prompt.subject or ""
    found: dict[str, Thing] = {}
    for entry, words, count in _matches(subject_text):
        if entry.key in found:
            # "a man and a woman": one drawing, shown twice.
            known = found[entry.key]
            found[entry.key] = Thing(known.name, entry, min(7, known.count + count), known.subject)
            continue
        child = bool(set(words.split()) & _CHILD)
        found[entry.key] = Thing(words, entry, count, subject=not found, child=child)
    things = list(found.values())
    name = " ".join(w for w in _tokens(subject_text) if w not in _ARTICLES)[:40]
    if not things and name:
        # A subject no drawing matches: the stand-in, labelled with its name.
        things.append(Thing(name, None, 1, subject=True))
    rest = [*prompt.action, prompt.scene.setting or "", prompt.prose or ""]
    rest += [" ".join([s.description or "", *s.action]) for s in prompt.shots]
    for text in rest:
        for entry, words, count in _matches(text):
            if len(things) >= MOST:
                break
            if entry.key not in {t.entry.key for t in things if t.entry}:
                child = bool(set(words.split()) & _CHILD)
                things.append(Thing(words, entry, count, subject=not things, child=child))
    return tuple(things)


def weather_of(prompt: Prompt) -> frozenset[str]:
    """The weather effects drawn over the scene: rain, snow, fog, wind and lightning."""
    texts = [prompt.scene.weather, prompt.prose, prompt.scene.setting, prompt.subject]
    texts += [s.description for s in prompt.shots]
    words = {w for text in texts if text for w in _tokens(text)}
    return frozenset(effect for effect, vocabulary in WEATHER_EFFECTS.items() if words & vocabulary)


def _action_text(prompt: Prompt, shot: Shot) -> str:
    """The words that say what the subject does: the action clauses, else the describing
    clauses with those about the camera left out."""
    said = " ".join([*shot.action, *prompt.action, prompt.subject or ""])
    clauses = re.split(r"[,.;]", " ".join([shot.description or "", prompt.prose or ""]))
    kept = [c for c in clauses if not set(_tokens(c)) & _CAMERA_WORDS]
    # "snow falling", "leaves drifting": the weather moves, not the subject.
    return _WEATHER_MOVES.sub(" ", f"{said} {' '.join(kept)}".lower())


def motion_of(prompt: Prompt, shot: Shot) -> Motion:
    """How the subject moves in ``shot``: the action's verb sets the path, adverbs the speed."""
    text = _action_text(prompt, shot)
    words = set(_tokens(text))
    pose = next((name for name, verbs in _POSES if words & verbs), "stand")
    kind = "idle"
    if _TOWARDS.search(text):
        kind = "approach"
    else:
        kind = next((name for name, verbs in _MOTIONS if words & verbs), "idle")
        if kind == "rise" and "takes" in words and "off" not in words:
            kind = "idle"
    if pose in ("sit", "dance", "wave", "kneel") and kind == "cross":
        kind = "idle"  # "dancing across" still dances; a seated figure does not travel
    speed = 0.5 if words & _SLOW else 1.8 if words & _FAST else 1.0
    direction = -1 if _LEFTWARDS.search(text) else 1
    if kind == "cross" and pose == "stand":
        pose = "walk"
    return Motion(kind, direction, speed, pose)
