"""The studio's traits and the Prompt they hold, both ways.

The clause traits are typed: camera, scene, lighting and audio hold the prompt's own models,
shots a list of :class:`~sora_nb.prompt.Shot`, dialogue a list of
:class:`~sora_nb.notebook.widgets.state.DialogueRow`, so a bad value is refused when it is set.
What remains to check here is the one thing the controls can leave half done: a dialogue row
with a speaker and no line (or a line and no speaker) is kept out of the Prompt, with a lint
line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sora_nb.notebook.widgets.state import DialogueRow
from sora_nb.prompt import DialogueLine, Prompt, parse

#: The traits that hold Prompt clauses (each named as its Prompt field).
CLAUSES: tuple[str, ...] = (
    "prose",
    "style",
    "subject",
    "action",
    "scene",
    "camera",
    "lighting",
    "palette",
    "mood",
    "dialogue",
    "audio",
    "avoid",
    "shots",
)


def trait_values(prompt: Prompt) -> dict[str, Any]:
    """The clause traits' values for ``prompt`` (text fields as "" when unset)."""
    return {
        "prose": prompt.prose or "",
        "style": prompt.style or "",
        "subject": prompt.subject or "",
        "mood": prompt.mood or "",
        "action": list(prompt.action),
        "palette": list(prompt.palette),
        "avoid": list(prompt.avoid),
        "dialogue": [DialogueRow(speaker=line.speaker, line=line.line) for line in prompt.dialogue],
        # Copies: the traits and the Prompt a caller keeps must not share (mutable) models.
        "scene": prompt.scene.model_copy(deep=True),
        "camera": prompt.camera.model_copy(deep=True),
        "lighting": prompt.lighting.model_copy(deep=True),
        "audio": prompt.audio.model_copy(deep=True),
        "shots": [shot.model_copy(deep=True) for shot in prompt.shots],
    }


def prompt_of(values: Mapping[str, Any]) -> tuple[Prompt, list[str]]:
    """The Prompt the clause traits hold, and the lint line for dialogue rows left out."""
    dialogue: list[DialogueLine] = []
    problems: list[str] = []
    for number, row in enumerate(values["dialogue"], start=1):
        speaker, line = row.speaker, row.line  # stripped when the row was validated
        if speaker and line:
            dialogue.append(DialogueLine(speaker=speaker, line=line))
        elif speaker or line:
            problems.append(
                f"Dialogue line {number} needs both a speaker and a line; "
                "it is left out until it has both."
            )
    prompt = Prompt(
        prose=values["prose"],
        style=values["style"],
        subject=values["subject"],
        mood=values["mood"],
        action=list(values["action"]),
        palette=list(values["palette"]),
        avoid=list(values["avoid"]),
        dialogue=dialogue,
        scene=values["scene"].model_copy(deep=True),
        camera=values["camera"].model_copy(deep=True),
        lighting=values["lighting"].model_copy(deep=True),
        audio=values["audio"].model_copy(deep=True),
        shots=[shot.model_copy(deep=True) for shot in values["shots"]],
    )
    return prompt, problems


def as_prompt(value: Prompt | str | None) -> Prompt:
    """A Prompt from a Prompt, prompt text (parsed) or nothing (empty)."""
    if value is None:
        return Prompt()
    if isinstance(value, Prompt):
        return value
    if isinstance(value, str):
        return parse(value)
    raise TypeError(f"Studio takes a Prompt or prompt text, not {type(value).__name__}.")
