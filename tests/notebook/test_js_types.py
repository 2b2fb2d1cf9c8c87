"""js/src/types.js, the front end's typedefs, is what scripts/js_types.py writes from the
pydantic models the widgets' typed traits hold: a model changed without rerunning it fails here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from sora_nb.notebook.widgets.state import MediaFile, Variant
from sora_nb.runs.take import TakeStatus

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("js_types", ROOT / "scripts" / "js_types.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


js_types = _script()


def test_the_committed_types_js_is_the_models_schema_as_written_now() -> None:
    committed = (ROOT / "js" / "src" / "types.js").read_text(encoding="utf-8")
    assert committed == js_types.render(), (
        "js/src/types.js is stale: a widget state model changed; run python scripts/js_types.py"
    )


def test_every_model_a_typed_trait_holds_has_a_typedef() -> None:
    names = {model.__name__ for model in js_types.trait_models()}
    # The Studio's clauses and computed state, the Player's and the Grid's.
    assert {"Camera", "DialogueRow", "Choices", "KnobDefaults", "LintLine", "Rung"} <= names
    assert {"CellState", "Header", "Feedback", "ChainStep", "Actions", "MediaFile"} <= names
    text = js_types.render()
    for name in names:
        assert f"@typedef {{object}} {name}\n" in text, name


class _Made(BaseModel):
    """A made-up model, to see each kind of field written."""

    status: TakeStatus
    files: dict[Variant, MediaFile] = Field(default_factory=dict)
    mood: Literal["calm", "loud"] | None = Field(default=None, description="how it sounds")
    span: tuple[int, int]
    notes: list[str | int]
    scores: dict[str, float]


def test_each_kind_of_field_becomes_its_typescript_type() -> None:
    text = js_types.render([_Made])
    block = text[text.index("@typedef {object} _Made") :]
    assert " * A made-up model, to see each kind of field written." in text
    assert " * @property {TakeStatus} status\n" in block  # the named Literal, by name
    assert " * @property {Partial<Record<Variant, MediaFile>>} files\n" in block
    # None is left out of what the traits send: a field that may be None is optional.
    assert ' * @property {"calm" | "loud" | null} [mood] how it sounds\n' in block
    assert " * @property {[number, number]} span\n" in block
    assert " * @property {(string | number)[]} notes\n" in block
    assert " * @property {Record<string, number>} scores\n" in block
    # A model a field holds gets its own typedef.
    assert "@typedef {object} MediaFile\n" in text


def test_a_field_it_cannot_write_as_a_type_stops_it_by_name() -> None:
    class Loose(BaseModel):
        anything: Any

    with pytest.raises(ValueError, match=r"Loose\.anything: scripts/js_types\.py cannot write"):
        js_types.render([Loose])
