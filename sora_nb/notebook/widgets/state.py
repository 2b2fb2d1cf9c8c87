"""The shapes of the widgets' state (the Player's, the Grid's, the Studio's characters), as
pydantic models the typed traits validate.

js/src/types.js mirrors them as JSDoc typedefs for the front end.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sora_nb.runs.take import TakeStatus

_STRICT = ConfigDict(extra="forbid", frozen=True)
#: The files of a take a widget shows.
Variant = Literal["video", "thumbnail", "spritesheet"]


class MediaFile(BaseModel):
    """One file of a take as widget state describes it: where to find it, never its bytes."""

    model_config = _STRICT

    #: The path relative to the notebook's folder, with ``/`` (None on another drive).
    rel: str | None
    #: The registered media folder's id for sora_nb's server route (None: no extension here).
    folder: str | None = Field(pattern=r"^[0-9a-f]{16}$")
    #: The path inside the media folder, with ``/``.
    path: str
    #: Bytes on disk (the kernel route knows when a file is whole).
    size: int = Field(ge=0)
    #: Changes when the file is rewritten, so the page never shows a stale copy.
    version: str


class Header(BaseModel):
    """A row or column header: the axis value, and its word count on a length axis."""

    model_config = _STRICT

    text: str
    words: int | None = Field(default=None, ge=0)


class CellState(BaseModel):
    """What one grid cell shows: its take's status and progress, what names it, its files."""

    model_config = _STRICT

    label: str
    metrics: str = ""
    take_id: str
    status: TakeStatus
    progress: int = Field(ge=0, le=100)
    error: str = ""
    seconds: int = Field(ge=0)
    words: int = Field(ge=0)
    model: str
    size: str
    files: dict[Variant, MediaFile] = Field(default_factory=dict)


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
    #: The step in words: "create 4 s", "extend +8 s", "edit", "remix".
    label: str
    #: What its request asked for: the length made, or what an extension added.
    seconds: int = Field(ge=0)
    #: How long the video is once this step is made.
    video_seconds: int = Field(ge=0)
    status: TakeStatus
    prompt: str
    #: True for the take the Player shows.
    current: bool = False
    thumbnail: MediaFile | None = None
    #: Continuity at the join this extension begins at (None: no join, or not read yet).
    join: JoinState | None = None


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
    #: True when the current server has made it (it has an id there).
    made_here: bool
