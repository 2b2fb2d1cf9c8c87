"""Sending a take's job: the create, remix, extension or edit, with the patience a busy server
needs.

:class:`TakeSubmitter` sends a take to the server once it is recorded (a
:class:`~sora_nb.runs.runner.Runner` holds one): it keeps going round while the server is busy
(429 "too many running tasks") or fails transiently (a 5xx, a dropped answer), always under the
take's own idempotency key, so a retry never starts a second job; and it writes the job id the
moment the server answers.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.types import Video
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.source_prep import resolved
from sora_nb.runs.take import Take

#: How long a take may keep being refused with 429 "too many running tasks" before giving up.
RATE_LIMIT_PATIENCE = 600.0
#: Extra rounds of the client's retries a create gets when they end in a 5xx.
SERVER_ERROR_ROUNDS = 2


def write_change(ledger: Ledger, take: Take, **changes: object) -> None:
    """Record ``changes`` to a take in its ledger, then on the Take its listeners follow."""
    ledger.update(take.id, **changes)
    take.update(**changes)


class TakeSubmitter:
    """Sends a recorded take's job to the server through ``client`` and writes the job's id
    and first status to ``ledger`` the moment the server answers."""

    def __init__(self, client: VideosClient, ledger: Ledger) -> None:
        self.client = client
        self.ledger = ledger

    async def submit(self, take: Take) -> None:
        """Create (or remix, extend, edit) the take's job, going round while the server is
        busy, under the take's id as idempotency key: a retry never starts a second job."""
        request = take.request
        started = time.monotonic()
        server_rounds = 0
        while True:
            try:
                if request.remix_of:
                    video = await self.client.remix(
                        request.remix_of, prompt=request.prompt, idempotency_key=take.id
                    )
                elif request.parent is not None:
                    video = await self._derive(take)
                else:
                    reference = None
                    if request.reference is not None:
                        ref_path = self.ledger.media_dir / request.reference.path
                        reference = (ref_path.name, ref_path.read_bytes())
                    video = await self.client.create(
                        prompt=request.prompt,
                        model=request.model,
                        size=request.size,
                        seconds=str(request.seconds),
                        input_reference=reference,
                        characters=[member.id for member in request.characters] or None,
                        idempotency_key=take.id,
                        options=resolved(request.options, self.ledger.media_dir, self.ledger),
                    )
                break
            except errors.RateLimitError:
                # The client already retried with backoff; a cap on running jobs can last
                # minutes, so wait longer here (the idempotency key keeps this safe).
                if time.monotonic() - started > RATE_LIMIT_PATIENCE:
                    raise
                server_rounds = 0  # it answers, it is busy: only failures in a row count
                await asyncio.sleep(2.0)
            except (errors.ServerError, errors.APIConnectionError) as exc:
                # A busy server spends the client's retries on "too many running tasks" and
                # can end them with one transient 5xx or dropped answer: no verdict on this
                # take. Go round a few more times (same idempotency key: never a second job).
                # A server that cannot be reached at all, or does not answer in time, fails
                # the take now rather than after minutes.
                server_rounds += 1
                if server_rounds > SERVER_ERROR_ROUNDS or not _transient(exc):
                    raise
                await asyncio.sleep(2.0)
        write_change(
            self.ledger,
            take,
            job_id=video.id,
            status=take_status(video.status),
            progress=video.progress,
            error=None,
            submitted_at=time.time(),
        )

    async def _derive(self, take: Take) -> Video:
        """Send an extension or an edit of the take's parent (its job looked up here)."""
        request = take.request
        parent = request.parent
        assert parent is not None
        job = parent.job
        if parent.take is not None:
            source = self.ledger.get(parent.take)
            if source is None or not source.ok or source.job_id is None:
                state = "not in this media folder" if source is None else source.status
                raise errors.InvalidRequestError(
                    f"Not sent: this {parent.kind} starts from take {parent.take}, which is "
                    f"{state}; only a finished take can be extended or edited. Finish that "
                    "take first (run its cell again)."
                )
            job = source.job_id
        assert job is not None
        if parent.kind == "extension":
            return await self.client.extend(
                job, prompt=request.prompt, seconds=request.seconds, idempotency_key=take.id
            )
        return await self.client.edit(job, prompt=request.prompt, idempotency_key=take.id)


def _transient(exc: errors.SoraError) -> bool:
    """True for a 5xx, or a connection broken after the server was reached (not a refused
    connection, not a timeout)."""
    if isinstance(exc, errors.ServerError):
        return True
    if isinstance(exc, errors.APITimeoutError):
        return False
    return not isinstance(exc.__cause__, httpx.ConnectError)


def take_status(status: str) -> str:
    """A take's status for a job's: any status but these four reads as ``in_progress``."""
    return status if status in ("queued", "in_progress", "completed", "failed") else "in_progress"
