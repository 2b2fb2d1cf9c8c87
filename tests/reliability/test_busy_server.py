"""A busy server: rate limits that use up the client's retries, then one transient failure."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy, RetryPolicy
from sora_nb.runs import runner as runner_module
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.runner import Runner
from sora_nb.server import ServerSettings, create_app

DROP, REFUSED, DROP_AFTER = 1, 2, 3


@dataclass
class Refusing(httpx.AsyncBaseTransport):
    """Answers the first creates with the given statuses (without passing them on), then
    lets everything through to the real server."""

    inner: httpx.AsyncBaseTransport
    statuses: list[int]
    refused: list[int] = field(default_factory=list)
    #: The same for status checks of a job (GET /v1/videos/<id>).
    polls: list[int] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        is_create = request.method == "POST" and path == "/v1/videos"
        is_poll = request.method == "GET" and path.startswith("/v1/videos/video_")
        queue = self.statuses if is_create else self.polls if is_poll else []
        if queue and not path.endswith("/content"):
            status = queue.pop(0)
            self.refused.append(status)
            if status == DROP_AFTER:  # handled by the server, then the answer is lost
                await self.inner.handle_async_request(request)
                raise httpx.RemoteProtocolError("Server disconnected", request=request)
            if status == DROP:  # the connection breaks before the answer arrives
                raise httpx.RemoteProtocolError("Server disconnected", request=request)
            if status == REFUSED:  # nothing listens there
                raise httpx.ConnectError("Connection refused", request=request)
            body = {"error": {"message": f"simulated {status}", "type": "server_error"}}
            headers = {"retry-after-ms": "10"} if status == 429 else {}
            return httpx.Response(status, json=body, headers=headers, request=request)
        return await self.inner.handle_async_request(request)


def take_error(tmp_path: Path) -> str:
    [take] = Ledger(tmp_path / "media").history()
    assert take.error is not None
    return take.error.message


async def run_one(
    tmp_path: Path, statuses: list[int], polls: list[int] | None = None
) -> tuple[str, int, Refusing]:
    app = create_app(ServerSettings(media_dir=tmp_path / "server", time_scale=0))
    wire = Refusing(httpx.ASGITransport(app=app), statuses, polls=polls or [])
    retry = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.02)
    async with VideosClient(transport=wire, retry=retry, poll=PollPolicy(floor=0.02)) as client:
        runner = Runner(client, Ledger(tmp_path / "media"), server="local")
        [take] = await runner.run([VideoRequest(prompt="a kite over the dunes")])
    app.state.server.close()
    return take.status, app.state.server.stats.jobs_created, wire


async def test_a_5xx_after_rate_limits_does_not_end_the_take(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asyncio, "sleep", _quick_sleep)  # the 2 s waits, quick
    status, jobs, wire = await run_one(tmp_path, [429, 429, 502, 429, 429, DROP])
    assert (status, jobs) == ("completed", 1)
    assert wire.refused == [429, 429, 502, 429, 429, DROP]


async def test_an_unreachable_server_fails_the_take_after_one_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asyncio, "sleep", _quick_sleep)
    status, jobs, wire = await run_one(tmp_path, [REFUSED] * 9)
    assert (status, jobs) == ("failed", 0)
    assert len(wire.refused) == 3  # the client's three attempts, no extra rounds
    assert "Could not reach" in take_error(tmp_path)


async def test_a_server_that_keeps_failing_still_fails_the_take_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asyncio, "sleep", _quick_sleep)  # the 2 s waits, quick
    rounds = runner_module.SERVER_ERROR_ROUNDS + 1
    status, jobs, wire = await run_one(tmp_path, [500] * (3 * rounds) + [200])
    assert (status, jobs) == ("failed", 0)
    assert take_error(tmp_path).startswith("The server failed (500 on POST /videos after 3")
    assert len(wire.refused) == 3 * rounds  # three attempts per round, then it gave up


_real_sleep = asyncio.sleep


async def _quick_sleep(delay: float, *args: object) -> None:
    await _real_sleep(min(delay, 0.01))


async def test_a_take_ended_by_failed_status_checks_finishes_its_job_when_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asyncio, "sleep", _quick_sleep)
    status, jobs, _ = await run_one(tmp_path, [], polls=[503] * 3)  # the job runs on, unseen
    [first] = Ledger(tmp_path / "media").history()
    assert (status, jobs, first.error.code if first.error else None) == (
        "failed",
        1,
        "ServerError",
    )
    status, jobs, _ = await run_one(tmp_path, [])  # the same cell, run again
    [again] = Ledger(tmp_path / "media").history()
    assert (status, jobs) == ("completed", 0)  # no new job: the paid one was finished
    assert (again.id, again.job_id, again.error) == (first.id, first.job_id, None)
    assert again.path("video").stat().st_size > 0


async def test_a_create_whose_answers_were_all_lost_is_retried_under_the_same_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asyncio, "sleep", _quick_sleep)
    rounds = runner_module.SERVER_ERROR_ROUNDS + 1
    status, jobs, _ = await run_one(tmp_path, [DROP_AFTER] * (3 * rounds))
    assert (status, jobs) == ("failed", 1)  # the server made the job; we never heard
    status, jobs, _ = await run_one(tmp_path, [])
    [take] = Ledger(tmp_path / "media").history()
    assert status == "completed" and take.ok
    assert jobs == 0  # the retried create was answered with the job it had already made
    server_jobs = [p for p in (tmp_path / "server" / "jobs").iterdir() if p.is_dir()]
    assert [p.name for p in server_jobs] == [take.job_id]


async def test_only_failed_rounds_in_a_row_end_a_busy_create(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asyncio, "sleep", _quick_sleep)
    rounds = runner_module.SERVER_ERROR_ROUNDS + 1
    # Each round of three ends in a 5xx, but a round of rate limits between them shows the
    # server is alive and busy: the create keeps going and the take completes.
    busy = [429, 429, 429]
    statuses = ([500] * 3 + busy) * rounds
    status, jobs, _ = await run_one(tmp_path, statuses)
    assert (status, jobs) == ("completed", 1)
