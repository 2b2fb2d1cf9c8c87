"""A take's folder on disk: video.mp4, thumbnail.webp, spritesheet.jpg and take.json.

take.json is a plain sidecar readable without sora_nb: what was asked, of which server, what
came back, what it cost. It is rewritten atomically, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sora_nb.runs.take import FILE_NAMES, Take

SIDECAR = "take.json"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sidecar_dict(take: Take) -> dict[str, Any]:
    """The JSON-ready description of a take written beside its files."""
    request = take.request
    return {
        "sora_nb_take": 1,
        "id": take.id,
        "status": take.status,
        "server": take.server,
        "job_id": take.job_id,
        "model": request.model,
        "size": request.size,
        "seconds": request.seconds,
        "take": request.take,
        "prompt": request.prompt,
        "prompt_structured": request.prompt_json,
        "reference": request.reference.model_dump() if request.reference else None,
        "remix_of": request.remix_of,
        "error": take.error.model_dump() if take.error else None,
        "estimated_cost_usd": take.estimated_cost,
        "cost_usd": take.cost,
        "created_at": take.created_at,
        "submitted_at": take.submitted_at,
        "completed_at": take.completed_at,
        "files": {
            variant: name for variant, name in FILE_NAMES.items() if (take.path(variant)).exists()
        },
        "rating": take.rating,
        "note": take.note,
        "metrics": take.metrics,
    }


def write_sidecar(take: Take) -> Path:
    """(Re)write ``take.json`` in the take's folder and return its path."""
    path = take.path("video").parent / SIDECAR
    write_atomic(path, json.dumps(sidecar_dict(take), indent=2, ensure_ascii=False).encode())
    return path


def files_intact(take: Take) -> bool:
    """True when the take's video exists and is non-empty (thumbnails can be re-derived)."""
    video = take.path("video")
    return video.is_file() and video.stat().st_size > 0
