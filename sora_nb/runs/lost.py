"""Saying plainly what a server no longer has, or never had: the job a take re-attaches to,
or the video a take remixes, extends or edits.
"""

from __future__ import annotations

from sora_nb.api import errors
from sora_nb.api.dialects import Dialect
from sora_nb.runs.take import Take

__all__ = ["expired_message", "no_source"]


def expired_message(take: Take, dialect: Dialect | None, *, restoring: bool) -> str:
    """Why a take's job is gone (the server's 404 for it), and what to do now."""
    lost = (
        f"This take's {take.path('video').name} is missing or damaged in "
        f"{take.path('video').parent}, and the server"
        if restoring
        else "The server"
    )
    if dialect is not None and dialect.forgets_on_restart:
        why = (
            f"the {dialect.title} keeps jobs in memory only, so a restart of the server "
            "loses them (or it was deleted)"
        )
    else:
        why = "it expired or was deleted"
    again = (
        "Run the cell again with cache=False (--no-cache) for a new take."
        if restoring
        else "Run the cell again to send it again."
    )
    return f"{lost} no longer has job {take.job_id}: {why}. {again}"


def no_source(take: Take, error: errors.NotFoundError) -> str:
    """A 404 on sending: the video the take remixes, extends or edits, if it has one, is what
    the server lacks; the error's own sentence already says so for anything else."""
    request, parent = take.request, take.request.parent
    if request.remix_of:
        source, verb = request.remix_of, "remix"
    elif parent is not None:
        source = parent.job or parent.take or ""
        verb = "extend" if parent.kind == "extension" else "edit"
    else:
        return str(error)
    said = error.server_message or "not found"
    return (
        f"The server has no video {source} to {verb} ({error.status_code}: {said}). Check the "
        f"video id, or {verb} a completed take of this server."
    )
