"""What the bundled server keeps of a video job: the record saved as ``job.json`` (with the
segments an extended or edited video is made of), what a create or remix asks for, the counters
tests read, and the names of a job's files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sora_nb.api.types import VideoError
from sora_nb.catalog import options as options_table
from sora_nb.catalog.options import Options
from sora_nb.server.renderers.base import Segment

#: How a job came about (``kind`` in its record).
JobKind = Literal["create", "remix", "extension", "edit"]


class SegmentRecord(BaseModel):
    """One segment as a job remembers it (see :class:`~sora_nb.server.renderers.base.Segment`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    prompt: str
    seconds: int
    take: int = 1
    seed: int | None = None
    edits: tuple[str, ...] = ()

    def segment(self) -> Segment:
        return Segment(self.prompt, self.seconds, self.take, self.seed, self.edits)


#: An uploaded video a job extends or edits, kept in the job's folder.
SOURCE_FILE = "source.mp4"
#: File names of a job's content, by variant.
VARIANT_FILES: dict[str, str] = {
    "video": "video.mp4",
    "thumbnail": "thumbnail.webp",
    "spritesheet": "spritesheet.jpg",
}


class JobRecord(BaseModel):
    """What the server remembers of one job (``job.json``); the status is derived from it."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _gather_knobs(cls, data: Any) -> Any:
        if isinstance(data, dict) and "knobs" not in data:
            wire = options_table.wire_names()
            knobs = {k: v for k, v in data.items() if k in wire and v is not None}
            data = {**data, "knobs": knobs}
        return data

    @property
    def options(self) -> Options:
        """The request options it was sent."""
        return options_table.from_wire(self.knobs, checked=False)

    id: str
    seq: int
    model: str
    prompt: str
    size: str
    seconds: str
    created_at: float
    #: Wall seconds from creation until the job may complete.
    duration: float
    take: int
    fingerprint: str
    remixed_from_video_id: str | None = None
    idempotency_key: str | None = None
    has_reference: bool = False
    #: Set at creation when the simulated guardrail refuses the prompt.
    blocked: VideoError | None = None
    rendered_at: float | None = None
    render_error: str | None = None
    #: A code the renderer gave with its error (``out_of_memory``), shown on the failed job.
    render_error_code: str | None = None
    completed_at: float | None = None
    #: The request options it was sent, by wire name (``{"seed": 7, "num_inference_steps":
    #: 30}``); records saved before they had their own field kept them at the top level.
    knobs: dict[str, Any] = Field(default_factory=dict)
    #: What the renderer measured (inference_time_s, peak_memory_mb, seconds_per_step...).
    metrics: dict[str, Any] | None = None
    #: Wall seconds the render took, measured here whatever the renderer (the engine
    #: imitations report it as their inference time when the renderer measures none).
    render_seconds: float | None = None
    #: How the job came about: created, remixed, extended or edited (from ``source_video_id``).
    kind: JobKind = "create"
    source_video_id: str | None = None
    #: The video whose first frame (its reference image, if any) opens this one.
    root_video_id: str | None = None
    #: The ids of the characters it features.
    characters: list[str] = Field(default_factory=list)
    #: A video made in steps (extended or edited): its segments, the newest last.
    segments: list[SegmentRecord] | None = None
    #: Made from an uploaded video (``source.mp4`` beside it), or from one that was: its
    #: picture cannot be drawn again from prompts.
    opaque: bool = False


@dataclass(frozen=True)
class NewJob:
    """What a create or remix asks for."""

    prompt: str
    model: str
    size: str
    seconds: str
    reference: bytes | None = None
    remixed_from_video_id: str | None = None
    #: The knobs sent, by wire name (``seed``, ``num_inference_steps``...).
    knobs: dict[str, Any] = field(default_factory=dict)
    characters: tuple[str, ...] = ()
    kind: JobKind = "create"
    source_video_id: str | None = None
    root_video_id: str | None = None
    segments: tuple[SegmentRecord, ...] | None = None
    #: Seconds the job generates, when not ``seconds`` (an extension: the new segment's).
    generated: int | None = None
    #: An uploaded video it extends or edits, and whether its source is such a video.
    upload: bytes | None = None
    opaque: bool = False
    #: A last frame and a source video (``server.source_fields``), kept beside the job.
    sources: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Stats:
    """Counters tests and demos read (``app.state.server.stats``)."""

    jobs_created: int = 0
    idempotent_replays: int = 0
    requests: int = 0
    renders: int = 0
    #: Renders stopped by a DELETE, and the steps each had done when it stopped.
    cancelled: int = 0
    steps_at_cancel: list[int] = field(default_factory=list)
