"""The words the storyboard reads, and the framings and moves the animatic can show.

Data for :mod:`sora_nb.server.renderers.animatic.storyboard` (which re-exports the public
tables): the scene kind a prompt's words call for, the sound cues they ask for, the moods that
set the music's tempo and key, and the caption label of each framing.
"""

from __future__ import annotations

#: Scene kinds the renderer can draw, and the words that call for each (first match wins).
SETTING_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "interior",
        frozenset(
            [
                "room",
                "kitchen",
                "office",
                "studio",
                "interior",
                "bedroom",
                "cafe",
                "café",
                "bar",
                "hallway",
                "corridor",
                "apartment",
                "library",
                "classroom",
                "diner",
                "restaurant",
                "living",
                "indoors",
                "inside",
                "lab",
            ]
        ),
    ),
    (
        "sea",
        frozenset(
            [
                "beach",
                "ocean",
                "sea",
                "coast",
                "shore",
                "harbor",
                "harbour",
                "waves",
                "surf",
                "pier",
                "bay",
            ]
        ),
    ),
    (
        "city",
        frozenset(
            [
                "city",
                "street",
                "streets",
                "alley",
                "alleyway",
                "rooftop",
                "downtown",
                "neon",
                "traffic",
                "avenue",
                "crosswalk",
                "sidewalk",
                "skyline",
                "tokyo",
                "metropolis",
                "urban",
                "market",
                "subway",
            ]
        ),
    ),
    (
        "forest",
        frozenset(["forest", "woods", "woodland", "trail", "trees", "jungle", "grove", "pines"]),
    ),
    ("desert", frozenset(["desert", "dunes", "dune", "sand", "canyon", "mesa"])),
    (
        "mountain",
        frozenset(["mountain", "mountains", "peak", "peaks", "alpine", "ridge", "valley", "cliff"]),
    ),
)

#: Sound cue slugs the audio synthesiser knows, and the words that ask for them.
SOUND_WORDS: dict[str, frozenset[str]] = {
    "rain": frozenset(
        ["rain", "raining", "rainfall", "drizzle", "downpour", "storm", "thunderstorm"]
    ),
    "wind": frozenset(["wind", "windy", "breeze", "gust", "gusts", "gale", "howling"]),
    "waves": frozenset(["waves", "wave", "surf", "ocean", "sea", "shore", "tide", "lapping"]),
    "city": frozenset(
        ["city", "traffic", "street", "horns", "horn", "sirens", "siren", "cars", "urban", "crowd"]
    ),
    "birdsong": frozenset(
        ["birdsong", "birds", "bird", "chirping", "chirp", "birdcall", "dawn", "chorus"]
    ),
    "footsteps": frozenset(["footsteps", "footstep", "steps", "step", "running", "run", "walking"]),
    "applause": frozenset(["applause", "clapping", "claps", "cheering", "cheers", "audience"]),
}

_CALM = frozenset(
    [
        "calm",
        "serene",
        "peaceful",
        "melancholic",
        "melancholy",
        "sad",
        "dreamy",
        "wistful",
        "nostalgic",
        "quiet",
        "gentle",
        "contemplative",
        "tender",
        "somber",
        "sombre",
        "lonely",
    ]
)
_FAST = frozenset(
    [
        "upbeat",
        "joyful",
        "energetic",
        "playful",
        "triumphant",
        "exciting",
        "hopeful",
        "happy",
        "frantic",
        "urgent",
        "chaotic",
        "tense",
        "thrilling",
        "action",
    ]
)
_MINOR = frozenset(
    [
        "sad",
        "melancholic",
        "melancholy",
        "tense",
        "ominous",
        "dark",
        "mysterious",
        "noir",
        "eerie",
        "somber",
        "sombre",
        "lonely",
        "suspenseful",
        "suspense",
        "dread",
    ]
)

FRAMING_LABELS = {
    "extreme-wide": "EXTREME WIDE",
    "wide": "WIDE",
    "medium-wide": "MEDIUM WIDE",
    "medium": "MEDIUM",
    "medium-close-up": "MEDIUM CLOSE-UP",
    "close-up": "CLOSE-UP",
    "extreme-close-up": "EXTREME CLOSE-UP",
    "over-the-shoulder": "OVER-THE-SHOULDER",
    "pov": "POV",
    "aerial": "AERIAL",
}
MOVES = (
    "static",
    "pan",
    "tilt",
    "push-in",
    "pull-out",
    "truck",
    "orbit",
    "crane",
    "handheld",
    "drone",
    "tracking",
)
