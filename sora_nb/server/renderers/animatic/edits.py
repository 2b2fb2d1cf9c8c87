"""An edit's prompt applied to the prompt it edits: what it says changes, the rest stays.

``POST /videos/edits`` reworks a finished video with a prompt such as "make it night, in the
rain" or "new palette: teal, sand, rust". The animatic reads the edit with the project's parser
and lets each clause it sets (time of day, weather, palette, mood, style, light, camera, sound,
dialogue) replace the same clause of the source; everything it does not set is kept, and so
is the place, unless the edit names another kind of place ("move it to a city street").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sora_nb.prompt import Prompt, parse
from sora_nb.server.renderers.animatic.storyboard import setting_of


def apply_edits(prompt: Prompt, edits: Sequence[str]) -> Prompt:
    """``prompt`` with each edit's clauses in force, oldest first."""
    for text in edits:
        prompt = _apply(prompt, parse(text))
    return prompt


def setting_after(prompt: Prompt, edits: Sequence[str]) -> str | None:
    """The kind of place after the edits: the last one an edit names, else the prompt's own."""
    setting = setting_of(prompt)
    for text in edits:
        setting = setting_of(parse(text)) or setting
    return setting


def _apply(prompt: Prompt, edit: Prompt) -> Prompt:
    data = prompt.model_dump()
    scene = data["scene"]
    for key in ("time_of_day", "weather"):
        value = getattr(edit.scene, key)
        if value:
            scene[key] = value
    for key in ("style", "mood"):
        value = getattr(edit, key)
        if value:
            data[key] = value
    if edit.palette:
        data["palette"] = list(edit.palette)
    if edit.dialogue:
        data["dialogue"] = [line.model_dump() for line in edit.dialogue]
    if edit.avoid:
        data["avoid"] = [*data["avoid"], *edit.avoid]
    _merge(data["lighting"], edit.lighting.model_dump())
    if not edit.audio.is_empty():
        _merge(data["audio"], edit.audio.model_dump())
    camera = {k: v for k, v in edit.camera.model_dump().items() if v not in (None, [], "")}
    if camera:
        data["camera"].update(camera)
        for shot in data["shots"]:
            shot["camera"].update(camera)
    return Prompt.model_validate(data)


def _merge(target: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if value not in (None, [], ""):
            target[key] = value
