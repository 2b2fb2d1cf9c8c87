"""FastVideo's dialect, as FastVideo 0.2.1's own server answers (checked against its code in
``tests/engines/test_fastvideo.py``): SGLang's parsing (JSON, or multipart sniffed from the
content type) with 32-hex ids and the server's model echoed when none is sent; a size it cannot
read silently ignored, and the job's ``size`` and ``seconds`` as the request put them (a JSON
create naming neither reads ``""`` and ``"0"``; ``seconds`` is the frame count over the rate,
24 fps when none is sent); no range checks on steps or guidance; multipart creates that carry
``seconds`` 4 and ``seed`` 1024 unless sent; ``queued`` until the end (never ``in_progress``,
progress 0 until ``completed`` at 100), a failed job reading progress 0; content answered 404
"Video still being generated" while its file is missing (a completed job's lost file too) and
500 "Video generation failed" once failed; lists of ``{data, object}`` only; ``/health``
outside ``/v1``. Its ``/v1/models`` card is FastVideo's, plus the version imitated (as the
other imitations' cards name theirs)."""

from __future__ import annotations

import dataclasses
import re
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from sora_nb.api.types import Video
from sora_nb.server.imitations.engine import (
    Asked,
    Engine,
    EngineServer,
    inference_seconds,
)
from sora_nb.server.imitations.sglang import error, make_parse
from sora_nb.server.jobs import JobRecord

#: The release whose answers this imitation follows.
VERSION = "0.2.1"
#: FastVideo's frame rate when a create names none.
_FPS = 24
_CREATED = 1_759_000_000

_parse_as_sglang = make_parse(
    strict_size=False,
    form_defaults={"seconds": "4", "seed": "1024"},
    bounded=False,
    echo_asked=True,
)


async def parse_create(request: Request, server: EngineServer) -> Asked:
    """SGLang's parsing, then the job's ``seconds`` as FastVideo works it out: the frame count
    sent (else the rate times the seconds sent, else 0) over the rate (24 unless sent)."""
    asked: Asked = await _parse_as_sglang(request, server)
    fps = int(asked.knobs.get("fps") or _FPS)
    frames = int(asked.knobs.get("num_frames") or fps * int(asked.seconds_text or 0))
    return dataclasses.replace(asked, seconds_text=str(round(frames / fps)))


def job_body(server: EngineServer, job: JobRecord, view: Video) -> dict[str, Any]:
    completed = view.status == "completed"
    metrics = job.metrics or {}
    extras = server.extras(job)
    size, seconds = extras.get("size_text"), extras.get("seconds_text")
    return {
        "id": job.id,
        "object": "video",
        "model": extras.get("model_sent") or server.model,
        "status": view.status,
        # A failed job reads 0, whatever it had reached (FastVideo 0.2.1).
        "progress": 0 if view.status == "failed" else view.progress,
        "created_at": view.created_at,
        # As the request put them: a JSON create naming no size or length reads "" and "0".
        "size": job.size if size is None else size,
        "seconds": job.seconds if seconds is None else seconds,
        "quality": "standard",
        "url": None,
        "file_path": str(_file(server, job)),
        "completed_at": view.completed_at if completed else None,
        "error": {"message": view.error.message} if view.error is not None else None,
        # Reported once the job is done; None before.
        "peak_memory_mb": metrics.get("peak_memory_mb") if completed else None,
        "inference_time_s": inference_seconds(job) if completed else None,
    }


def _file(server: EngineServer, job: JobRecord) -> Any:
    return server.store.root / job.id / "video.mp4"


def content(server: EngineServer, job: JobRecord, status: str, _variant: str | None) -> Response:
    """Any variant is the MP4; with no file yet, 404 "still being generated" (a completed
    job's lost file too), and 500 once the job failed."""
    path = _file(server, job)
    if status != "completed" or not path.is_file():
        if status == "failed":
            raise server.error(500, "Video generation failed")
        raise server.error(404, "Video still being generated")
    return FileResponse(path, media_type="video/mp4", filename=f"{job.id}.mp4")


def model_card(server: EngineServer) -> dict[str, Any]:
    """FastVideo's card, plus the version this imitation follows (FastVideo names none)."""
    return {
        "id": server.model,
        "object": "model",
        "created": _CREATED,
        "owned_by": "fastvideo",
        "root": server.model,
        "version": VERSION,  # imitated (FastVideo's own card names none)
    }


async def _health(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


FASTVIDEO = Engine(
    name="fastvideo",
    owned_by="fastvideo",
    new_id=lambda: uuid.uuid4().hex,
    id_pattern=re.compile(r"[0-9a-f]{32}"),
    parse_create=parse_create,
    job_body=job_body,
    get_status=lambda _body: 200,
    error=error,
    not_ready=(404, "Video still being generated"),
    failed_content=(500, "Video generation failed"),
    delete="forget",
    limit_range=(1, 100),
    limit_status=422,
    paged_list=False,
    shows_in_progress=False,
    content=content,
    model_card=model_card,
    extra_routes=(Route("/health", _health, methods=["GET"]),),
)
