"""The prompt language: a shot as editable clauses, text <-> Prompt, the ladder, lint.

Knows nothing of notebooks or HTTP; imports only the standard library and pydantic.
"""

from __future__ import annotations

from sora_nb.prompt.interpolate import InterpolationError, interpolate
from sora_nb.prompt.ladder import LadderVariant, estimate_tokens, ladder, word_count
from sora_nb.prompt.lint import LintIssue, lint
from sora_nb.prompt.model import Audio, Camera, DialogueLine, Lighting, Prompt, Scene, Shot
from sora_nb.prompt.parse import parse
from sora_nb.prompt.render import render
from sora_nb.prompt.vocabulary import (
    ANGLE,
    APERTURE_STOPS,
    COLOURS,
    DEPTH_OF_FIELD,
    FILM_STOCKS,
    FRAMING,
    LENS_RANGE_MM,
    MOVEMENT,
    RIG,
    TIME_OF_DAY,
    VOCABULARIES,
    WEATHER,
    Term,
    Vocabulary,
    lookup,
)

__all__ = [
    "ANGLE",
    "APERTURE_STOPS",
    "COLOURS",
    "DEPTH_OF_FIELD",
    "FILM_STOCKS",
    "FRAMING",
    "LENS_RANGE_MM",
    "MOVEMENT",
    "RIG",
    "TIME_OF_DAY",
    "VOCABULARIES",
    "WEATHER",
    "Audio",
    "Camera",
    "DialogueLine",
    "InterpolationError",
    "LadderVariant",
    "Lighting",
    "LintIssue",
    "Prompt",
    "Scene",
    "Shot",
    "Term",
    "Vocabulary",
    "estimate_tokens",
    "interpolate",
    "ladder",
    "lint",
    "lookup",
    "parse",
    "render",
    "word_count",
]
