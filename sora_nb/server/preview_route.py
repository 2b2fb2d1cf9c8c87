"""``GET /v1/videos/{id}/content?variant=preview``: the newest live preview of a job.

sora_nb's own extension of the Videos API, served only by the bundled server in its own
dialect (its model cards then say ``"previews": true``): a small JPEG of the middle frame as
the model denoises it (an open model), or the storyboard frame (the animatic). A client asks
for it; nothing else changes for clients that do not.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from starlette.responses import Response

from sora_nb.server.errors import APIError, invalid
from sora_nb.server.job_records import JobRecord
from sora_nb.server.renderers.preview_slot import MEDIA_TYPE

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.server.state import BundledServer

__all__ = ["preview_response"]


async def preview_response(server: BundledServer, job: JobRecord) -> Response:
    """The job's newest preview, a 400 where this server makes none, a 404 before the first."""
    store = server.store
    if not store.abilities.previews:
        model = ", ".join(store.abilities.models or ()) or "its models"
        raise invalid(
            f"This server's {store.abilities.kind} renderer makes no live previews of {model}; "
            "ask for variant=video once the job has completed.",
            param="variant",
            code="unsupported_variant",
        )
    data = await asyncio.to_thread(store.renders.preview, job.id)
    if data is None:
        video = store.view(job)
        state = (
            "failed before its first preview"
            if video.status == "failed"
            else f"has no preview yet (status {video.status}, {video.progress}%); ask again "
            "after its first steps"
        )
        raise APIError(404, f"Video {job.id} {state}.", param="video_id", code="preview_not_ready")
    return Response(data, media_type=MEDIA_TYPE, headers={"cache-control": "no-store"})
