"""Setting one clause of a Prompt by its dotted path: what a grid's clause axis does per cell."""

from __future__ import annotations

from typing import Any

from sora_nb.prompt.model import Prompt


class ClauseError(ValueError):
    """The prompt has no such clause, or the value does not fit it; the message says which."""


def with_clause(prompt: Prompt, path: str, value: str) -> Prompt:
    """A copy of ``prompt`` with the clause at ``path`` (``camera.movement``) set to ``value``;
    a list clause takes values split on ``/`` or ``+``, lens and aperture take numbers."""
    data = prompt.model_dump()
    parts = path.split(".")
    node: Any = data
    for part in parts[:-1]:
        if not isinstance(node, dict) or part not in node or not isinstance(node[part], dict):
            raise ClauseError(f"The prompt has no clause {path!r} to vary.")
        node = node[part]
    leaf = parts[-1]
    if not isinstance(node, dict) or leaf not in node:
        raise ClauseError(f"The prompt has no clause {path!r} to vary.")
    current = node[leaf]
    if isinstance(current, list):
        node[leaf] = [v.strip() for v in value.replace("+", "/").split("/") if v.strip()]
    elif leaf in ("lens_mm", "aperture"):
        number = value.lower().removesuffix("mm").removeprefix("f/").strip()
        try:
            node[leaf] = float(number)
        except ValueError:
            raise ClauseError(
                f"{path} takes a number, like 35mm or f/2.8; got {value!r}."
            ) from None
    else:
        node[leaf] = value
    # Shots override the Prompt's camera and lighting; a varied clause must reach every shot.
    if parts[0] in ("camera", "lighting") and data.get("shots"):
        for shot in data["shots"]:
            target = shot.get(parts[0])
            if isinstance(target, dict) and leaf in target:
                target[leaf] = node[leaf]
    return Prompt.model_validate(data)
