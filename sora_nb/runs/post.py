"""Post-processed takes: a smoother or sharper take made from the take its server rendered.

A take asked with ``interpolate`` or ``upscale`` that its server does not do itself (see
:mod:`sora_nb.catalog.postprocessing`) is made in two steps: its *raw* take, the same request
without those options (one request to the server, answered from the ledger when it was made
before), then the processed video, made on the kernel from the raw one. The processed take's
folder keeps both files (``raw.mp4`` as the server sent it, ``video.mp4`` processed); the raw
take stays a take of its own, so a grid with ``--vary interpolate=1,2`` sends one request per
seed and compares the two.

Which file is which is recorded in the ledger, in a ``postprocessed`` table this module keeps
(one row per processed take: the raw take, both files, the factors, who did it and how long it
took); a take an engine processed itself has a row too, with no raw file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sora_nb import media_post
from sora_nb.api.client import VideosClient
from sora_nb.api.dialects import Dialect
from sora_nb.catalog import postprocessing
from sora_nb.runs.files import restore_previews
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.take import FILE_NAMES, Take, TakeFailure

__all__ = [
    "RAW_FILE",
    "PostRecord",
    "finish",
    "follow",
    "make",
    "raw_request",
    "record",
    "record_engine",
    "recorded",
    "to_render",
    "to_send",
]

#: The server's video, kept beside the processed one in a processed take's folder.
RAW_FILE = FILE_NAMES["raw"]

_TABLE = """CREATE TABLE IF NOT EXISTS postprocessed (
    take_id TEXT PRIMARY KEY,
    raw_take TEXT,
    raw_file TEXT,
    processed_file TEXT NOT NULL,
    interpolate INTEGER NOT NULL,
    upscale INTEGER NOT NULL,
    done_by TEXT NOT NULL,
    motion TEXT,
    seconds REAL,
    created_at REAL NOT NULL
)"""


@dataclass(frozen=True)
class PostRecord:
    """Which of a processed take's files is which, and how it was made."""

    take_id: str
    #: The take the server rendered (None where the engine processed it itself).
    raw_take: str | None
    #: Paths relative to the media folder: the server's video (None: not kept) and the
    #: processed one.
    raw_file: str | None
    processed_file: str
    interpolate: int
    upscale: int
    #: "kernel" (FFmpeg's filters here) or the engine's dialect name ("sglang"); the factors
    #: above are what it did (a raw take an engine interpolated has a row of its own).
    done_by: str
    motion: str | None
    seconds: float | None


def raw_request(request: VideoRequest, dialect: Dialect | None) -> VideoRequest | None:
    """The request the server is sent for a take whose post-processing the kernel does (its
    post options left out), or None when the kernel has nothing to do for it."""
    local = postprocessing.local(request.options.given(), dialect.name if dialect else None)
    if not local:
        return None
    return request.with_options(**dict.fromkeys(local))


async def to_send(client: VideosClient, request: VideoRequest) -> VideoRequest | None:
    """The raw request to make first, when ``request``'s post-processing is the kernel's on
    this client's server (its dialect asked once, when a post option is set and it is not
    known yet); None when the server is sent ``request`` itself."""
    given = request.options
    if all(getattr(given, name) is None for name in postprocessing.POST_OPTIONS):
        return None
    dialect = client.dialect or (await client.detect()).dialect
    return raw_request(request, dialect)


def follow(take: Take, raw: Take) -> Callable[[], None]:
    """Show ``raw``'s progress and live preview on ``take`` while it renders (its player and
    grid cell move with it; the ledger keeps the raw take's own); returns the function that
    stops."""

    def show(source: Take) -> None:
        if source.preview is not None and source.preview != take.preview and not take.done:
            take.show_preview(source.preview)
        status = "queued" if source.status == "pending" else source.status
        if not source.done and (status, source.progress) != (take.status, take.progress):
            take.update(status=status, progress=min(source.progress, 99))

    return raw.on_change(show)


