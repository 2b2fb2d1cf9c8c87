"""Recognise clauses inside free prose: framing, moves, lenses, light, sound, time and weather.

This never rewrites the user's words; it only reads them to fill Prompt fields the user did
not set explicitly. Every pattern is compiled once and applied in one pass per clause, so a
32000-character prompt is read in a few milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from sora_nb.prompt.subject import _words, describe
from sora_nb.prompt.vocabulary import (
    ANGLE,
    COLOURS,
    DEPTH_OF_FIELD,
    FRAMING,
    MOOD,
    MOVEMENT,
    RIG,
    STYLE,
    TIME_OF_DAY,
    VOCABULARIES,
    WEATHER,
    Vocabulary,
    text_words,
)

__all__ = [
    "LIGHT_WORDS",
    "PALETTE_WORDS",
    "SOUND_WORDS",
    "Reading",
    "camera_moves",
    "clauses",
    "colours",
    "describe",
    "describes_scene",
    "read_camera",
    "read_lighting",
    "read_prose",
    "read_sound",
    "unread_camera_words",
]

_SPLIT_CLAUSES = re.compile(r"[;\n]+|(?<=[.!?])\s+")
_LENS = re.compile(
    r"(?<![\w.])(\d{1,3}(?:\.\d+)?)\s?-?\s?mm\b(?!\s*(?:film|black|footage|stock|gauge|grain|b&w))",
    re.I,
)
_APERTURE = re.compile(r"(?<!\w)[fT]\s?/\s?(\d{1,2}(?:\.\d+)?)\b")
_SHUTTER = re.compile(
    r"(\d{2,3}\s?(?:°|-?\s?degrees?)|1/\d{2,4}(?:\s?s(?:ec)?)?)\s+shutter|shutter(?: angle| speed)?"
    r"(?: of| at)?\s+(\d{2,3}\s?(?:°|-?\s?degrees?)|1/\d{2,4})",
    re.I,
)
_FILM_STOCK = re.compile(
    r"\b(?:Kodak(?:\s+Vision\s?3)?\s+\w+|Fuji(?:film)?\s+\w+|Ilford\s+\w+|CineStill\s+\w+|"
    r"Ektachrome|Kodachrome|Portra\s+\d+|Tri-X(?:\s+\d+)?|Eterna(?:\s+\w+)?)",
    re.I,
)
_STOCK_WORDS = frozenset(
    {"kodak", "fuji", "fujifilm", "ilford", "cinestill", "ektachrome", "kodachrome", "portra"}
    | {"tri", "eterna"}
)


class _Words:
    """A kind of clause recognised by its words: exact words plus word beginnings.

    A set lookup and one ``str.startswith`` per word are much faster than a regex alternation
    of the same words, and parse asks this of every clause.
    """

    def __init__(self, exact: str, prefixes: str = "") -> None:
        self.exact = frozenset(exact.split())
        self.prefixes = tuple(prefixes.split())

    def search(self, text: str) -> bool:
        """True when ``text`` uses one of these words."""
        words = text_words(text)
        if not self.exact.isdisjoint(words):
            return True
        return bool(self.prefixes) and any(w.startswith(self.prefixes) for w in words)


LIGHT_WORDS = _Words(
    """light lights lit lighting glow glows glowing sunlight moonlight lamplight candlelight
    firelight backlit backlight fill shadow shadows silhouetted neon lamp lamps lantern lanterns
    practical practicals sunbeam sunbeams rays""",
    "illuminat flicker",
)
SOUND_WORDS = _Words(
    """sound sounds audio footsteps birdsong music score soundtrack song songs hum hums humming
    thunder silence piano strings synth synths guitar drum drums melody ambience ambient beep
    beeps gulls foghorn horn horns bell bells siren sirens engine engines birds crickets cicadas
    waves traffic applause laughter whistle whistles whistling barking""",
    "chirp hiss buzz crackl rustl echo chatter murmur patter roar click clatter creak chime howl "
    "orchestra whir rumbl splash knock",
)
_MUSIC_WORDS = re.compile(
    r"\b(?:music|score|soundtrack|songs?|piano|strings|synths?|guitar|drums|melody|orchestra\w*|"
    r"jazz|lullaby|hymn|choir)\b",
    re.I,
)
_AMBIENCE_WORDS = re.compile(
    r"\b(?:ambience|ambient|birdsong|birds?|traffic|wind|rain|crowd|chatter|room tone|waves|"
    r"surf|city|distant|hum|murmur\w*|insects|crickets|cicadas|forest|ocean|sea|silence|"
    r"thunder|hiss|drone|rumble|gulls|foghorns?|sirens?|applause|laughter|barking)\b",
    re.I,
)
_SOUND_LEAD = re.compile(
    r"^\s*(?:(?:background|ambient)?\s*(?:sound|sounds|audio)\s*(?:of|:)?|we hear|the sound of"
    r"|sound design:?)\s*",
    re.I,
)
_ITEM_SPLIT = re.compile(r"\s*(?:,|\band\b|&|\bwith\b|\bplus\b)\s*", re.I)
PALETTE_WORDS = _Words("palette colour colours color colors tones hues grade graded")
_DIRECTION_WORDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "back",
        re.compile(r"\b(?:backlit|backlight\w*|from behind|silhouett\w*|contre-?jour)\b", re.I),
    ),
    ("rim", re.compile(r"\brim(?:\s+light)?\b", re.I)),
    ("side", re.compile(r"\b(?:side\s?light\w*|sidelit|from the (?:side|left|right))\b", re.I)),
    ("top", re.compile(r"\b(?:top\s?light\w*|overhead light\w*|from above)\b", re.I)),
    ("front", re.compile(r"\b(?:front\s?light\w*|front-?lit)\b", re.I)),
    ("below", re.compile(r"\b(?:from below|underlit|uplight\w*)\b", re.I)),
]
_QUALITY_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("dappled", re.compile(r"\b(?:dappled|filter(?:ing|s|ed)? through)\b", re.I)),
    ("soft", re.compile(r"\b(?:soft|diffused?|gentle|wrapped)\b", re.I)),
    ("hard", re.compile(r"\b(?:hard|harsh|crisp|direct)\b", re.I)),
    ("flickering", re.compile(r"\bflicker\w*\b", re.I)),
]
#: Named light sources and the words that name them.
_SOURCES: list[tuple[str, frozenset[str]]] = [
    (name, frozenset(words.split()))
    for name, words in (
        ("sun", "sun sunlight sunrise sunset sunbeam sunbeams daylight"),
        ("moon", "moon moonlight moonlit"),
        ("window", "window windows"),
        ("lamp", "lamp lamps lamplight"),
        ("candle", "candle candles candlelight candlelit"),
        ("neon", "neon"),
        ("streetlights", "streetlight streetlights streetlamp streetlamps"),
        ("fire", "fire firelight campfire fireplace embers"),
        ("headlights", "headlight headlights"),
        ("practicals", "practical practicals"),
        ("lantern", "lantern lanterns"),
        ("screen", "screen screens monitor tv"),
        ("fluorescent", "fluorescent fluorescents"),
        ("torch", "torch flashlight"),
    )
]

_FILLER_WORDS = _words(
    """a an the slow slowly smooth smoothly gentle natural subtle camera shot lens with and on of
    in to then very some lots little slight slightly prime angle move moves mm"""
)
_CAMERA_WORDS: tuple[tuple[int, ...], frozenset[str]] = ((), frozenset())
# Words a camera clause uses that the fields hold (lens, aperture, shutter, depth of field).
_CAMERA_EXTRA_WORDS = _words(
    """mm lens focal length aperture shutter degree degrees depth field focus dof vision
    establishing level eye shot"""
)
_PARTS = re.compile(r"[,;]")
_LEADING_JOINER = re.compile(r"^(?:with|and|plus|using)\s+", re.I)
_SHORT_PARTS = re.compile(r"[,;\n]|\.(?:\s|$)")


@dataclass
class Reading:
    """What the prose says, field by field (None or empty when it says nothing)."""

    style: str | None = None
    subject: str | None = None
    action: list[str] = field(default_factory=list)
    setting: str | None = None
    time_of_day: str | None = None
    weather: str | None = None
    mood: str | None = None
    palette: list[str] = field(default_factory=list)
    camera: dict[str, object] = field(default_factory=dict)
    lighting: dict[str, object] = field(default_factory=dict)
    ambience: list[str] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)
    music: str | None = None

    def copy(self) -> Reading:
        """A copy whose lists and dicts can be changed without touching this one."""
        # Every field copied shallowly (so a new field is never forgotten), then each list
        # and dict copied; dataclasses.replace would re-run __init__ and is slower.
        new = object.__new__(Reading)
        new.__dict__.update(self.__dict__)
        new.action, new.palette = list(self.action), list(self.palette)
        new.ambience, new.effects = list(self.ambience), list(self.effects)
        new.camera = dict(self.camera)
        new.lighting = {k: list(v) if isinstance(v, list) else v for k, v in self.lighting.items()}
        return new


def clauses(text: str) -> list[str]:
    """Split prose into clauses at semicolons, line breaks and sentence ends."""
    return [c.strip(" ,.") for c in _SPLIT_CLAUSES.split(text) if c.strip(" ,.")]


def read_prose(text: str) -> Reading:
    """Everything recognisable in ``text``: subject, action, setting, camera, light, sound..."""
    global _VOCAB_VERSIONS
    versions = tuple(v.version for v in VOCABULARIES.values())
    if versions != _VOCAB_VERSIONS:
        _VOCAB_VERSIONS = versions
        _read_prose.cache_clear()  # readings made before a vocabulary grew are stale
    return _read_prose(text).copy()


_VOCAB_VERSIONS: tuple[int, ...] = ()


@lru_cache(maxsize=1024)
def _read_prose(text: str) -> Reading:
    # Cached because parse reads each shot's prose and render reads it again to know which
    # clauses the prose already says; callers get a copy, so the cached reading never changes.
    # A vocabulary that grows clears this cache (see read_prose).
    reading = Reading()
    if not text.strip():
        return reading
    reading.camera = read_camera(text)
    reading.time_of_day = TIME_OF_DAY.first(text)
    reading.weather = WEATHER.first(text)
    reading.mood = MOOD.first(text)
    reading.style = _first_text(STYLE, text)
    described = False
    for clause in clauses(text):
        if SOUND_WORDS.search(clause) and not LIGHT_WORDS.search(clause):
            read_sound(clause, reading)
        elif PALETTE_WORDS.search(clause) and any(True for _ in COLOURS.scan(clause)):
            reading.palette = reading.palette or colours(clause)
        elif LIGHT_WORDS.search(clause) and (described or not describes_scene(clause)):
            if not reading.lighting:
                reading.lighting = read_lighting(clause)
        elif not described and describes_scene(clause):
            described = True
            reading.subject, action, reading.setting = describe(clause)
            reading.action = [action] if action else []
    return reading


def describes_scene(clause: str) -> bool:
    """A clause that names who or what is on screen, not only camera words."""
    camera_words = _camera_words()
    return any(len(w) > 1 and w.isalpha() and w not in camera_words for w in text_words(clause))


def _camera_words() -> frozenset[str]:
    vocabs = (FRAMING, ANGLE, MOVEMENT, DEPTH_OF_FIELD, RIG)
    key = tuple(v.version for v in vocabs)  # rebuilt whenever a vocabulary grows
    global _CAMERA_WORDS
    if _CAMERA_WORDS[0] != key:
        _CAMERA_WORDS = (key, _FILLER_WORDS.union(*(v.words for v in vocabs)))
    return _CAMERA_WORDS[1]


def unread_camera_words(text: str) -> str | None:
    """The words of a camera clause that no camera field holds, so a composite
    "Lens: 32mm spherical prime" keeps "spherical prime" instead of losing it."""
    camera_words = _camera_words() | _STOCK_WORDS | _CAMERA_EXTRA_WORDS
    kept = []
    for part in _PARTS.split(text):
        rest = part
        for vocab in (FRAMING, ANGLE, MOVEMENT, DEPTH_OF_FIELD, RIG):
            if not vocab.first_words.isdisjoint(text_words(rest)):
                rest = vocab.pattern.sub(" ", rest)
        for pattern in (_LENS, _APERTURE, _SHUTTER, _FILM_STOCK):
            rest = pattern.sub(" ", rest)
        rest = _LEADING_JOINER.sub("", " ".join(rest.split()).strip(" ,.;:-"))
        if any(len(w) > 1 and w.isalpha() and w not in camera_words for w in text_words(rest)):
            kept.append(rest)
    return "; ".join(kept) or None


def _first_text(vocab: Vocabulary, text: str) -> str | None:
    """The words of the first term found, as the user wrote them."""
    for _slug, match in vocab.scan(text):
        return match.group(0)
    return None


def read_camera(text: str) -> dict[str, object]:
    """Camera fields named in ``text`` (the first of each kind wins)."""
    found: dict[str, object] = {}
    parts: list[str] | None = None
    for key, vocab in (
        ("framing", FRAMING),
        ("angle", ANGLE),
        ("movement", MOVEMENT),
        ("depth_of_field", DEPTH_OF_FIELD),
        ("rig", RIG),
    ):
        slug = vocab.first(text)
        if slug is None:
            # A short part that is exactly a camera word ("close-up, static") means the
            # camera even when the word alone is too ambiguous to spot in running prose.
            parts = _short_parts(text) if parts is None else parts
            slug = next((s for s in map(vocab.lookup, parts) if s), None)
        if slug is not None:
            found[key] = slug
    lower = text.lower()
    # Cheap substring checks first: most texts name no lens, aperture, shutter or stock.
    if "mm" in lower and (m := _LENS.search(text)) and float(m.group(1)) > 0:
        found["lens_mm"] = float(m.group(1))
    if "/" in lower and (m := _APERTURE.search(text)) and float(m.group(1)) > 0:
        found["aperture"] = float(m.group(1))
    if "shutter" in lower and (m := _SHUTTER.search(text)):
        found["shutter"] = (m.group(1) or m.group(2)).replace(" ", "")
    if not _STOCK_WORDS.isdisjoint(text_words(text)) and (m := _FILM_STOCK.search(text)):
        found["film_stock"] = m.group(0)
    return found


def _short_parts(text: str) -> list[str]:
    """The parts of ``text`` between commas, semicolons and full stops, of 1 to 3 words."""
    return [p for p in (x.strip() for x in _SHORT_PARTS.split(text)) if p and p.count(" ") < 3]


def camera_moves(text: str) -> list[str]:
    """Every distinct camera move named in ``text``, in order (for the one-move-per-shot lint)."""
    seen: list[str] = []
    for slug, _ in MOVEMENT.scan(text):
        if slug not in seen:
            seen.append(slug)
    return seen


def read_lighting(text: str) -> dict[str, object]:
    """A lighting clause as key (verbatim), direction, quality and named sources."""
    found: dict[str, object] = {"key": text.strip(" ,.;")}
    for name, pattern in _DIRECTION_WORDS:
        if pattern.search(text):
            found["direction"] = name
            break
    for name, pattern in _QUALITY_WORDS:
        if pattern.search(text):
            found["quality"] = name
            break
    words = text_words(text)
    sources = [name for name, names in _SOURCES if not names.isdisjoint(words)]
    if sources:
        found["sources"] = sources
    return found


def read_sound(text: str, into: Reading) -> None:
    """Sort a sound clause's items into ambience, effects and music."""
    text = _SOUND_LEAD.sub("", text, count=1)
    for item in _ITEM_SPLIT.split(text):
        item = item.strip(" .;:")
        if not item:
            continue
        if _MUSIC_WORDS.search(item):
            into.music = into.music or item
        elif _AMBIENCE_WORDS.search(item):
            into.ambience.append(item)
        else:
            into.effects.append(item)


def colours(text: str) -> list[str]:
    """The named colours in ``text``, in order, without repeats."""
    seen: list[str] = []
    for slug, _ in COLOURS.scan(text):
        if slug not in seen:
            seen.append(slug)
    return seen
