"""The shapes of the widgets' state (the Player's, the Grid's, the Studio's characters,
dialogue rows and knob defaults), as pydantic models the typed traits validate.

js/src/types.js is generated from these models' JSON schema (``python scripts/js_types.py``),
so the front end's JSDoc typedefs cannot drift from them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sora_nb.prompt import DialogueLine
from sora_nb.runs.take import TakeStatus

_STRICT = ConfigDict(extra="forbid", frozen=True)
#: The files of a take a widget shows.
Variant = Literal["video", "thumbnail", "spritesheet"]


class MediaFile(BaseModel):
    """One file of a take as widget state describes it: where to find it, never its bytes."""

    model_config = _STRICT

    rel: str | None = Field(
        description="the path relative to the notebook's folder, with / (None on another drive)"
    )
    folder: str | None = Field(
        pattern=r"^[0-9a-f]{16}$",
        description="the registered media folder's id, for sora_nb's server route "
        "(None: no extension here)",
    )
    path: str = Field(description="the path inside the media folder, with /")
    size: int = Field(ge=0, description="bytes on disk (the kernel route knows when it is whole)")
    version: str = Field(
        description="changes when the file is rewritten, so the page never shows a stale copy"
    )


class Header(BaseModel):
    """A row or column header: the axis value, and its word count on a length axis."""

    model_config = _STRICT

    text: str
    words: int | None = Field(default=None, ge=0, description="the word count on a length axis")


class CellState(BaseModel):
    """What one grid cell shows: its take's status and progress, what names it, its files."""

    model_config = _STRICT

    label: str
    metrics: str = ""
    take_id: str
    status: TakeStatus
    progress: int = Field(ge=0, le=100, description="percent, 0 to 100")
    error: str = ""
    seconds: int = Field(ge=0)
    words: int = Field(ge=0)
    model: str
    size: str
    files: dict[Variant, MediaFile] = Field(default_factory=dict)
    prompt: str = Field(default="", description="the prompt sent")
    mine: str = Field(
        default="",
        description="the user's own words, when the prompt sent was an enhancer's rewrite of "
        "them (empty: the prompt sent is the user's)",
    )


class Feedback(BaseModel):
    """A viewer's judgement of a cell: thumbs up (1), down (-1) or none, and a note."""

    model_config = _STRICT

    rating: Literal[1, -1] | None = None
    note: str = ""


class JoinState(BaseModel):
    """Continuity where an extension begins: how alike the frames either side of the join are
    (1: the same colours, the same layout)."""

    model_config = _STRICT

    at_seconds: float = Field(ge=0)
    colour: float
    layout: float


class ChainStep(BaseModel):
    """One step of the chain a Player shows (the source, then its edits and extensions)."""

    model_config = _STRICT

    take_id: str
    kind: Literal["create", "remix", "extension", "edit"]
    label: str = Field(description='the step in words: "create 4 s", "extend +8 s", "edit"')
    seconds: int = Field(
        ge=0, description="what its request asked for: the length made, or what it added"
    )
    video_seconds: int = Field(ge=0, description="how long the video is once this step is made")
    status: TakeStatus
    prompt: str
    current: bool = Field(default=False, description="true for the take the Player shows")
    thumbnail: MediaFile | None = None
    join: JoinState | None = Field(
        default=None,
        description="continuity at the join this extension begins at (None: none, or not read)",
    )


class Actions(BaseModel):
    """Why each of the Player's Remix, Extend and Edit cannot be used (empty: it can)."""

    model_config = _STRICT

    remix: str = ""
    extend: str = ""
    edit: str = ""


class CharacterOption(BaseModel):
    """A character of the media folder as the Studio offers it."""

    model_config = _STRICT

    name: str
    thumbnail: MediaFile | None = None
    made_here: bool = Field(description="the current server has made it (it has an id there)")


class DialogueRow(DialogueLine):
    """A dialogue row as the Studio edits it: a DialogueLine whose speaker or line may still be
    blank (it joins the Prompt once both are typed)."""

    speaker: str = ""
    line: str = ""


class KnobDefaults(BaseModel):
    """The model's own steps and guidance, shown where the Studio leaves them unset."""

    model_config = _STRICT

    steps: int | None = Field(default=None, ge=1)
    guidance: float | None = Field(default=None, ge=0)