async def finish(ledger: Ledger, take: Take, raw: Take, write: Callable[..., None]) -> None:
    """Finish ``take`` from its finished raw take: made on the kernel and recorded, or failed
    with the raw take's reason; ``write`` records each change (the runner's)."""
    if not raw.ok:
        why = raw.error.message if raw.error else f"it is {raw.status}"
        write(
            status="failed",
            error=TakeFailure(
                code="raw_take_failed",
                message=f"Its video as rendered (take {raw.id}) did not come: {why}",
            ),
            completed_at=time.time(),
        )
        return
    write(status="in_progress", progress=99)
    result = await asyncio.to_thread(make, take, raw)
    record(ledger, take, raw, result)
    stages = dict(raw.stage_durations or {})
    stages["postprocessing"] = round(result.seconds, 3)
    # The raw take paid for the render (and spent its GPU time): this one costs nothing more.
    write(
        status="completed",
        progress=100,
        error=None,
        cost=0.0,
        estimated_cost=0.0,
        stage_durations=stages,
        completed_at=time.time(),
    )


def to_render(
    requests: Iterable[VideoRequest],
    dialect: Dialect | None,
    lookup: Callable[[VideoRequest], Take],
) -> list[VideoRequest]:
    """What the server renders for these new takes: a take the kernel post-processes counts
    as its raw request, once however many takes are made from it, and not at all when its raw
    take is already made or on its way (``lookup`` says)."""
    seen: set[str] = set()
    rendered = []
    for request in requests:
        raw = raw_request(request, dialect)
        if raw is not None:
            found = lookup(raw)
            if found.cached or found.job_id is not None:
                continue
            request = raw
        key = request.cache_key("")
        if key not in seen:
            seen.add(key)
            rendered.append(request)
    return rendered


def make(take: Take, raw: Take) -> media_post.PostResult:
    """Make ``take``'s files from its raw take's video: ``raw.mp4`` (a link to, or a copy of,
    the server's video), ``video.mp4`` processed, and the previews of the processed video."""
    kept = take.path("raw")
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.unlink(missing_ok=True)
    try:
        os.link(raw.path("video"), kept)  # the same bytes, stored once
    except OSError:
        shutil.copyfile(raw.path("video"), kept)
    # Only what the server did not do already (vLLM-Omni interpolates, and upscales nothing).
    wanted, done = take.request.options, raw.request.options
    result = media_post.postprocess(
        kept,
        take.path("video"),
        interpolate=(wanted.interpolate or 1) if done.interpolate is None else 1,
        upscale=(wanted.upscale or 1) if done.upscale is None else 1,
    )
    for variant in ("thumbnail", "spritesheet"):
        with contextlib.suppress(FileNotFoundError):
            take.path(variant).unlink()
    restore_previews(take)
    return result


def record(ledger: Ledger, take: Take, raw: Take, result: media_post.PostResult) -> None:
    """Record that ``take`` was made on the kernel from ``raw`` (see :func:`make`)."""
    _write(
        ledger,
        take.id,
        raw.id,
        f"{take.folder}/{RAW_FILE}",
        take,
        result.interpolate,
        result.upscale,
        "kernel",
        result.motion,
        result.seconds,
    )


def record_engine(ledger: Ledger, take: Take, dialect: Dialect | None) -> None:
    """Record that ``take``'s server did its post options itself (no raw file is kept)."""
    given = take.request.options
    done = [n for n in postprocessing.POST_OPTIONS if getattr(given, n) is not None]
    if not done or dialect is None:
        return
    _write(
        ledger,
        take.id,
        None,
        None,
        take,
        given.interpolate or 1,
        given.upscale or 1,
        dialect.name,
        None,
        None,
    )


def recorded(ledger: Ledger, take_id: str) -> PostRecord | None:
    """What the ledger says of a processed take's files, or None for a take as rendered."""
    ledger.write(_TABLE)
    rows = ledger.read("SELECT * FROM postprocessed WHERE take_id = ?", (take_id,))
    if not rows:
        return None
    row = rows[0]
    return PostRecord(**{name: row[name] for name in PostRecord.__dataclass_fields__})


def _write(ledger: Ledger, take_id: str, raw_take: str | None, raw_file: str | None, take: Take,
           *values: Any) -> None:  # fmt: skip
    ledger.write(_TABLE)
    ledger.write(
        "INSERT OR REPLACE INTO postprocessed VALUES (?,?,?,?,?,?,?,?,?,?)",
        (take_id, raw_take, raw_file, f"{take.folder}/video.mp4", *values, time.time()),
    )
