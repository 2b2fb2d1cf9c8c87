"""Prompt -> text in the cookbook layout: prose, clauses, Cinematography, Actions, Dialogue,
Background Sound, then one block per shot.

The user's prose is written verbatim. A clause the prose already says (the same value parse
would read from it) is not repeated, so a rendered prompt reads like the user wrote it, with
only the extra clauses added. Every label comes from :mod:`sora_nb.prompt.labels`, the table
parse reads, which is why ``parse(render(p)) == p``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sora_nb.prompt import extract, model
from sora_nb.prompt.labels import LABELS
from sora_nb.prompt.model import Camera, Lighting, Prompt, Shot
from sora_nb.prompt.parse import prose_reading
from sora_nb.prompt.vocabulary import (
    ANGLE,
    DEPTH_OF_FIELD,
    FRAMING,
    MOVEMENT,
    RIG,
    TIME_OF_DAY,
    WEATHER,
)

_VOCAB_LABELS = {
    "framing": FRAMING,
    "angle": ANGLE,
    "movement": MOVEMENT,
    "depth_of_field": DEPTH_OF_FIELD,
    "rig": RIG,
    "time_of_day": TIME_OF_DAY,
    "weather": WEATHER,
}


def render(prompt: Prompt) -> str:
    """The prompt text to send: prose first, then the clauses, then each shot as its own block."""
    said = prose_reading(prompt)
    blocks: list[list[str]] = []
    if prompt.prose:
        blocks.append([prompt.prose])

    head: list[str] = []
    _line(head, "style", prompt.style, said.style)
    _line(head, "subject", prompt.subject, said.subject)
    _line(head, "setting", prompt.scene.setting, said.setting)
    _line(head, "time_of_day", prompt.scene.time_of_day, said.time_of_day)
    _line(head, "weather", prompt.scene.weather, said.weather)
    _line(head, "mood", prompt.mood, said.mood)
    blocks.append(head)

    cinematography = _camera_lines(prompt.camera, said.camera)
    cinematography += _lighting_lines(prompt.lighting, said.lighting)
    _line(cinematography, "palette", prompt.palette, said.palette, sep=", ")
    if cinematography:
        blocks.append([f"{LABELS['cinematography']}:", *cinematography])

    if prompt.action and prompt.action != said.action:
        blocks.append(_list_block("actions", prompt.action))
    if prompt.dialogue:
        lines = [f'- {d.speaker}: "{d.line}"' for d in prompt.dialogue]
        blocks.append([f"{LABELS['dialogue']}:", *lines])

    sound: list[str] = []
    _line(sound, "ambience", prompt.audio.ambience, said.ambience)
    _line(sound, "effects", prompt.audio.effects, said.effects)
    _line(sound, "music", prompt.audio.music, said.music)
    if sound:
        blocks.append([f"{LABELS['sound']}:", *sound])

    avoid: list[str] = []
    _line(avoid, "avoid", prompt.avoid, None)
    blocks.append(avoid)

    if prompt.shots:
        blocks.append([f"{LABELS['shots']}:"])
        blocks.extend(_shot_block(i, shot) for i, shot in enumerate(prompt.shots, 1))
    return "\n\n".join("\n".join(b) for b in blocks if b)


def render_shot_header(number: int, shot: Shot) -> str:
    """ "Shot 2 (4 s): description" (the description and duration when the shot has them)."""
    time = f" ({_num(shot.seconds)} s)" if shot.seconds else ""
    text = f" {shot.description}" if shot.description else ""
    return f"Shot {number}{time}:{text}"


def _shot_block(number: int, shot: Shot) -> list[str]:
    said = extract.read_prose(shot.description or "")
    lines = [render_shot_header(number, shot)]
    lines += _camera_lines(shot.camera, said.camera)
    lines += _lighting_lines(shot.lighting, said.lighting)
    if shot.action and shot.action != said.action:
        lines += _list_block("actions", shot.action)
    return lines


def _camera_lines(camera: Camera, said: dict[str, object]) -> list[str]:
    lines: list[str] = []
    for name in Camera.model_fields:
        _line(lines, name, getattr(camera, name), said.get(name))
    return lines


def _lighting_lines(lighting: Lighting, said: dict[str, object]) -> list[str]:
    lines: list[str] = []
    for name in Lighting.model_fields:
        _line(lines, name, getattr(lighting, name), said.get(name), sep="; ")
    return lines


def _line(lines: list[str], name: str, value: object, said: object, *, sep: str = "; ") -> None:
    """Append "Label: value" unless the value is empty or the prose already says it."""
    if value in (None, "", []) or value == said:
        return
    lines.append(f"{LABELS[name]}: {_format(name, value, sep)}")


def _format(name: str, value: object, sep: str) -> str:
    if isinstance(value, list):
        return sep.join(str(v) for v in value)
    if name == "lens_mm" and isinstance(value, float):
        return f"{_num(value)} mm"
    if name == "aperture" and isinstance(value, float):
        return f"f/{_num(value)}"
    vocab = _VOCAB_LABELS.get(name)
    return vocab.label(str(value)) if vocab else str(value)


def _list_block(name: str, items: Iterable[str]) -> list[str]:
    return [f"{LABELS[name]}:", *(f"- {item}" for item in items)]


def _num(value: float) -> str:
    """35.0 -> "35", 2.8 -> "2.8" (exactly, so parse reads back the same float)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


# Prompt.render and str(prompt) write text with this module's render (see
# sora_nb.prompt.model.writer).
model.writer = render
