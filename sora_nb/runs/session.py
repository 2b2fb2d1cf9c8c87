"""Session: one media folder, one server, one runner: the object every entry point shares.

The magic, the widgets and ``sora_nb.generate`` all build VideoRequests here and hand them to
the same Runner, so there is exactly one path from a prompt to a Take.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from sora_nb import catalog
from sora_nb.runs.cost import CostEstimate, estimate
from sora_nb.runs.defaults import Defaults
from sora_nb.runs.grid import Axis, GridError, GridPlan, GridRun, plan_grid
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.loop import run_sync, submit
from sora_nb.runs.references import prepare_reference
from sora_nb.runs.request import LOCAL_SERVER, VideoRequest
from sora_nb.runs.runner import DEFAULT_CONCURRENCY, Runner
from sora_nb.runs.take import Take

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.server.settings import ServerSettings

DEFAULT_MEDIA_DIR = "sora_media"


def default_media_dir() -> Path:
    """``$SORA_NB_HOME`` if set, else ``./sora_media`` beside the notebook."""
    return Path(os.environ.get("SORA_NB_HOME") or DEFAULT_MEDIA_DIR).expanduser()


class Session:
    """A media folder, a server (the bundled server unless told otherwise) and its runner."""

    def __init__(
        self,
        media_dir: Path | str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | SecretStr | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        budget: float | None = None,
        bundled: ServerSettings | None = None,
        client_options: dict[str, Any] | None = None,
        started: float | None = None,
        run_type: type[GridRun] = GridRun,
        defaults: Defaults | None = None,
    ) -> None:
        """``run_type`` is the class of the runs ``run_plan`` returns: the notebook layer passes
        a GridRun with research tools on it, which this layer does not import. ``defaults``
        (the built-in ones with ``SORA_NB_*`` variables applied when not given) fill in what a
        plan does not say."""
        from sora_nb.api.config import resolve_server

        self.media_dir = Path(media_dir).expanduser() if media_dir else default_media_dir()
        self.ledger = Ledger(self.media_dir)
        self._config = resolve_server(base_url=base_url, api_key=api_key)
        self.server = self._config.base_url or LOCAL_SERVER
        self.concurrency = concurrency
        #: Dollars this session (the kernel) may spend in all; None for no limit.
        self.budget = budget
        #: When spending for the per-kernel budget is counted from (the kernel's start, when
        #: the notebook layer passes it, so rebuilding the session forgets nothing).
        self.started = started if started is not None else time.time()
        self._bundled = bundled
        self._client_options = client_options or {}
        self._runner: Runner | None = None
        self.run_type = run_type
        #: What a plan uses for anything it does not say; replace it (it is frozen) to change.
        self.defaults = defaults if defaults is not None else Defaults.from_env(os.environ)

    def __repr__(self) -> str:
        return f"<sora_nb Session server={self.server} media_dir={str(self.media_dir)!r}>"

    # -- building requests -----------------------------------------------------------------

    def plan(
        self,
        prompt: str,
        *,
        axes: Sequence[Axis] = (),
        model: str | None = None,
        size: str | None = None,
        seconds: int | None = None,
        takes: int | None = None,
        image: Path | str | None = None,
        fit: bool = False,
        remix_of: Take | str | None = None,
    ) -> GridPlan:
        """Plan the takes of a prompt (over up to three axes) and check every one of them.

        What is not given (None) comes from :attr:`defaults`. ``remix_of`` is a completed Take
        or a server job id. Each request is checked against its model's catalog profile, and a
        reference image against the size, so a mistake raises a specific error before anything
        is sent.
        """
        model = model or self.defaults.model
        size = size or self.defaults.size
        seconds = seconds if seconds is not None else self.defaults.seconds
        takes = takes if takes is not None else self.defaults.takes
        if takes < 1:
            raise GridError(f"takes must be at least 1, not {takes}.")
        if image is not None and any(a.name == "size" for a in axes):
            raise GridError(
                "A reference image fixes the first frame at one size; vary something other "
                "than size, or run one cell per size."
            )
        reference = prepare_reference(image, size, self.media_dir, fit=fit) if image else None
        plan = plan_grid(
            prompt,
            axes,
            model=model,
            size=size,
            seconds=seconds,
            takes=takes,
            reference=reference,
            remix_of=remix_job(remix_of),
        )
        checked: set[tuple[str, str, int]] = set()
        for request in plan.requests:
            combo = (request.model, request.size, request.seconds)
            if combo not in checked:
                catalog.check_request(
                    request.model,
                    size=request.size,
                    seconds=request.seconds,
                    has_reference=reference is not None,
                )
                checked.add(combo)
        return plan

    def estimate(self, requests: Sequence[VideoRequest], *, cache: bool = True) -> CostEstimate:
        """What sending ``requests`` would cost now (cached takes cost nothing)."""
        planned = self.runner.plan(requests, cache=cache)
        return estimate(t.request for t in planned if not t.cached and t.job_id is None)

    def spent(self) -> float:
        """Dollars recorded in this media folder since this session started, counting takes
        still running at their estimate (they are paid for once sent)."""
        return self.ledger.spent(since=self.started) + self.ledger.committed(since=self.started)

    # -- running ---------------------------------------------------------------------------

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            self._runner = Runner(
                self._make_client(), self.ledger, server=self.server, concurrency=self.concurrency
            )
        return self._runner

    def _make_client(self) -> Any:
        if self._bundled is not None and self._config.uses_bundled:
            # Explicit bundled-server settings (a time scale, faults): a private app, same client.
            import httpx

            from sora_nb.api.client import VideosClient
            from sora_nb.server import create_app

            transport = httpx.ASGITransport(app=create_app(self._bundled))
            return VideosClient(transport=transport, **self._client_options)
        from sora_nb.connection import connect

        return connect(
            self._config.base_url,
            self._config.api_key,
            media_dir=self.media_dir / "server",
            **self._client_options,
        )

    async def arun(
        self,
        requests: Sequence[VideoRequest],
        *,
        cache: bool = True,
        budget: float | None = None,
        wait: bool = True,
        on_update: Callable[[Take], None] | None = None,
    ) -> list[Take]:
        """Run ``requests`` on the current event loop (for ``await`` in a notebook)."""
        self._check_session_budget(requests, cache=cache)
        return await self.runner.run(
            requests, cache=cache, budget=budget, wait=wait, on_update=on_update
        )

    def run(
        self,
        requests: Sequence[VideoRequest],
        *,
        cache: bool = True,
        budget: float | None = None,
        wait: bool = True,
        on_update: Callable[[Take], None] | None = None,
    ) -> list[Take]:
        """Run ``requests`` on sora_nb's background loop; block unless ``wait=False``."""
        self._check_session_budget(requests, cache=cache)
        coro = self.runner.run(requests, cache=cache, budget=budget, wait=wait, on_update=on_update)
        if wait:
            return run_sync(coro)
        return submit(coro).result()

    async def arun_plan(
        self,
        plan: GridPlan,
        *,
        cache: bool = True,
        budget: float | None = None,
        wait: bool = True,
        on_update: Callable[[Take], None] | None = None,
    ) -> GridRun:
        """Run a planned grid on the current event loop; its takes fill in as jobs finish."""
        takes = await self.arun(
            plan.requests, cache=cache, budget=budget, wait=wait, on_update=on_update
        )
        return self.run_type(plan, takes)

    def run_plan(
        self,
        plan: GridPlan,
        *,
        cache: bool = True,
        budget: float | None = None,
        wait: bool = True,
        on_update: Callable[[Take], None] | None = None,
    ) -> GridRun:
        """Run a planned grid on sora_nb's background loop; block unless ``wait=False``."""
        takes = self.run(plan.requests, cache=cache, budget=budget, wait=wait, on_update=on_update)
        return self.run_type(plan, takes)

    def resume(self) -> list[Take]:
        """Finish every take left unfinished in this media folder (after a crash or restart)."""
        return run_sync(self.runner.resume())

    def _check_session_budget(self, requests: Sequence[VideoRequest], *, cache: bool) -> None:
        from sora_nb.runs.cost import check_budget

        if self.budget is not None:
            check_budget(
                self.estimate(requests, cache=cache),
                budget=self.budget,
                spent=self.spent(),
                scope="this kernel",
            )


def remix_job(remix: Take | str | None) -> str | None:
    """The server job id a remix starts from: a completed Take's, or an id given as text."""
    if remix is None or isinstance(remix, str):
        return remix
    if remix.job_id is None or not remix.ok:
        raise GridError(f"Take {remix.id} is {remix.status}; only a completed take can be remixed.")
    return remix.job_id
