"""The runner against the bundled server: pay once, lose nothing, keep going on failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy
from sora_nb.runs.bundle import export_bundle, import_bundle
from sora_nb.runs.cost import BudgetExceededError
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.runner import Runner
from sora_nb.server import ServerSettings, create_app

SIZE = "1280x720"
FAST_POLL = PollPolicy(floor=0.02, ceiling=0.05, min_hint=0.01)


@dataclass
class Counting(httpx.AsyncBaseTransport):
    """Counts what reaches the server, by method and path."""

    inner: httpx.AsyncBaseTransport
    sent: list[str] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.path}")
        return await self.inner.handle_async_request(request)

    def creates(self) -> int:
        return sum(1 for line in self.sent if line == "POST /v1/videos")


@dataclass
class Rig:
    runner: Runner
    transport: Counting
    ledger: Ledger
    client: VideosClient


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Callable[..., Rig]]:
    clients: list[VideosClient] = []

    def make(media: str = "media", *, server_dir: str = "server", time_scale: float = 0) -> Rig:
        app = create_app(ServerSettings(media_dir=tmp_path / server_dir, time_scale=time_scale))
        transport = Counting(httpx.ASGITransport(app=app))
        client = VideosClient(transport=transport, poll=FAST_POLL)
        clients.append(client)
        ledger = Ledger(tmp_path / media)
        return Rig(Runner(client, ledger, server="local"), transport, ledger, client)

    yield make
    for client in clients:
        await client.aclose()


def requests(prompt: str = "a lighthouse at dusk, waves", takes: int = 1) -> list[VideoRequest]:
    return [VideoRequest(prompt=prompt, size=SIZE, seconds=4, take=n) for n in range(1, takes + 1)]


async def test_a_take_completes_with_its_files_and_a_cache_hit_sends_nothing(
    rig: Callable[..., Rig],
) -> None:
    r = rig()
    [take] = await r.runner.run(requests())
    assert take.status == "completed" and take.progress == 100
    assert take.cost == pytest.approx(0.4)
    for variant in ("video", "thumbnail", "spritesheet"):
        assert take.path(variant).stat().st_size > 0
    assert (take.path("video").parent / "take.json").is_file()
    assert r.transport.creates() == 1

    r.transport.sent.clear()
    [again] = await r.runner.run(requests())
    assert again.cached and again.id == take.id
    assert r.transport.sent == []


async def test_takes_are_numbered_so_asking_again_gives_the_same_ones(
    rig: Callable[..., Rig],
) -> None:
    r = rig()
    first = await r.runner.run(requests(takes=3))
    assert len({t.job_id for t in first}) == 3
    r.transport.sent.clear()
    again = await r.runner.run(requests(takes=4))
    assert [t.id for t in again[:3]] == [t.id for t in first]
    assert r.transport.creates() == 1  # only take 4 is new


async def test_no_cache_asks_for_a_new_take_and_keeps_the_old_one(
    rig: Callable[..., Rig],
) -> None:
    r = rig()
    [old] = await r.runner.run(requests())
    [new] = await r.runner.run(requests(), cache=False)
    assert new.id != old.id and new.job_id != old.job_id
    assert old.path("video").is_file() and new.path("video").is_file()
    assert r.ledger.count() == 2


async def test_a_budget_breach_sends_nothing_and_records_nothing(
    rig: Callable[..., Rig],
) -> None:
    r = rig()
    with pytest.raises(BudgetExceededError, match=r"\$1\.00 budget.*by \$0\.20"):
        await r.runner.run(requests(takes=3), budget=1.0)
    assert r.transport.sent == []
    assert r.ledger.count() == 0


async def test_a_failed_take_records_the_servers_error_while_the_others_complete(
    rig: Callable[..., Rig],
) -> None:
    r = rig()
    batch = [
        *requests("a red kite over the dunes"),
        *requests("Mickey Mouse dancing on a table"),
        *requests("rain on a tin roof at night"),
    ]
    takes = await r.runner.run(batch)
    assert [t.status for t in takes] == ["completed", "failed", "completed"]
    failed = takes[1]
    assert failed.error is not None and failed.error.code == "moderation_blocked"
    stored = r.ledger.get(failed.id)
    assert stored is not None and stored.error == failed.error
    assert not failed.path("video").exists()


async def test_an_interrupted_run_re_attaches_to_its_job_instead_of_paying_twice(
    rig: Callable[..., Rig],
) -> None:
    r = rig(time_scale=0.5)  # a 4 s clip takes about 2 s
    task = asyncio.ensure_future(r.runner.run(requests()))
    for _ in range(200):
        await asyncio.sleep(0.02)
        pending = r.ledger.unfinished()
        if pending and pending[0].job_id:
            break
    task.cancel()  # the cell's stop button, or the kernel going away
    with pytest.raises(asyncio.CancelledError):
        await task
    [interrupted] = r.ledger.unfinished()
    assert interrupted.job_id is not None

    [take] = await r.runner.run(requests())
    assert take.status == "completed"
    assert take.job_id == interrupted.job_id
    assert r.transport.creates() == 1


async def test_resume_finishes_every_unfinished_take(rig: Callable[..., Rig]) -> None:
    r = rig(time_scale=0.5)
    task = asyncio.ensure_future(r.runner.run(requests(takes=2)))
    for _ in range(200):
        await asyncio.sleep(0.02)
        if len([t for t in r.ledger.unfinished() if t.job_id]) == 2:
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    resumed = await r.runner.resume()
    assert sorted(t.status for t in resumed) == ["completed", "completed"]
    assert r.ledger.unfinished() == []
    assert r.transport.creates() == 2


async def test_a_vanished_job_is_reported_plainly(rig: Callable[..., Rig]) -> None:
    r = rig(time_scale=0.5)
    task = asyncio.ensure_future(r.runner.run(requests()))
    for _ in range(200):
        await asyncio.sleep(0.02)
        pending = r.ledger.unfinished()
        if pending and pending[0].job_id:
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The server forgets everything (a different server folder): the job is gone.
    other = rig(server_dir="other-server")
    [take] = await other.runner.run(requests())
    assert take.status == "expired"
    assert take.error is not None and "no longer has job" in take.error.message
    assert "Run the cell again to send it again" in take.error.message


async def test_a_bundle_replays_in_an_empty_folder_with_no_server(
    rig: Callable[..., Rig], tmp_path: Path
) -> None:
    recorded = rig()
    takes = await recorded.runner.run(requests(takes=2))
    bundle = export_bundle(takes, tmp_path / "lesson.zip")

    replay = rig("fresh-media", server_dir="no-server")
    imported = import_bundle(bundle, replay.ledger)
    assert len(imported) == 2
    again = await replay.runner.run(requests(takes=2))
    assert all(t.cached and t.status == "completed" for t in again)
    assert replay.transport.sent == []
    assert again[0].path("video").read_bytes() == takes[0].path("video").read_bytes()


async def test_resume_while_takes_are_running_joins_them_instead_of_paying_twice(
    rig: Callable[..., Rig],
) -> None:
    r = rig(time_scale=0.25)
    r.runner.concurrency = 1  # the second take waits for a slot, with no job yet
    takes = await r.runner.run(requests(takes=2), wait=False)
    await asyncio.sleep(0.05)
    resumed = await r.runner.resume()
    again = await r.runner.run(requests(takes=2))
    assert [t.status for t in again] == ["completed", "completed"]
    assert {id(t) for t in resumed} <= {id(t) for t in takes}  # the same objects, joined
    assert r.transport.creates() == 2


async def test_an_unexpected_error_ends_the_take_and_a_rerun_finishes_the_same_job(
    rig: Callable[..., Rig], monkeypatch: pytest.MonkeyPatch
) -> None:
    r = rig()
    real_download = r.client.download

    async def disk_full(*args: object, **kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(r.client, "download", disk_full)
    [take] = await r.runner.run(requests())
    assert take.status == "failed" and take.error is not None
    assert take.error.code == "internal_error"
    assert "No space left on device" in take.error.message and take.job_id is not None
    assert take.wait(1) is take  # nobody is left waiting

    monkeypatch.setattr(r.client, "download", real_download)
    [again] = await r.runner.run(requests())
    assert again.status == "completed" and again.job_id == take.job_id
    assert r.transport.creates() == 1


async def test_a_broken_listener_does_not_stop_the_take(rig: Callable[..., Rig]) -> None:
    r = rig()

    def broken(_take: object) -> None:
        raise RuntimeError("a view that fails")

    [take] = await r.runner.run(requests(), on_update=broken)
    assert take.status == "completed" and take.wait(1) is take
