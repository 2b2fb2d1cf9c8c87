"""The camera, light and scene vocabulary: canonical slugs, human labels, and the words for them.

A slug (``push-in``) is what a :class:`~sora_nb.prompt.model.Prompt` stores; a label
("Push-in (dolly in)") is what :func:`~sora_nb.prompt.render.render` writes; aliases are the
words people type ("dolly in", "slow push"). Every vocabulary is extensible with
:meth:`Vocabulary.add`, and fields that hold these values accept free text the vocabulary lacks.

Scanning uses one compiled alternation per vocabulary (longest alias first), so finding every
term in a 32000-character prompt is a single linear pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True)
class Term:
    """One vocabulary entry: its slug, its human label and the words that mean it."""

    slug: str
    label: str
    aliases: tuple[str, ...] = ()
    #: Words too ambiguous to spot inside prose ("pan", "wide", "crane"), matched only as a
    #: whole clause value ("Camera movement: pan").
    exact_only: tuple[str, ...] = ()


_DASHES = re.compile(r"[-_‐–]+")


def _norm(text: str) -> str:
    """Lower-case, hyphens and underscores as spaces, runs of whitespace as one space."""
    return " ".join(_DASHES.sub(" ", text.lower()).split())


_WORD_SPLIT = re.compile(r"[^a-z0-9'’]+")


def _split_words(text: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(text.lower()) if w] or [""]


@lru_cache(maxsize=512)
def text_words(text: str) -> frozenset[str]:
    """The lower-case words of ``text`` (cached: one prompt is scanned by many vocabularies)."""
    return frozenset(_WORD_SPLIT.split(text.lower()))


@dataclass
class Vocabulary:
    """A named set of :class:`Term`; look words up, scan text, add your own terms."""

    kind: str
    terms: dict[str, Term] = field(default_factory=dict)
    _index: dict[str, str] = field(default_factory=dict, repr=False)
    _scannable: set[str] = field(default_factory=set, repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)
    _first_words: frozenset[str] | None = field(default=None, repr=False)
    _words: frozenset[str] | None = field(default=None, repr=False)
    #: Grows by one with every :meth:`add`, so caches built from this vocabulary know to rebuild.
    version: int = field(default=0, repr=False)

    def add(
        self,
        slug: str,
        label: str | None = None,
        aliases: Iterable[str] = (),
        exact_only: Iterable[str] = (),
    ) -> Term:
        """Add (or extend) a term so parse recognises its words and render writes its label.

        ``aliases`` are spotted anywhere in prose; ``exact_only`` words are too ambiguous for
        that ("pan", "wide") and count only when they are a clause's whole value.
        """
        slug = slug.strip()
        if not slug:
            raise ValueError(f"a {self.kind} term needs a non-empty slug")
        old = self.terms.get(slug)
        words = (*(old.aliases if old else ()), *aliases)
        exact = (*(old.exact_only if old else ()), *exact_only)
        label = label or (old.label if old else slug.replace("-", " ").capitalize())
        term = Term(slug, label, words, exact)
        self.terms[slug] = term
        for word in (slug, label, *words, *exact):
            self._index.setdefault(_norm(word), slug)
        exact_words = {_norm(w) for w in exact}
        self._scannable.update(_norm(w) for w in words)
        self._scannable.update(w for w in (_norm(slug), _norm(label)) if w not in exact_words)
        # Rebuilt lazily on the next scan.
        self._pattern, self._first_words, self._words = None, None, None
        self.version += 1
        return term

    def label(self, slug: str) -> str:
        """The human label of ``slug``, or ``slug`` itself when it is free text."""
        term = self.terms.get(slug)
        return term.label if term else slug

    def lookup(self, words: str) -> str | None:
        """The slug that ``words`` names exactly ("dolly in" -> "push-in"), else None."""
        return self._index.get(_norm(words))

    def canonical(self, words: str) -> str:
        """The slug for ``words`` when the vocabulary knows them, else the words unchanged."""
        return self.lookup(words) or words.strip()

    def scan(self, text: str) -> Iterator[tuple[str, re.Match[str]]]:
        """Every term named in ``text``, in order of appearance, as (slug, match)."""
        # A term can only match where its first word occurs; checking the text's word set
        # first skips the big alternation for most texts (most name few terms).
        if self.first_words.isdisjoint(text_words(text)):
            return
        for match in self.pattern.finditer(text):
            slug = self._index.get(_norm(match.group(0)))
            if slug is not None:
                yield slug, match

    def first(self, text: str) -> str | None:
        """The first term named in ``text``, or None."""
        return next((slug for slug, _ in self.scan(text)), None)

    @property
    def first_words(self) -> frozenset[str]:
        """The first word of every term that can be spotted in prose."""
        if self._first_words is None:
            self._first_words = frozenset(_split_words(w)[0] for w in self._scannable if w)
        return self._first_words

    @property
    def words(self) -> frozenset[str]:
        """Every word of every term that can be spotted in prose."""
        if self._words is None:
            self._words = frozenset(x for w in self._scannable for x in _split_words(w))
        return self._words

    @property
    def pattern(self) -> re.Pattern[str]:
        if self._pattern is None:
            words = sorted(self._scannable, key=len, reverse=True)
            # Hyphens, underscores and spaces are interchangeable inside a term.
            alts = (r"[\s\-_‐–]+".join(re.escape(p) for p in w.split(" ")) for w in words)
            self._pattern = re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])", re.I)
        return self._pattern

    def __contains__(self, slug: object) -> bool:
        return slug in self.terms

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms.values())


def _vocab(kind: str, entries: Iterable[tuple[str, str, tuple[str, ...]]]) -> Vocabulary:
    vocab = Vocabulary(kind)
    for slug, label, aliases in entries:
        vocab.add(
            slug,
            label,
            [a for a in aliases if not a.startswith("=")],
            [a[1:] for a in aliases if a.startswith("=")],
        )
    return vocab


FRAMING = _vocab(
    "framing",
    [
        (
            "extreme-wide",
            "Extreme wide shot",
            ("extreme wide shot", "extreme long shot", "=extreme wide", "=ews", "=els"),
        ),
        (
            "wide",
            "Wide shot",
            (
                "wide shot",
                "wide establishing",
                "establishing shot",
                "wide establishing shot",
                "=wide",
                "=long shot",
                "=full shot",
                "=ws",
            ),
        ),
        (
            "medium-wide",
            "Medium wide shot",
            ("medium wide shot", "medium long shot", "cowboy shot", "=medium wide"),
        ),
        ("medium", "Medium shot", ("medium shot", "mid shot", "waist shot", "=medium", "=ms")),
        ("medium-close-up", "Medium close-up", ("medium close up", "medium closeup", "mcu")),
        ("close-up", "Close-up", ("close up", "closeup", "close up shot", "tight shot", "=cu")),
        (
            "extreme-close-up",
            "Extreme close-up",
            ("extreme close up", "extreme closeup", "ecu", "macro shot"),
        ),
        ("over-the-shoulder", "Over-the-shoulder shot", ("over the shoulder", "ots")),
        ("pov", "Point-of-view shot", ("pov", "point of view", "first person", "pov shot")),
        (
            "aerial",
            "Aerial shot",
            ("aerial view", "aerial shot", "bird's eye view", "birds eye view", "=aerial"),
        ),
    ],
)

ANGLE = _vocab(
    "angle",
    [
        ("eye-level", "Eye-level angle", ("eye level", "eye-level shot", "eye level angle")),
        ("low", "Low angle", ("low angle", "low angle shot", "worm's eye view", "=low")),
        ("high", "High angle", ("high angle", "high angle shot", "=high")),
        (
            "overhead",
            "Overhead angle",
            ("top down", "top-down shot", "overhead shot", "overhead angle", "=overhead"),
        ),
        (
            "dutch",
            "Dutch angle",
            ("dutch angle", "dutch tilt", "canted angle", "=canted", "=dutch"),
        ),
    ],
)

MOVEMENT = _vocab(
    "movement",
    [
        (
            "static",
            "Static (locked off)",
            (
                "locked off",
                "static camera",
                "static shot",
                "locked camera",
                "fixed camera",
                "no camera movement",
                "=static",
            ),
        ),
        (
            "pan",
            "Pan",
            ("pans", "panning", "slow pan", "whip pan", "pan left", "pan right", "=pan"),
        ),
        ("tilt", "Tilt", ("tilts up", "tilts down", "tilt up", "tilt down", "slow tilt", "=tilt")),
        (
            "push-in",
            "Push-in (dolly in)",
            (
                "push in",
                "pushes in",
                "slow push",
                "slow push in",
                "dolly in",
                "dollies in",
                "dolly forward",
                "creep in",
            ),
        ),
        (
            "pull-out",
            "Pull-out (dolly out)",
            (
                "pull out",
                "pulls out",
                "pull back",
                "pulls back",
                "dolly out",
                "dolly back",
                "slow pull back",
            ),
        ),
        (
            "truck",
            "Truck (lateral dolly)",
            (
                "truck left",
                "truck right",
                "trucking shot",
                "lateral dolly",
                "dolly left",
                "dolly right",
                "slow dolly left",
                "slow dolly right",
                "=truck",
                "=crab",
            ),
        ),
        (
            "orbit",
            "Orbit (arc)",
            ("orbits", "orbiting", "orbit shot", "arc shot", "arcs around", "=orbit", "=arc"),
        ),
        (
            "crane",
            "Crane",
            ("crane up", "crane down", "crane shot", "jib up", "boom up", "=crane", "=jib"),
        ),
        (
            "handheld",
            "Handheld",
            (
                "handheld",
                "hand held",
                "camera shake",
                "natural camera shake",
                "shaky cam",
                "shaky camera",
                "handheld camera",
            ),
        ),
        ("drone", "Drone", ("drone shot", "fpv drone", "flyover", "fly through", "=drone")),
        (
            "tracking",
            "Tracking",
            (
                "tracking shot",
                "tracking left to right",
                "tracking right to left",
                "follow cam",
                "following shot",
                "tracks alongside",
                "=tracking",
                "=follows",
                "=tracks",
            ),
        ),
    ],
)

RIG = _vocab(
    "rig",
    [
        ("handheld", "Handheld", ("shoulder rig", "=handheld", "=hand held")),
        ("tripod", "Tripod", ("on a tripod", "tripod shot", "=tripod", "=sticks")),
        ("dolly", "Dolly", ("dolly track", "on a dolly", "on a slider", "=dolly", "=slider")),
        ("steadicam", "Steadicam", ("steadicam", "gimbal", "=stabilizer", "=stabiliser")),
        ("crane", "Crane", ("jib arm", "technocrane", "=crane")),
        ("drone", "Drone", ("quadcopter", "=drone")),
    ],
)

DEPTH_OF_FIELD = _vocab(
    "depth_of_field",
    [
        (
            "shallow",
            "Shallow depth of field",
            (
                "shallow depth of field",
                "shallow dof",
                "shallow focus",
                "bokeh",
                "blurred background",
                "=shallow",
            ),
        ),
        (
            "deep",
            "Deep focus",
            ("deep focus", "deep depth of field", "deep dof", "everything in focus", "=deep"),
        ),
    ],
)

TIME_OF_DAY = _vocab(
    "time_of_day",
    [
        ("dawn", "Dawn", ("dawn", "daybreak", "first light", "sunrise")),
        ("morning", "Morning", ("morning", "early morning", "mid morning")),
        ("midday", "Midday", ("midday", "noon", "midday sun", "high noon", "noon sun")),
        ("afternoon", "Afternoon", ("afternoon", "late afternoon")),
        ("golden-hour", "Golden hour", ("golden hour", "sunset", "magic hour")),
        ("dusk", "Dusk", ("dusk", "twilight", "nightfall")),
        ("blue-hour", "Blue hour", ("blue hour",)),
        (
            "night",
            "Night",
            ("night", "nighttime", "night time", "neon night", "midnight", "at night"),
        ),
    ],
)

WEATHER = _vocab(
    "weather",
    [
        ("clear", "Clear", ("clear sky", "clear skies", "cloudless", "sunny", "=clear")),
        ("overcast", "Overcast", ("overcast", "cloudy", "grey sky", "gray sky")),
        ("rain", "Rain", ("rain", "rainy", "raining", "drizzle", "downpour", "rain-soaked")),
        ("storm", "Storm", ("stormy", "thunderstorm", "storm", "lightning storm")),
        ("fog", "Fog", ("fog", "foggy", "mist", "misty", "haze", "hazy")),
        ("snow", "Snow", ("snow", "snowy", "snowing", "snowfall", "blizzard")),
        ("wind", "Wind", ("wind", "windy", "gusty", "breeze", "breezy")),
    ],
)

#: Named colours a palette may use; CSS names plus the words colourists use.
COLOURS = _vocab(
    "colour",
    [
        (c, c, ())
        for c in (
            "amber",
            "teal",
            "deep navy",
            "navy",
            "cream",
            "walnut brown",
            "brown",
            "rust",
            "sand",
            "ochre",
            "crimson",
            "scarlet",
            "red",
            "orange",
            "gold",
            "golden",
            "yellow",
            "mustard",
            "olive",
            "green",
            "emerald",
            "sage",
            "mint",
            "cyan",
            "turquoise",
            "blue",
            "cobalt",
            "indigo",
            "violet",
            "purple",
            "magenta",
            "pink",
            "coral",
            "salmon",
            "peach",
            "ivory",
            "white",
            "off-white",
            "silver",
            "grey",
            "gray",
            "charcoal",
            "black",
            "slate",
            "burgundy",
            "maroon",
            "copper",
            "bronze",
            "tan",
            "beige",
            "lavender",
            "lilac",
            "neon pink",
            "neon green",
            "sodium orange",
            "warm white",
            "cool blue",
            "steel blue",
            "forest green",
            "bone",
            "terracotta",
            "pastel pink",
            "pastel blue",
        )
    ],
)

MOOD = _vocab(
    "mood",
    [
        (m, m, ())
        for m in (
            "tense",
            "melancholic",
            "melancholy",
            "nostalgic",
            "dreamy",
            "eerie",
            "joyful",
            "serene",
            "tender",
            "ominous",
            "playful",
            "hopeful",
            "somber",
            "sombre",
            "whimsical",
            "mysterious",
            "romantic",
            "triumphant",
            "peaceful",
            "calm",
            "frantic",
            "lonely",
            "uplifting",
            "gritty",
            "suspenseful",
            "contemplative",
            "intimate",
            "epic",
            "cozy",
            "bittersweet",
            "haunting",
            "energetic",
            "wistful",
            "quiet",
        )
    ],
)

STYLE = _vocab(
    "style",
    [
        (s, s, ())
        for s in (
            "cinematic",
            "photorealistic",
            "documentary",
            "anime",
            "claymation",
            "stop-motion",
            "film noir",
            "noir",
            "black-and-white",
            "black and white",
            "vintage commercial",
            "grainy vintage commercial",
            "imax-scale epic",
            "handheld smartphone",
            "found footage",
            "watercolor",
            "watercolour",
            "3d animation",
            "cel-shaded",
            "super 8",
            "vhs",
            "16 mm black-and-white",
            "1970s film",
            "1980s film",
            "1990s film",
            "music video",
            "nature documentary",
            "surreal",
            "pixel art",
        )
    ],
)

#: Every vocabulary by the Prompt field it fills, for :func:`lookup`.
#: Film emulations a studio offers as choices (free text: any other stock is kept as written).
FILM_STOCKS: tuple[str, ...] = (
    "Kodak Vision3 500T",
    "Kodak Vision3 250D",
    "Kodak Vision3 50D",
    "Kodak Portra 400",
    "Kodak Ektachrome 100D",
    "Fujifilm Eterna 500",
    "Ilford HP5 black-and-white",
    "Kodak Tri-X black-and-white",
    "Super 8 reversal",
    "16 mm grain",
)
#: Focal lengths a lens control spans, in millimetres (wide 12 mm to long 200 mm).
LENS_RANGE_MM: tuple[int, int] = (12, 200)
#: Whole aperture stops, f/1.4 to f/22.
APERTURE_STOPS: tuple[float, ...] = (1.4, 2.0, 2.8, 4.0, 5.6, 8.0, 11.0, 16.0, 22.0)


VOCABULARIES: dict[str, Vocabulary] = {
    v.kind: v
    for v in (
        FRAMING,
        ANGLE,
        MOVEMENT,
        RIG,
        DEPTH_OF_FIELD,
        TIME_OF_DAY,
        WEATHER,
        COLOURS,
        MOOD,
        STYLE,
    )
}


def lookup(words: str, kind: str | None = None) -> tuple[str, str] | None:
    """Map common words to ``(kind, slug)``: "dolly in" -> ("movement", "push-in").

    With ``kind`` only that vocabulary is asked; without it the first vocabulary that knows the
    words answers, in the order framing, angle, movement, rig, depth of field, time, weather...
    """
    if kind is not None:
        try:
            vocab = VOCABULARIES[kind]
        except KeyError:
            known = ", ".join(VOCABULARIES)
            raise KeyError(f"no vocabulary named {kind!r}; use one of: {known}") from None
        slug = vocab.lookup(words)
        return (kind, slug) if slug else None
    for vocab in VOCABULARIES.values():
        slug = vocab.lookup(words)
        if slug:
            return vocab.kind, slug
    return None
