"""The shapes of the Player's and Grid's state, as pydantic models the typed traits validate.

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
