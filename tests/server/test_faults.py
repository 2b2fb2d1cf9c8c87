"""Faults on demand: the client recovers from transient ones and reports final ones clearly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sora_nb.api import errors
from sora_nb.api.retry import NO_RETRIES, RetryPolicy
from sora_nb.server.faults import FaultInjector, FaultSettings
from tests.server.conftest import MakeApp, client_for
from tests.server.helpers import FrozenClock


def test_fault_draws_are_reproducible_from_the_seed() -> None:
    settings = FaultSettings(rate_429=0.2, rate_500=0.1, rate_drop=0.1, rate_slow=0.3, seed=7)
    first = [FaultInjector(settings).plan() for _ in range(1)]
    runs = [
        [injector.plan() for _ in range(200)]
        for injector in (FaultInjector(settings), FaultInjector(settings))
    ]
    assert runs[0] == runs[1] and first[0] == runs[0][0]
    kinds = [p.fault for p in runs[0]]
    assert 20 < kinds.count("429") < 60 and kinds.count(None) > 80
    other = [
        p.fault
        for p in (FaultInjector(settings.model_copy(update={"seed": 8})).plan() for _ in range(200))
    ]
    assert other != kinds


def test_fault_rates_that_cannot_add_up_are_refused() -> None:
    with pytest.raises(ValueError, match="at most 1"):
        FaultSettings(rate_429=0.6, rate_500=0.6)


@pytest.mark.parametrize("kind", ["429", "500", "502", "503", "drop"])
async def test_the_client_rides_out_transient_faults_without_duplicate_jobs(
    make_app: MakeApp, kind: str
) -> None:
    app = make_app(
        render=False,
        time_scale=100,
        clock=FrozenClock(),
        faults=FaultSettings(**{f"rate_{kind}": 0.4, "retry_after": 0.01, "seed": 3}),
    )
    async with client_for(app) as client:
        made = [await client.create(prompt=f"take {n}") for n in range(6)]
        for video in made:
            assert (await client.retrieve(video.id)).id == video.id
        listed = [v.id async for v in client.list()]
    bundled = app.state.server
    assert bundled.faults_served.get(kind, 0) > 0
    # Every create made exactly one job, however many attempts it took.
    assert bundled.stats.jobs_created == 6
    assert sorted(listed) == sorted(v.id for v in made)


async def test_a_dropped_connection_over_a_socket_is_retried_too(
    make_app: MakeApp, served: Callable[[Starlette], Any]
) -> None:
    app = make_app(
        render=False,
        time_scale=100,
        clock=FrozenClock(),
        faults=FaultSettings(rate_drop=0.5, seed=1),
    )
    with served(app) as base_url:
        async with client_for(base_url=base_url) as client:
            made = [await client.create(prompt=f"take {n}") for n in range(4)]
    assert app.state.server.faults_served["drop"] > 0
    assert app.state.server.stats.jobs_created == len({v.id for v in made}) == 4


@pytest.mark.parametrize(
    ("kind", "error", "words"),
    [
        ("429", errors.RateLimitError, "429"),
        ("503", errors.ServerError, "503"),
        ("drop", errors.APIConnectionError, "disconnected"),
    ],
)
async def test_final_faults_are_reported_clearly(
    make_app: MakeApp, kind: str, error: type[Exception], words: str
) -> None:
    app = make_app(render=False, faults=FaultSettings(**{f"rate_{kind}": 1.0, "retry_after": 0.01}))
    retry = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.02)
    async with client_for(app, retry=retry) as client:
        with pytest.raises(error) as caught:
            await client.retrieve("video_" + "0" * 32)
    message = str(caught.value)
    assert words in message and "after 3 attempts" in message
    assert app.state.server.stats.requests == 3


async def test_a_429_carries_retry_after(make_app: MakeApp) -> None:
    app = make_app(render=False, faults=FaultSettings(rate_429=1.0, retry_after=2.5))
    async with client_for(app, retry=NO_RETRIES) as client:
        with pytest.raises(errors.RateLimitError) as caught:
            await client.list_page()
    assert caught.value.headers["retry-after"] == "3"
    assert caught.value.headers["retry-after-ms"] == "2500"


@pytest.mark.parametrize("over_socket", [False, True], ids=["in-process", "loopback"])
async def test_truncated_downloads_are_retried_and_never_saved_short(
    make_app: MakeApp, served: Callable[[Starlette], Any], tmp_path: Path, over_socket: bool
) -> None:
    plain = make_app()
    async with client_for(plain) as client:
        video = await client.wait(await client.create(prompt="a clock ticking"))
        whole = await client.download(video, tmp_path / "whole.mp4")
    plain.state.server.close()

    always = make_app(faults=FaultSettings(rate_truncate=1.0))
    sometimes = make_app(faults=FaultSettings(rate_truncate=0.5, seed=2))
    retry = RetryPolicy(max_retries=1, initial_delay=0.01, max_delay=0.02)
    for app, name in ((always, "cut.mp4"), (sometimes, "retried.mp4")):
        if over_socket:
            with served(app) as base_url:
                async with client_for(base_url=base_url, retry=retry) as client:
                    await _download(client, video.id, tmp_path / name, whole)
        else:
            async with client_for(app, retry=retry) as client:
                await _download(client, video.id, tmp_path / name, whole)
    assert always.state.server.faults_served["truncate"] == 2


async def _download(client: Any, video_id: str, target: Path, whole: Path) -> None:
    try:
        await client.download(video_id, target)
    except errors.IncompleteDownloadError as exc:
        assert "nothing was saved" in str(exc)
        assert not target.exists()
        assert target.name == "cut.mp4"
        return
    assert target.read_bytes() == whole.read_bytes()


async def test_slow_answers_time_out_and_are_retried_over_a_socket(
    make_app: MakeApp, served: Callable[[Starlette], Any]
) -> None:
    app = make_app(render=False, faults=FaultSettings(rate_slow=0.5, slow_seconds=0.5, seed=4))
    with served(app) as base_url:
        async with client_for(base_url=base_url, timeout=httpx.Timeout(0.2)) as client:
            pages = [await client.list_page() for _ in range(4)]
    assert all(page.data == [] for page in pages)
    assert app.state.server.faults_served["slow"] > 0


async def test_the_running_job_cap_answers_too_many_running_tasks(make_app: MakeApp) -> None:
    clock = FrozenClock()
    app = make_app(time_scale=1.0, clock=clock, max_running_jobs=2)
    async with client_for(app, retry=NO_RETRIES) as client:
        await client.create(prompt="first")
        await client.create(prompt="second")
        with pytest.raises(errors.RateLimitError, match="Too many running tasks") as caught:
            await client.create(prompt="third")
        assert caught.value.code == "too_many_running_tasks"
        assert int(caught.value.headers["retry-after"]) >= 1
        await asyncio.to_thread(app.state.server.store.wait_idle, 60)
        clock.advance(5)
        third = await client.create(prompt="third")
    assert third.status == "queued"
    assert app.state.server.stats.jobs_created == 3


async def test_a_whole_run_survives_a_mix_of_faults(make_app: MakeApp, tmp_path: Path) -> None:
    mix = FaultSettings(
        rate_429=0.1,
        rate_500=0.05,
        rate_502=0.05,
        rate_503=0.05,
        rate_drop=0.1,
        rate_truncate=0.3,
        retry_after=0.01,
        seed=11,
    )
    app = make_app(faults=mix)
    retry = RetryPolicy(max_retries=8, initial_delay=0.01, max_delay=0.05, budget=10)
    async with client_for(app, retry=retry) as client:
        made = [await client.create(prompt=f"a paper plane, take {n}") for n in range(2)]
        for video in made:
            done = await client.wait(video)
            assert done.status == "completed"
            saved = await client.download(done, tmp_path / f"{done.id}.mp4")
            on_server = app.state.server.store.root / done.id / "video.mp4"
            assert saved.read_bytes() == on_server.read_bytes()
        remix = await client.wait(await client.remix(made[0], prompt="the plane lands"))
        assert remix.status == "completed"
    bundled = app.state.server
    assert bundled.stats.jobs_created == 3
    assert sum(bundled.faults_served.values()) > 0
