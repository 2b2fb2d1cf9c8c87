"""Extensions and edits: ``POST /videos/extensions`` and ``POST /videos/edits`` as new jobs.

An extension continues a completed video by 4, 8, 12, 16 or 20 seconds, six times at most and
to 120 s in all; its job's video is the whole stitched video (``seconds`` is the total, as the
spec says). An edit reworks a completed video with a prompt: the same length, scene and
characters, changed where the prompt says. Either keeps what a video is made of as
*segments* (the video first created, then each extension) with the edits in force over each,
so an extension of an edit, or an edit of an extended video, is rendered as one continuous
piece.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from sora_nb.server.errors import APIError, invalid
from sora_nb.server.forms import Body, json_field, no_files_but
from sora_nb.server.renderers.base import Segment
from sora_nb.server.validation import check_prompt

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.server.jobs import JobRecord

#: Lengths of one extension, in seconds; the most extensions of a video and its longest length.
EXTENSION_SECONDS = ("4", "8", "12", "16", "20")
MAX_EXTENSIONS = 6
MAX_SECONDS = 120

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


@dataclass(frozen=True)
class Derived:
    """A checked extension or edit: what the new job is made of."""

    kind: JobKind
    source: JobRecord
    prompt: str
    #: The new job's length: the stitched total (an extension) or the source's (an edit).
    seconds: int
    #: Seconds the job generates (what it is paced by): the new segment, or the whole edit.
    generated: int
    segments: tuple[SegmentRecord, ...]


def segments_of(job: JobRecord) -> tuple[SegmentRecord, ...]:
    """What ``job``'s video is made of: its segments, or itself as the one segment."""
    if job.segments:
        return tuple(job.segments)
    seed = job.seed if job.seed is not None else (job.metrics or {}).get("seed")
    return (SegmentRecord(prompt=job.prompt, seconds=int(job.seconds), take=job.take, seed=seed),)


def check_extension(body: Body, find: Any, status_of: Any) -> Derived:
    """An extension from its body (``video``, ``prompt``, ``seconds``), or the 400 or 404 the
    service gives; ``find`` looks up a job by id, ``status_of`` says its status now."""
    _only(body, {"video", "prompt", "seconds"})
    source = _source(body, find, status_of, "extended")
    prompt = check_prompt(body.fields)
    seconds = body.fields.get("seconds")
    if seconds is None:
        raise invalid(
            "Missing required parameter: 'seconds' (4, 8, 12, 16 or 20).",
            param="seconds",
            code="missing_required_parameter",
        )
    if not isinstance(seconds, str):
        raise invalid(
            "Invalid type for 'seconds': expected a string like \"8\", but got a number.",
            param="seconds",
            code="invalid_type",
        )
    if seconds.strip() not in EXTENSION_SECONDS:
        raise invalid(
            f"Invalid value for 'seconds': {seconds[:10]!r}. An extension adds 4, 8, 12, 16 "
            "or 20 seconds.",
            param="seconds",
        )
    added = int(seconds)
    segments = segments_of(source)
    if len(segments) - 1 >= MAX_EXTENSIONS:
        raise invalid(
            f"Video {source.id} has been extended {MAX_EXTENSIONS} times, the most a video may "
            "be. Edit it, or start a new video from its last frame.",
            param="video",
            code="extension_limit_reached",
        )
    total = int(source.seconds) + added
    if total > MAX_SECONDS:
        room = MAX_SECONDS - int(source.seconds)
        hint = f"add at most {room} s" if room >= 4 else "it cannot grow any more"
        raise invalid(
            f"Video {source.id} lasts {source.seconds} s; {added} s more makes {total} s, past "
            f"the {MAX_SECONDS} s an extended video may last ({hint}).",
            param="seconds",
            code="duration_limit_reached",
        )
    edits = segments[-1].edits
    new = SegmentRecord(prompt=prompt, seconds=added, edits=edits)
    return Derived("extension", source, prompt, total, added, (*segments, new))


def check_edit(body: Body, find: Any, status_of: Any) -> Derived:
    """An edit from its body (``video``, ``prompt``), or the 400 or 404 the service gives."""
    _only(body, {"video", "prompt"})
    source = _source(body, find, status_of, "edited")
    prompt = check_prompt(body.fields)
    segments = tuple(
        segment.model_copy(update={"edits": (*segment.edits, prompt)})
        for segment in segments_of(source)
    )
    seconds = int(source.seconds)
    return Derived("edit", source, prompt, seconds, seconds, segments)


def _only(body: Body, allowed: set[str]) -> None:
    for name in body.fields:
        if name not in allowed:
            raise invalid(f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")
    no_files_but(body, "video")


def _source(body: Body, find: Any, status_of: Any, done: str) -> JobRecord:
    if "video" in body.files:
        raise invalid(
            f"This server can only have a video it made {done}: send video as an object like "
            '{"id": "video_123"} (an uploaded file cannot be continued here).',
            param="video",
            code="unsupported_video_upload",
        )
    video = json_field(body, "video", '{"id": "video_123"}')
    if video is None:
        raise invalid(
            'Missing required parameter: \'video\' (an object like {"id": "video_123"}).',
            param="video",
            code="missing_required_parameter",
        )
    if not isinstance(video, dict) or set(video) != {"id"} or not isinstance(video["id"], str):
        raise invalid(
            "Invalid 'video': expected an object with only an 'id', like {\"id\": \"video_123\"}.",
            param="video",
            code="invalid_type",
        )
    source: JobRecord = find(video["id"])
    status = status_of(source)
    if status != "completed":
        raise invalid(
            f"Video {source.id} is {status}; only a completed video can be {done}. Wait for it "
            "to complete first.",
            param="video",
            code="invalid_state",
        )
    return source


def cannot_continue(kind: str) -> APIError:
    """The 400 for a renderer that cannot extend or edit (an open model through diffusers)."""
    doing = "extend" if kind == "extension" else "edit"
    return invalid(
        f"This server's renderer cannot {doing} videos; the animatic can (serve without "
        "--renderer diffusers).",
        param="video",
        code="unsupported_operation",
    )
