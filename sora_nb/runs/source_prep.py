"""A plan's last frame and source video, made ready before anything is sent.

A last frame is checked against the video's size (``--fit`` crops and resizes it, as it does
the first) and a source video is checked to be one; both are stored once in the media folder
under their content hash (``refs/<sha256>.<ext>``), so the request, its cache key and its ledger
row name what was sent, not where the file happened to be. A source that is a take of this
folder is kept as ``take:<id>``: the take's lineage (:meth:`Take.parent`) then leads to it.
At send time :func:`resolved` turns both back into files the client reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from sora_nb import media
from sora_nb.catalog.options import Options
from sora_nb.catalog.source_media import TAKE_PREFIX, source_take
from sora_nb.media import write_atomic
from sora_nb.runs.grid import Axis
from sora_nb.runs.references import ReferenceImageError, prepare_reference
from sora_nb.runs.take import Take

__all__ = ["SourceError", "given", "prepare", "resolved", "stored"]

_SOURCES = ("last_image", "video")


class SourceError(ValueError):
    """A last frame or source video that cannot be used; the message says what to do."""


class _Takes(Protocol):
    def get(self, take_id: str) -> Take | None: ...

    def find_job(self, job_id: str) -> Take | None: ...


def given(options: Options | Mapping[str, Any] | None) -> Options | Mapping[str, Any] | None:
    """The options with a source video given as a Take written ``take:<id>``."""
    if isinstance(options, Mapping) and isinstance(options.get("video"), Take):
        return {**options, "video": TAKE_PREFIX + options["video"].id}
    return options


def prepare(
    options: Options,
    axes: Sequence[Axis],
    *,
    size: str,
    media_dir: Path,
    takes: _Takes,
    fit: bool,
    has_first: bool,
) -> tuple[Options, list[Axis]]:
    """``options`` and ``axes`` with every last frame and source video checked and stored."""
    varied = {a.path for a in axes if a.kind == "option"}
    if (options.last_image or "last_image" in varied) and not has_first:
        raise SourceError(
            "A last frame needs a first frame too: add --image FIRST.png (image=...)."
        )
    if (options.strength is not None or "strength" in varied) and not (
        options.video or "video" in varied
    ):
        raise SourceError(
            "strength says how far a video-to-video take strays from its source: add --video "
            "SOURCE (video=...), or leave strength out."
        )
    if (options.video or "video" in varied) and has_first:
        raise SourceError(
            "A source video and a first frame do not go together: give --video alone (its "
            "frames are the start) or --image alone."
        )

    def ready(name: str, value: str) -> str:
        if name == "last_image":
            return _last_frame(value, size, media_dir, fit)
        return _source(value, media_dir, takes)

    changes = {n: ready(n, getattr(options, n)) for n in _SOURCES if getattr(options, n)}
    ready_axes = [
        a.model_copy(update={"values": tuple(ready(a.path, v) for v in a.values)})
        if a.kind == "option" and a.path in _SOURCES
        else a
        for a in axes
    ]
    return (options.replace(**changes) if changes else options), ready_axes


def resolved(options: Options, media_dir: Path, takes: _Takes) -> Options:
    """The options as the client sends them: stored sources as paths of this media folder."""
    changes: dict[str, str] = {}
    for name in _SOURCES:
        value = getattr(options, name)
        if value is None:
            continue
        take_id = source_take(value)
        if take_id is not None:
            take = takes.get(take_id)
            if take is None:
                raise SourceError(f"The source take {take_id} is not in {media_dir}.")
            changes[name] = str(take.video_path)
        elif not Path(value).is_absolute():
            changes[name] = str(media_dir / value)
    return options.replace(**changes) if changes else options


def stored(options: Options) -> list[str]:
    """The files of the media folder a request's sources are stored in (``refs/...``): what a
    bundle of its take carries along."""
    values = (getattr(options, name) for name in _SOURCES)
    return [v for v in values if v is not None and v.startswith("refs/")]


def _last_frame(value: str, size: str, media_dir: Path, fit: bool) -> str:
    if value.startswith("refs/"):
        return value  # stored already (a plan made again)
    try:
        return prepare_reference(value, size, media_dir, fit=fit).path
    except ReferenceImageError as exc:
        text = str(exc).replace("The reference image", "The last frame")
        raise SourceError(text.replace("reference image", "last frame")) from None


def _source(value: str, media_dir: Path, takes: _Takes) -> str:
    if value.startswith((TAKE_PREFIX, "refs/")):
        return value
    path = Path(value).expanduser()
    if path.is_file():
        data = path.read_bytes()
        try:
            info = media.probe(data)
        except Exception:  # PyAV's errors for bytes that are no container vary by kind
            info = None
        if info is None or info.frame_count <= 0:
            raise SourceError(
                f"The source video {path} is not a video sora_nb can read; give an MP4 (or a "
                "take: --video TAKE)."
            )
        relative = f"refs/{hashlib.sha256(data).hexdigest()}.mp4"
        if not (media_dir / relative).exists():
            write_atomic(media_dir / relative, data)
        return relative
    take = takes.get(value) or takes.find_job(value)
    if take is None:
        raise SourceError(
            f"The source video {value!r} is neither a file nor a take of this media folder; "
            "give an MP4's path, or a take's --as name or id."
        )
    if not take.ok or not take.video_path.is_file():
        raise SourceError(
            f"Take {take.id} is {take.status}; only a finished take can be a source video."
        )
    return TAKE_PREFIX + take.id
