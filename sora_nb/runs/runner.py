"""The runner: send what the ledger lacks, re-attach to what is running, lose nothing.

For each requested take the runner first asks the ledger. A completed take with its files is
answered from disk and sends nothing. A take whose job is still running (the kernel died, the
cell was interrupted) is re-attached by its job id. Anything else is recorded *before* it is
sent, with an idempotency key, and its job id is written the moment the server answers, so a
crash at any point can be resumed without paying twice. Sending the job itself (and going round
while the server is busy) is the job of the runner's :class:`~sora_nb.runs.submit.TakeSubmitter`.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.types import Video
from sora_nb.media import write_atomic
from sora_nb.runs import post
from sora_nb.runs.adapter_gate import AdapterGate, know_dialect
from sora_nb.runs.cost import Charges, charge, check_budget, estimate, would_cost
from sora_nb.runs.files import (
    DERIVATIONS,
    files_intact,
    keep_private,
    restore_previews,
    write_sidecar,
)
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.lost import expired_message, no_source
from sora_nb.runs.preview_polls import PreviewPolls
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.submit import (
    RATE_LIMIT_PATIENCE,
    SERVER_ERROR_ROUNDS,
    TakeSubmitter,
    take_status,
    write_change,
)
from sora_nb.runs.take import Take, TakeFailure

#: How many jobs run at once by default: servers cap running jobs per key, often at 2 to 4.
DEFAULT_CONCURRENCY = 4


def take_id_for(key: str, attempt: int) -> str:
    """A short, stable id for the n-th attempt at a cell (also its idempotency key)."""
    return "take_" + hashlib.sha256(f"{key}:{attempt}".encode()).hexdigest()[:16]


class Runner:
    """Runs takes through one client and one ledger, a few at a time; its ``submitter`` sends
    each take's job."""

    def __init__(
        self,
        client: VideosClient,
        ledger: Ledger,
        *,
        server: str,
        concurrency: int = DEFAULT_CONCURRENCY,
        deadline: float | None = 3600.0,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self.client = client
        self.ledger = ledger
        self.server = server
        self.concurrency = concurrency
        self.deadline = deadline
        self.submitter = TakeSubmitter(client, ledger)
        #: Live previews of the takes rendering, where the server makes them.
        self._previews = PreviewPolls(client)
        self._semaphore: asyncio.Semaphore | None = None
        # On SGLang (adapters set server-wide) takes with different adapters never overlap.
        self._gate = AdapterGate()
        #: How the server charges for a take (asked when a take is planned: the session
        #: sets this from what the server says it is; a paid API's catalog price otherwise).
        self.charges: Callable[[], Charges] = _paid
        # Takes being driven now, by id: a re-run, a resume or a second cell joins the one
        # task (and Take object) already at work instead of starting a second create. The
        # strong references also keep non-blocking work alive on the loop.
        self._live: dict[str, tuple[Take, asyncio.Task[None]]] = {}

    @property
    def media_dir(self) -> Path:
        return self.ledger.media_dir

    # -- planning --------------------------------------------------------------------------

    def lookup(self, request: VideoRequest, *, cache: bool = True) -> Take:
        """The Take this request maps to now: from the ledger, or a new one (not yet recorded).

        With ``cache=False`` a completed take is not reused: a new attempt is planned.
        """
        key = request.cache_key(self.server)
        latest = self.ledger.latest(key)
        live = self._live.get(latest.id) if latest is not None else None
        if live is not None and not live[0].done:
            return live[0]  # still running here: join it
        # (A take whose task is only finishing is done: read it as the ledger has it.)
        if latest is not None:
            if latest.status == "completed" and cache:
                if files_intact(latest):
                    latest.cached = True
                    return latest
                if latest.job_id is not None:
                    return latest.refetch()  # its video was lost or damaged: pay nothing
            if latest.status == "failed" and cache and _passing(latest.error):
                return latest.reopen()  # its job may be running (and paid): finish that one
            if not latest.done:
                return latest  # re-attach to the running (or unacknowledged) job
        attempt = 1 if latest is None else self._attempts(key) + 1
        charges = self.charges()
        tid = take_id_for(key, attempt)
        take = Take(
            id=tid,
            key=key,
            request=request,
            server=self.server,
            estimated_cost=charge(request, charges),
            would_cost=would_cost(request, charges),
            folder=f"takes/{tid}",
        )
        return take.attach(self.media_dir, self.ledger)

    def _attempts(self, key: str) -> int:
        return self.ledger.attempts(key)

    def plan(self, requests: Sequence[VideoRequest], *, cache: bool = True) -> list[Take]:
        """Map every request to its Take without sending anything (for cost and counts)."""
        return [self.lookup(request, cache=cache) for request in requests]

    # -- running ---------------------------------------------------------------------------

    async def run(
        self,
        requests: Sequence[VideoRequest],
        *,
        cache: bool = True,
        budget: float | None = None,
        spent: float = 0.0,
        budget_scope: str = "this call",
        wait: bool = True,
        on_update: Callable[[Take], None] | None = None,
    ) -> list[Take]:
        """Generate the takes for ``requests`` and return them in the same order.

        Cached takes come back at once; the rest are checked against ``budget`` (nothing is
        sent if the new ones would pass it), then run under the concurrency limit. One failed
        take never stops the others. With ``wait=False`` the takes are returned at once and
        keep updating as their jobs run.
        """
        takes = self.plan(requests, cache=cache)
        return await self.run_takes(
            takes,
            budget=budget,
            spent=spent,
            budget_scope=budget_scope,
            wait=wait,
            on_update=on_update,
        )

    async def run_takes(
        self,
        takes: list[Take],
        *,
        budget: float | None = None,
        spent: float = 0.0,
        budget_scope: str = "this call",
        wait: bool = True,
        on_update: Callable[[Take], None] | None = None,
    ) -> list[Take]:
        """Run takes already planned (by :meth:`plan`): the same as :meth:`run` from there."""
        fresh = [t for t in takes if not t.cached and t.status == "pending" and t.job_id is None]
        check_budget(
            estimate((t.request for t in fresh), charges=self.charges()),
            budget=budget,
            spent=spent,
            scope=budget_scope,
        )
        if on_update is not None:
            for take in takes:
                take.on_change(on_update)
        for take in takes:
            if take.cached:
                await asyncio.to_thread(restore_previews, take)
        await know_dialect(self.client, (t for t in takes if not t.cached))
        work = [self._drive(take) for take in takes if not take.cached]
        if work and wait:
            await asyncio.gather(*work)
        return takes

    async def resume(self) -> list[Take]:
        """Finish every take the ledger shows as unfinished (after a crash or restart)."""
        found = [take for take in self.ledger.unfinished() if take.server == self.server]
        takes = [self._live[take.id][0] if take.id in self._live else take for take in found]
        await asyncio.gather(*(self._drive(take) for take in takes))
        return takes

    def _drive(self, take: Take) -> asyncio.Task[None]:
        """The task finishing ``take``: the one already at work, or a new one."""
        live = self._live.get(take.id)
        if live is not None:
            return live[1]
        task = asyncio.ensure_future(self._finish(take))
        self._live[take.id] = (take, task)
        task.add_done_callback(lambda _task: self._live.pop(take.id, None))
        return task

    def _sem(self) -> asyncio.Semaphore:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.concurrency)
        return self._semaphore

    async def _finish(self, take: Take) -> None:
        """Drive one take to a final state, recording every step; never raises for a job."""
        restoring = take.refetching  # its video was lost on disk; its job still holds it
        try:
            if self.ledger.get(take.id) is None:
                self.ledger.insert(take)
            raw_request = await post.to_send(self.client, take.request)
            if raw_request is not None:  # the kernel post-processes the take it renders
                raw = self.lookup(raw_request)
                if not raw.cached:
                    stop = post.follow(take, raw)
                    try:
                        await self._drive(raw)
                    finally:
                        stop()
                await post.finish(self.ledger, take, raw, lambda **c: self._set(take, **c))
                return
            loras = take.request.options.loras
            async with self._sem(), self._gate.holding(self.client.dialect, loras):
                if take.job_id is None:
                    await self.submitter.submit(take)
                video = await self.client.wait(
                    take.job_id or "",
                    deadline=self.deadline,
                    on_progress=lambda v: self._progress(take, v),
                )
                self._record_gpu(take, video)
                if video.status == "completed":
                    await self._download(take, video)
                elif video.deleted:
                    self._set(
                        take,
                        status="expired",
                        error=TakeFailure(
                            code="deleted",
                            message=f"The server deleted job {video.id} before it finished; "
                            "run the cell again to send it again.",
                        ),
                        completed_at=time.time(),
                    )
                else:
                    self._failed(take, video)
        except asyncio.CancelledError:
            raise
        except errors.JobFailedError as exc:
            self._failed(take, exc.video)
        except errors.ContentMissingError as exc:
            # The job says completed but its content is 404: the server's words, not a guess.
            self._set(
                take,
                status="expired" if exc.expired else "failed",
                error=TakeFailure(code="content_missing", message=str(exc)),
                completed_at=time.time(),
            )
        except errors.NotFoundError as exc:
            self._not_found(take, restoring=restoring, error=exc)
        except errors.SoraError as exc:
            self._set(
                take,
                status="failed",
                error=TakeFailure(code=type(exc).__name__, message=str(exc)),
                completed_at=time.time(),
            )
        except Exception as exc:
            # Anything else (a full disk, a busy ledger, a broken file) must still end the
            # take, or a cell would wait for it forever; its job id stays in the ledger, and
            # running the cell again finishes that same job.
            job = f" Its job {take.job_id} is kept" if take.job_id else ""
            self._set(
                take,
                status="failed",
                error=TakeFailure(
                    code=INTERNAL_ERROR,
                    message=(
                        f"sora_nb could not finish this take ({type(exc).__name__}: {exc}).{job}"
                        "; fix the cause and run the cell again (or %sora resume)."
                    ),
                ),
                completed_at=time.time(),
            )
        finally:
            if take.done:
                write_sidecar(take)

    def _failed(self, take: Take, video: Video) -> None:
        err = video.error
        default = f"The server reported the job {video.status}."
        self._set(
            take,
            status="failed",
            error=TakeFailure(
                code=err.code if err else video.status,
                message=(err.message if err and err.message else default),
            ),
            completed_at=time.time(),
        )

    def _record_gpu(self, take: Take, video: Video) -> None:
        # Self-hosted engines report the GPU time and memory a job took: its real cost.
        changes = {
            name: value
            for name, value in (
                ("gpu_seconds", video.inference_time_s),
                ("peak_memory_mb", video.peak_memory_mb),
                ("seconds_per_step", video.seconds_per_step),
                ("stage_durations", video.stage_durations or None),
                ("duration_s", video.duration_s),
                ("server_metrics", video.metrics or None),
            )
            if value is not None
        }
        if changes:
            self._set(take, **changes)

    def _not_found(self, take: Take, *, restoring: bool, error: errors.NotFoundError) -> None:
        """Record a 404 plainly: which job or video the server lacks, and what to do now."""
        if take.job_id is None:
            self._set(
                take,
                status="failed",
                error=TakeFailure(code="not_found", message=no_source(take, error)),
                completed_at=time.time(),
            )
            return
        self._set(
            take,
            status="expired",
            error=TakeFailure(
                code="expired",
                message=expired_message(take, self.client.dialect, restoring=restoring),
            ),
            completed_at=time.time(),
        )

    def _progress(self, take: Take, video: Video) -> None:
        self._previews.seen(take, video)
        status = take_status(video.status)
        if status in ("completed", "failed"):
            return  # recorded once the files are in place (or the error is known)
        if (status, video.progress) != (take.status, take.progress):
            self._set(take, status=status, progress=video.progress)

    async def _download(self, take: Take, video: Video) -> None:
        folder = self.media_dir / take.folder
        await self.client.download(video.id, folder / "video.mp4", variant="video")
        dialect = self.client.dialect
        asks = dialect is None or dialect.previews
        for variant, derive in DERIVATIONS:
            target = take.path(variant)
            if asks:
                try:
                    await self.client.download(video.id, target, variant=variant)
                    continue
                except (
                    errors.UnexpectedContentTypeError,
                    errors.NotFoundError,
                    errors.UnsupportedError,
                ):
                    pass  # a gateway (LiteLLM) answers with the MP4, or not at all
            # Engines make no previews (every variant is the MP4): derive them from the
            # video we already have rather than fetching it twice more.
            data = await asyncio.to_thread(derive, take.path("video"))
            write_atomic(target, data)
        keep_private(take)
        post.record_engine(self.ledger, take, dialect)
        self._set(
            take,
            status="completed",
            progress=100,
            error=None,
            cost=take.estimated_cost,
            completed_at=time.time(),
        )

    def _set(self, take: Take, **changes: object) -> None:
        write_change(self.ledger, take, **changes)


#: Errors that end a take without saying anything about its job: running the cell again
#: finishes the same job (or retries the same create) rather than starting a new one.
#: The code of a take that failed for a reason of this machine's, not the server's.
INTERNAL_ERROR = "internal_error"
PASSING_ERRORS = frozenset(
    {
        INTERNAL_ERROR,
        "ServerError",
        "RateLimitError",
        "APIConnectionError",
        "APITimeoutError",
        "IncompleteDownloadError",
        "DeadlineExceededError",
    }
)


def _paid() -> Charges:
    return "dollars"


def _passing(error: TakeFailure | None) -> bool:
    return error is not None and error.code in PASSING_ERRORS


__all__ = [
    "DEFAULT_CONCURRENCY",
    "DERIVATIONS",
    "INTERNAL_ERROR",
    "PASSING_ERRORS",
    "RATE_LIMIT_PATIENCE",
    "SERVER_ERROR_ROUNDS",
    "Runner",
    "restore_previews",
    "take_id_for",
]
