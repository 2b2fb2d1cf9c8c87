"""FastVideo's dialect (engine-dialects.md §C, with what FastVideo 0.2.1 was seen to answer):
SGLang's, with 32-hex ids, the server's model echoed when none is sent, a size it cannot read
silently ignored (the job then reads size "" and, with no seconds sent, seconds "0"), no range
checks on steps or guidance, multipart creates that always carry ``seconds`` 4 and ``seed`` 1024
unless sent, a failed job reading progress 0, and content answered 404 "Video still being
generated" while not ready but 500 once failed."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sora_nb.api.types import Video
from sora_nb.server.defaults import DEFAULT_SECONDS
from sora_nb.server.imitations.engine import Engine, EngineServer, inference_seconds
from sora_nb.server.imitations.sglang import error, make_parse
from sora_nb.server.jobs import JobRecord


def job_body(server: EngineServer, job: JobRecord, view: Video) -> dict[str, Any]:
    completed = view.status == "completed"
    metrics = job.metrics or {}
    extras = server.extras(job)
    size, seconds = extras.get("size_text"), extras.get("seconds_text")
    return {
        "id": job.id,
        "object": "video",
        "model": server.extras(job).get("model_sent") or server.model,
        "status": view.status,
        # A failed job reads 0, whatever it had reached (FastVideo 0.2.1).
        "progress": 0 if view.status == "failed" else view.progress,
        "created_at": view.created_at,
        # As the request put them: a JSON create naming no size or length reads "" and "0".
        "size": job.size if size is None else size,
        "seconds": job.seconds if seconds is None else seconds,
        "quality": "standard",
        "url": None,
        "file_path": str(server.store.root / job.id / "video.mp4"),
        "completed_at": view.completed_at if completed else None,
        "error": {"message": view.error.message} if view.error is not None else None,
        "peak_memory_mb": metrics.get("peak_memory_mb"),
        "inference_time_s": inference_seconds(job),
    }


FASTVIDEO = Engine(
    name="fastvideo",
    owned_by="fastvideo",
    new_id=lambda: uuid.uuid4().hex,
    id_pattern=re.compile(r"[0-9a-f]{32}"),
    parse_create=make_parse(
        strict_size=False,
        form_defaults={"seconds": DEFAULT_SECONDS, "seed": "1024"},
        bounded=False,
        echo_asked=True,
    ),
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
)
