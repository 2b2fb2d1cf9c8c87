"""Extensions and edits: ``POST /videos/extensions`` and ``POST /videos/edits`` as new jobs.

An extension continues a completed video by 4, 8, 12, 16 or 20 seconds, six times at most and
to 120 s in all; its job's video is the whole stitched video (``seconds`` is the total, as the
spec says). An edit reworks a completed video with a prompt: the same length, scene and
characters, changed where the prompt says. The video is one of this server's, by id, or an
uploaded MP4 (what the OpenAI SDK sends): an upload is continued from its last frame, and
edited by regrading its frames, since no prompt can draw it again. Either keeps what a video
is made of as *segments* (the video first created, then each extension) with the edits in
force over each, so an extension of an edit, or an edit of an extended video, is rendered as
one continuous piece.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sora_nb import catalog, media
from sora_nb.server.errors import APIError, invalid
from sora_nb.server.forms import Body, json_field, no_files_but
from sora_nb.server.job_records import JobKind, JobRecord, SegmentRecord
from sora_nb.server.validation import check_prompt

#: Lengths of one extension, in seconds; the most extensions of a video and its longest length.
EXTENSION_SECONDS = ("4", "8", "12", "16", "20")
MAX_EXTENSIONS = 6
MAX_SECONDS = 120


@dataclass(frozen=True)
class Source:
    """What an extension or edit starts from: a job of this server, or an uploaded video."""

    job: JobRecord | None
    upload: bytes | None
    model: str
    size: str
    seconds: int
    #: Its video cannot be drawn again from prompts (it is, or comes from, an upload).
    opaque: bool
    segments: tuple[SegmentRecord, ...]


@dataclass(frozen=True)
class Derived:
    """A checked extension or edit: what the new job is made of."""

    kind: JobKind
    source: Source
    prompt: str
    #: The new job's length: the stitched total (an extension) or the source's (an edit).
    seconds: int
    #: Seconds the job generates (what it is paced by): the new segment, or the whole edit.
    generated: int
    #: What the new video is made of (none for one made from an uploaded video).
    segments: tuple[SegmentRecord, ...] | None


def segments_of(job: JobRecord) -> tuple[SegmentRecord, ...]:
    """What ``job``'s video is made of: its segments, or itself as the one segment."""
    if job.segments:
        return tuple(job.segments)
    seed = job.options.seed if job.options.seed is not None else (job.metrics or {}).get("seed")
    return (SegmentRecord(prompt=job.prompt, seconds=int(job.seconds), take=job.take, seed=seed),)


def check_extension(body: Body, find: Any, status_of: Any) -> Derived:
    """An extension from its body (``video``, ``prompt``, ``seconds``), or the 400 or 404 the
    service gives; ``find`` looks up a job by id, ``status_of`` says its status now."""
    _only(body, {"video", "prompt", "seconds"})
    source = _source(body, find, status_of, "extended")
    name = source.job.id if source.job is not None else "The uploaded video"
    name = f"Video {name}" if source.job is not None else name
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
    segments = source.segments
    if len(segments) - 1 >= MAX_EXTENSIONS:
        raise invalid(
            f"{name} has been extended {MAX_EXTENSIONS} times, the most a video may be. Edit "
            "it, or start a new video from its last frame.",
            param="video",
            code="extension_limit_reached",
        )
    total = source.seconds + added
    if total > MAX_SECONDS:
        room = MAX_SECONDS - source.seconds
        hint = f"add at most {room} s" if room >= 4 else "it cannot grow any more"
        raise invalid(
            f"{name} lasts {source.seconds} s; {added} s more makes {total} s, past the "
            f"{MAX_SECONDS} s an extended video may last ({hint}).",
            param="seconds",
            code="duration_limit_reached",
        )
    if source.opaque:
        return Derived("extension", source, prompt, total, added, None)
    edits = segments[-1].edits
    new = SegmentRecord(prompt=prompt, seconds=added, edits=edits)
    return Derived("extension", source, prompt, total, added, (*segments, new))


def check_edit(body: Body, find: Any, status_of: Any) -> Derived:
    """An edit from its body (``video``, ``prompt``), or the 400 or 404 the service gives."""
    _only(body, {"video", "prompt"})
    source = _source(body, find, status_of, "edited")
    prompt = check_prompt(body.fields)
    if source.opaque:
        return Derived("edit", source, prompt, source.seconds, source.seconds, None)
    segments = tuple(
        segment.model_copy(update={"edits": (*segment.edits, prompt)})
        for segment in source.segments
    )
    return Derived("edit", source, prompt, source.seconds, source.seconds, segments)


def _only(body: Body, allowed: set[str]) -> None:
    for name in body.fields:
        if name not in allowed:
            raise invalid(f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")
    no_files_but(body, "video")


def _source(body: Body, find: Any, status_of: Any, done: str) -> Source:
    upload = body.files.get("video")
    if upload is not None:
        if "video" in body.fields:
            raise invalid("Send video once: a file or an object, not both.", param="video")
        return _uploaded(upload[0])
    video = json_field(body, "video", '{"id": "video_123"}')
    if video is None:
        raise invalid(
            'Missing required parameter: \'video\' (an object like {"id": "video_123"}, or '
            "the video file).",
            param="video",
            code="missing_required_parameter",
        )
    if not isinstance(video, dict) or set(video) != {"id"} or not isinstance(video["id"], str):
        raise invalid(
            "Invalid 'video': expected an object with only an 'id', like {\"id\": \"video_123\"}.",
            param="video",
            code="invalid_type",
        )
    job: JobRecord = find(video["id"])
    status = status_of(job)
    if status != "completed":
        raise invalid(
            f"Video {job.id} is {status}; only a completed video can be {done}. Wait for it "
            "to complete first.",
            param="video",
            code="invalid_state",
        )
    segments = () if job.opaque else segments_of(job)
    return Source(job, None, job.model, job.size, int(job.seconds), job.opaque, segments)


def _uploaded(content: bytes) -> Source:
    """An uploaded video to extend or edit: an MP4 of a size the service renders, lasting a
    whole number of seconds up to 120."""
    try:
        info = media.probe(content)
    except ValueError:
        raise invalid(
            "Invalid 'video': the file is not a readable video; send an MP4 (or the video's id).",
            param="video",
            code="unsupported_file_format",
        ) from None
    size = f"{info.width}x{info.height}"
    model = next((p.name for p in catalog.models() if size in p.sizes_on()), None)
    if model is None:
        raise invalid(
            f"Invalid 'video': it is {size}; an uploaded video must be a size the service "
            "renders (1280x720 or 720x1280, say).",
            param="video",
            code="invalid_video",
        )
    seconds = round(info.duration)
    if not 1 <= seconds <= MAX_SECONDS or abs(info.duration - seconds) > 0.05:
        raise invalid(
            f"Invalid 'video': it lasts {info.duration:.2f} s; an uploaded video must last a "
            f"whole number of seconds, up to {MAX_SECONDS}.",
            param="video",
            code="invalid_video",
        )
    return Source(None, content, model, size, seconds, True, ())


def cannot_continue(kind: str) -> APIError:
    """The 400 for a renderer that cannot extend or edit (an open model through diffusers)."""
    doing = "extend" if kind == "extension" else "edit"
    return invalid(
        f"This server's renderer cannot {doing} videos; the animatic can (serve without "
        "--renderer diffusers).",
        param="video",
        code="unsupported_operation",
    )
