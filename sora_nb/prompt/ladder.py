"""The ladder: short, medium and long versions of one Prompt, the axis of the prompt-length test.

Short prompts leave the model free; long ones constrain it. A ladder derives the shorter
rungs by dropping the lowest-priority clauses first, from the structured fields and from the
prose alike. Prose is cut clause by clause (at semicolons and sentence ends) and never
reworded, so every rung still reads in the user's own words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from sora_nb.prompt import extract
from sora_nb.prompt.model import Audio, Camera, Lighting, Prompt, Scene, Shot
from sora_nb.prompt.parse import enrich, parse, prose_reading
from sora_nb.prompt.render import render
from sora_nb.prompt.vocabulary import MOOD, STYLE

#: Clauses from most to least important; a rung keeps a prefix of this list.
PRIORITY: tuple[str, ...] = (
    "subject",
    "action",
    "setting",
    "framing",
    "style",
    "time_of_day",
    "movement",
    "lighting",
    "weather",
    "mood",
    "angle",
    "lens",
    "palette",
    "dialogue",
    "sound",
    "focus",
    "lighting_detail",
    "camera_detail",
    "details",
    "avoid",
)
#: What every rung keeps, the shortest included.
BASE: frozenset[str] = frozenset({"subject", "action", "setting"})

_CAMERA_CLAUSE = {
    "framing": "framing",
    "movement": "movement",
    "angle": "angle",
    "lens_mm": "lens",
    "aperture": "focus",
    "depth_of_field": "focus",
    "rig": "camera_detail",
    "shutter": "camera_detail",
    "film_stock": "camera_detail",
    "notes": "camera_detail",
}
_LIGHTING_CLAUSE = {
    "key": "lighting",
    "direction": "lighting_detail",
    "quality": "lighting_detail",
    "sources": "lighting_detail",
}
_PROSE_PIECES = re.compile(r"(;\s*|\n+|(?<=[.!?])\s+)")
_WORDS = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")


class LadderVariant(BaseModel):
    """One rung of the ladder: its prompt, its text, and how long that text is."""

    model_config = ConfigDict(frozen=True)

    #: The rung's name: "short", "medium", "long" for three levels, else "L1", "L2"...
    level: str
    #: 1 for the shortest rung.
    index: int = Field(ge=1)
    prompt: Prompt
    text: str
    words: int
    #: An estimate (about four characters a token for English), for comparing rungs.
    tokens: int
    #: The clauses this rung keeps and drops, by name (see :data:`PRIORITY`).
    kept: list[str]
    dropped: list[str]


def word_count(text: str) -> int:
    """The number of words in ``text`` (bullets and punctuation are not words)."""
    return len(_WORDS.findall(text))


def estimate_tokens(text: str) -> int:
    """A rough token count for ``text``: about four characters per token in English."""
    return math.ceil(len(text) / 4) if text.strip() else 0


def level_names(levels: int) -> list[str]:
    """The rung names of a ladder of ``levels`` rungs: short/medium/long for three."""
    named = {1: ["long"], 2: ["short", "long"], 3: ["short", "medium", "long"]}
    return named.get(levels, [f"L{i}" for i in range(1, levels + 1)])


def ladder(prompt: Prompt | str, levels: int = 3) -> list[LadderVariant]:
    """Variants of ``prompt`` from short to long, each strictly more words than the one before.

    The longest is the whole prompt: for text, the text itself, character for character. The
    shortest keeps subject, action and setting (or, lacking all three, the most important
    clause there is); rungs in between keep evenly more of :data:`PRIORITY`. Shorter rungs
    only leave clauses out, never reword them. A prompt with few clauses cannot fill many
    rungs: a rung that would be no longer than the one below it is left out, so fewer than
    ``levels`` variants may come back (the longest is always there).
    """
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 1:
        raise ValueError(
            "levels is a whole number of rungs, 1 or more (3 gives short/medium/long); "
            f"got {levels!r}"
        )
    if isinstance(prompt, str):
        present = [c for c in PRIORITY if c in _prose_names(prompt)]
    else:
        present = [c for c in PRIORITY if c in clauses_of(prompt)]
        # A field the prose already says is part of that prose: it goes when its clause goes,
        # so it never turns up reworded as a label of its own in a shorter rung.
        owned = _unsaid(prompt)
    # Without subject, action or setting the shortest rung keeps the most important clause
    # there is, so that no rung is empty.
    base = [c for c in present if c in BASE] or present[:1]
    extra = [c for c in present if c not in base]
    names = level_names(levels)
    rungs: list[LadderVariant] = []
    for i, name in enumerate(names):
        whole = i == levels - 1
        keep = (
            set(present)
            if whole
            else set(base) | set(extra[: round(i * len(extra) / (levels - 1))])
        )
        if isinstance(prompt, str):
            # The user's own text, clauses left out; what it says is read back from it.
            text = prompt if whole else (_cut_prose(prompt, keep) or "")
            variant = parse(text)
        else:
            # Enrich so the rung's fields say what its own (shorter) prose says.
            variant = prompt if whole else enrich(cut(owned, keep))
            text = render(variant)
        rungs.append(
            LadderVariant(
                level=name,
                index=i + 1,
                prompt=variant,
                text=text,
                words=word_count(text),
                tokens=estimate_tokens(text),
                kept=[c for c in present if c in keep],
                dropped=[c for c in present if c not in keep],
            )
        )
    # Keep the longest, then each rung strictly shorter than the one kept above it; of two
    # rungs of equal length below the longest, the lower name ("short") describes it best.
    kept: list[LadderVariant] = []
    for rung in reversed(rungs):
        if rung.words == 0 and kept:
            continue
        if not kept or rung.words < kept[-1].words:
            kept.append(rung)
        elif rung.words == kept[-1].words and len(kept) > 1:
            kept[-1] = rung
    return kept[::-1]


def clauses_of(prompt: Prompt) -> set[str]:
    """The names of the clauses ``prompt`` has, structured or in its prose."""
    found: set[str] = set()
    for name, present in _field_clauses(prompt):
        if present:
            found.add(name)
    for text in (prompt.prose, *(s.description for s in prompt.shots)):
        for _piece, names in _named_pieces(text or ""):
            found |= names
    return found


def cut(prompt: Prompt, keep: Iterable[str]) -> Prompt:
    """A copy of ``prompt`` with only the clauses named in ``keep`` (prose cut clause by clause)."""
    k = set(keep)
    camera = _cut_camera(prompt.camera, k)
    lighting = _cut_lighting(prompt.lighting, k)
    return Prompt(
        prose=_cut_prose(prompt.prose, k),
        style=prompt.style if "style" in k else None,
        scene=Scene(
            setting=prompt.scene.setting if "setting" in k else None,
            time_of_day=prompt.scene.time_of_day if "time_of_day" in k else None,
            weather=prompt.scene.weather if "weather" in k else None,
        ),
        subject=prompt.subject if "subject" in k else None,
        action=list(prompt.action) if "action" in k else [],
        camera=camera,
        lighting=lighting,
        palette=list(prompt.palette) if "palette" in k else [],
        mood=prompt.mood if "mood" in k else None,
        audio=prompt.audio.model_copy(deep=True) if "sound" in k else Audio(),
        dialogue=list(prompt.dialogue) if "dialogue" in k else [],
        avoid=list(prompt.avoid) if "avoid" in k else [],
        shots=[
            Shot(
                description=_cut_prose(s.description, k),
                camera=_cut_camera(s.camera, k),
                action=list(s.action) if "action" in k else [],
                lighting=_cut_lighting(s.lighting, k),
                seconds=s.seconds,
            )
            for s in prompt.shots
        ],
    )


def _prose_names(text: str) -> set[str]:
    """The clause names the pieces of ``text`` hold."""
    found: set[str] = set()
    for _piece, names in _named_pieces(text):
        found |= names
    return found


def _unsaid(prompt: Prompt) -> Prompt:
    """``prompt`` without the fields whose value is only what its prose already says."""
    r = prose_reading(prompt)
    data = prompt.model_dump()
    said: list[tuple[dict[str, object], str, object]] = [
        (data, "style", r.style),
        (data, "subject", r.subject),
        (data, "mood", r.mood),
        (data, "palette", r.palette),
        (data, "action", r.action),
        (data["scene"], "setting", r.setting),
        (data["scene"], "time_of_day", r.time_of_day),
        (data["scene"], "weather", r.weather),
        (data["audio"], "ambience", r.ambience),
        (data["audio"], "effects", r.effects),
        (data["audio"], "music", r.music),
    ]
    said += [(data["camera"], k, v) for k, v in r.camera.items()]
    said += [(data["lighting"], k, v) for k, v in r.lighting.items()]
    for where, key, value in said:
        if value not in (None, "", []) and where.get(key) == value:
            where[key] = [] if isinstance(value, list) else None
    return Prompt.model_validate(data)


def _field_clauses(p: Prompt) -> list[tuple[str, bool]]:
    pairs: list[tuple[str, bool]] = [
        ("subject", bool(p.subject)),
        ("action", bool(p.action) or any(s.action for s in p.shots)),
        ("setting", bool(p.scene.setting)),
        ("style", bool(p.style)),
        ("time_of_day", bool(p.scene.time_of_day)),
        ("weather", bool(p.scene.weather)),
        ("mood", bool(p.mood)),
        ("palette", bool(p.palette)),
        ("dialogue", bool(p.dialogue)),
        ("sound", not p.audio.is_empty()),
        ("avoid", bool(p.avoid)),
    ]
    for camera in (p.camera, *(s.camera for s in p.shots)):
        pairs += [(c, getattr(camera, f) is not None) for f, c in _CAMERA_CLAUSE.items()]
    for lighting in (p.lighting, *(s.lighting for s in p.shots)):
        pairs += [(c, bool(getattr(lighting, f))) for f, c in _LIGHTING_CLAUSE.items()]
    return pairs


def _cut_camera(camera: Camera, keep: set[str]) -> Camera:
    return Camera.model_validate(
        {f: getattr(camera, f) for f, c in _CAMERA_CLAUSE.items() if c in keep}
    )


def _cut_lighting(lighting: Lighting, keep: set[str]) -> Lighting:
    return Lighting.model_validate(
        {f: getattr(lighting, f) for f, c in _LIGHTING_CLAUSE.items() if c in keep}
    )


def _prose_clause_names(piece: str, *, first: bool) -> set[str]:
    """Which clause a piece of prose is: the subject's, a camera note, light, sound..."""
    if extract.SOUND_WORDS.search(piece) and not extract.LIGHT_WORDS.search(piece):
        return {"sound"}
    if extract.PALETTE_WORDS.search(piece) and extract.colours(piece):
        return {"palette"}
    if extract.describes_scene(piece):
        if extract.LIGHT_WORDS.search(piece) and not first:
            return {"lighting"}
        if first:
            return {"subject"}
        _, action, _ = extract.describe(piece)
        if action:
            return {"action"}
        names = {"details"}
        if MOOD.first(piece):
            names.add("mood")
        if STYLE.first(piece):
            names.add("style")
        return names
    names = {_CAMERA_CLAUSE[k] for k in extract.read_camera(piece)}
    return names or {"details"}


def _named_pieces(text: str) -> list[tuple[str, set[str]]]:
    """``text`` cut into clauses, each with its separator kept and the clause names it holds."""
    parts = _PROSE_PIECES.split(text)
    pieces: list[tuple[str, set[str]]] = []
    first = True
    for i in range(0, len(parts), 2):
        piece, sep = parts[i], parts[i + 1] if i + 1 < len(parts) else ""
        if not piece.strip(" ,."):
            continue
        names = _prose_clause_names(piece.strip(" ,."), first=first)
        if "subject" in names:
            first = False
        pieces.append((piece + sep, names))
    return pieces


def _cut_prose(text: str | None, keep: set[str]) -> str | None:
    """``text`` with the clauses ``keep`` does not name removed, the rest verbatim."""
    if not text:
        return text
    out = [piece for piece, names in _named_pieces(text) if names & keep]
    result = "".join(out).rstrip(" ;,\n")
    if result and text.rstrip().endswith(".") and not result.endswith((".", "!", "?")):
        result += "."
    return result or None
