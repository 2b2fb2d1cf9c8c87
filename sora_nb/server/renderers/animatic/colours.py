"""Colour words to RGB, and the sky and light each time of day gives a scene.

Pillow's ``ImageColor`` knows the CSS names; film and grading words it lacks (amber, teal,
rust, sand ...) come from a small table, and modifiers such as "deep", "pale" or "neon" shift
the base colour so "deep navy" and "pale gold" look like what they say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PIL import ImageColor

RGB = tuple[int, int, int]

#: Colour words used in grading and production design that CSS does not name.
FILM_COLOURS: dict[str, RGB] = {
    "amber": (255, 176, 0),
    "teal": (0, 128, 128),
    "rust": (183, 65, 14),
    "sand": (194, 178, 128),
    "ochre": (204, 119, 34),
    "sepia": (112, 66, 20),
    "cream": (255, 253, 208),
    "mustard": (225, 173, 1),
    "burgundy": (128, 0, 32),
    "mint": (152, 255, 152),
    "copper": (184, 115, 51),
    "bronze": (205, 127, 50),
    "charcoal": (54, 69, 79),
    "slate": (112, 128, 144),
    "ember": (226, 88, 34),
    "sodium": (255, 160, 60),
    "tungsten": (255, 190, 120),
    "sunset": (250, 110, 60),
    "neon": (255, 40, 200),
    "cyan": (0, 230, 255),
    "magenta": (255, 0, 200),
    "jade": (0, 168, 107),
    "cobalt": (0, 71, 171),
    "emerald": (80, 200, 120),
    "ivory": (255, 255, 240),
    "concrete": (149, 148, 139),
    "moss": (138, 154, 91),
    "peach": (255, 203, 164),
    "wine": (114, 47, 55),
    "denim": (21, 96, 189),
    "midnight": (25, 25, 70),
    "mauve": (224, 176, 255),
    "terracotta": (226, 114, 91),
    "gold": (255, 196, 60),
    "golden": (255, 190, 70),
    "pink": (255, 105, 180),
}

_MODIFIERS = {
    "deep": 0.55,
    "dark": 0.5,
    "dusty": 0.8,
    "muted": 0.85,
    "pale": 1.4,
    "light": 1.35,
    "soft": 1.2,
    "bright": 1.25,
    "neon": 1.3,
    "warm": 1.0,
    "cool": 1.0,
}
_WORD = re.compile(r"[a-z]+")


def _scale(colour: RGB, factor: float) -> RGB:
    if factor <= 1:
        return (
            round(colour[0] * factor),
            round(colour[1] * factor),
            round(colour[2] * factor),
        )
    # Lighten towards white rather than clipping, so "pale blue" stays blue.
    mix = min(1.0, factor - 1)
    return (
        round(colour[0] + (255 - colour[0]) * mix),
        round(colour[1] + (255 - colour[1]) * mix),
        round(colour[2] + (255 - colour[2]) * mix),
    )


def _base(word: str) -> RGB | None:
    if word in FILM_COLOURS:
        return FILM_COLOURS[word]
    try:
        value = ImageColor.getrgb(word)
    except ValueError:
        return None
    return (value[0], value[1], value[2])


def colour_rgb(name: str) -> RGB | None:
    """The RGB of a colour name such as "amber", "deep navy", "#ff8800" or "neon pink".

    Returns ``None`` for words that name no colour, so callers can skip them.
    """
    text = name.strip().lower()
    if text.startswith("#"):
        try:
            value = ImageColor.getrgb(text)
        except ValueError:
            return None
        return (value[0], value[1], value[2])
    words = _WORD.findall(text)
    if not words:
        return None
    joined = "".join(words)  # "dark slate gray" is CSS "darkslategray"
    colour = _base(joined)
    if colour is not None:
        return colour
    # The last colour word is the noun ("deep navy blue" -> blue, tinted by the rest).
    for i in range(len(words) - 1, -1, -1):
        colour = _base(words[i])
        if colour is not None:
            factor = 1.0
            for word in words[:i]:
                factor *= _MODIFIERS.get(word, 1.0)
            return _scale(colour, factor)
    return None


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """Blend two colours: ``t`` = 0 gives ``a``, 1 gives ``b``."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


@dataclass(frozen=True)
class TimeLook:
    """The sky and light of a time of day: sky top and horizon, sun height, light colour."""

    sky_top: RGB
    horizon: RGB
    sun_height: float  # 0 = on the horizon, 1 = high; negative = below (moon shown instead)
    light: RGB  # colour of the key light falling on the scene
    brightness: float  # overall exposure of the land and subject, 0..1


TIME_LOOKS: dict[str, TimeLook] = {
    "dawn": TimeLook((70, 80, 140), (250, 170, 150), 0.05, (255, 190, 170), 0.55),
    "morning": TimeLook((110, 170, 230), (220, 225, 235), 0.45, (255, 240, 220), 0.8),
    "midday": TimeLook((60, 140, 235), (200, 225, 250), 0.95, (255, 255, 245), 0.95),
    "afternoon": TimeLook((80, 150, 230), (225, 220, 200), 0.6, (255, 235, 200), 0.85),
    "golden-hour": TimeLook((235, 150, 70), (255, 205, 110), 0.12, (255, 180, 90), 0.8),
    "dusk": TimeLook((60, 50, 110), (235, 120, 90), -0.02, (220, 130, 120), 0.45),
    "blue-hour": TimeLook((20, 40, 100), (70, 100, 170), -0.1, (120, 150, 230), 0.35),
    "night": TimeLook((5, 8, 22), (25, 30, 60), -0.6, (110, 130, 200), 0.2),
}
DEFAULT_TIME = "afternoon"

#: Light words in a lighting clause and the key colour they suggest.
LIGHT_WORDS: dict[str, RGB] = {
    "warm": (255, 190, 120),
    "golden": (255, 185, 90),
    "sunrise": (255, 185, 120),
    "sunset": (255, 150, 80),
    "tungsten": (255, 180, 110),
    "candle": (255, 160, 70),
    "fire": (255, 130, 50),
    "sodium": (255, 160, 60),
    "cool": (170, 200, 255),
    "moonlight": (150, 170, 230),
    "moon": (150, 170, 230),
    "blue": (120, 150, 255),
    "daylight": (255, 250, 240),
    "overcast": (205, 210, 220),
    "neon": (255, 60, 210),
    "fluorescent": (210, 255, 230),
    "red": (255, 70, 60),
    "green": (90, 255, 140),
}


def light_colour(text: str) -> RGB | None:
    """The key colour a lighting phrase suggests ("warm lamp key" -> warm), or ``None``."""
    words = _WORD.findall(text.lower())
    found = [LIGHT_WORDS[w] for w in words if w in LIGHT_WORDS]
    if not found:
        return None
    r = sum(c[0] for c in found) / len(found)
    g = sum(c[1] for c in found) / len(found)
    b = sum(c[2] for c in found) / len(found)
    return (round(r), round(g), round(b))
