"""A take's folder on disk: video.mp4, thumbnail.webp, spritesheet.jpg and take.json.

take.json is a plain sidecar readable without sora_nb: what was asked, of which server, what
came back, what it cost. It is rewritten atomically, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sora_nb import media
from sora_nb.api.types import ContentVariant
from sora_nb.media import write_atomic
from sora_nb.runs.take import FILE_NAMES, Take

SIDECAR = "take.json"


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


def keep_private(take: Take) -> None:
    """Make the take's files readable by their user only (0600), as every file sora_nb writes
    itself already is: a download arrives with the usual permissions."""
    for variant in FILE_NAMES:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(take.path(variant), 0o600)


def files_intact(take: Take) -> bool:
    """True when the take's video is a whole MP4 (thumbnails can be re-derived).

    A deleted, emptied, overwritten or half-copied video is not intact: the runner then fetches
    it again from the take's job instead of showing a broken player or paying for a new take.
    """
    return mp4_complete(take.path("video"))


def mp4_complete(path: Path) -> bool:
    """True when ``path`` is an MP4 whose top-level boxes (ftyp ... moov ... mdat) exactly fill
    the file: a cut-short or foreign file fails this without decoding anything."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            offset, names = 0, set()
            while offset < size:
                handle.seek(offset)
                header = handle.read(16)
                if len(header) < 8:
                    return False
                length, name = int.from_bytes(header[:4], "big"), header[4:8]
                if length == 1:  # a 64-bit size follows the name
                    if len(header) < 16:
                        return False
                    length = int.from_bytes(header[8:16], "big")
                elif length == 0:  # the box runs to the end of the file
                    length = size - offset
                if length < 8 or offset + length > size:
                    return False
                if offset == 0 and name != b"ftyp":
                    return False
                names.add(name)
                offset += length
    except OSError:
        return False
    return size > 0 and b"moov" in names


#: The preview files a take's video can always give again, without asking the server.
DERIVATIONS: tuple[tuple[ContentVariant, Callable[[Path], bytes]], ...] = (
    ("thumbnail", media.thumbnail_from_video),
    ("spritesheet", media.spritesheet_from_video),
)


def restore_previews(take: Take) -> None:
    """Derive a cached take's thumbnail or spritesheet again from its video if one was lost, so
    its player and grid cell keep their poster and hover-scrub; nothing is sent."""
    for variant, derive in DERIVATIONS:
        target = take.path(variant)
        if not (target.is_file() and target.stat().st_size > 0):
            write_atomic(target, derive(take.path("video")))
