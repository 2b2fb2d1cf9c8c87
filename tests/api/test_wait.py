"""wait: polling pace (the server's hint, else backoff), deadline, cancellation, outcomes."""

from __future__ import annotations

import asyncio

import pytest

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy
from sora_nb.api.types import Video
from tests.api.conftest import FakeServer, error_response, make_client


async def test_wait_returns_the_completed_job_and_reports_every_state(
    client: VideosClient, server: FakeServer
) -> None:
    created = await client.create(prompt="a fox")
    seen: list[tuple[str, int]] = []

    video = await client.wait(created.id, on_progress=lambda v: seen.append((v.status, v.progress)))

    assert video.status == "completed" and video.progress == 100
    assert seen[-1] == ("completed", 100)
    # Checked at once, the new job is still queued; then it runs.
    assert seen[0] == ("queued", 0)
    assert {s for s, _ in seen[1:-1]} == {"in_progress"}
    progress = [p for _, p in seen]
    assert progress == sorted(progress)


async def test_without_a_hint_polls_back_off_from_floor_to_ceiling(
    client: VideosClient, server: FakeServer
) -> None:
    server.job_seconds = 120
    created = await client.create(prompt="a fox")
    await client.wait(created)
    # floor 2 s, x1.6 each time, capped at the ceiling of 20 s.
    assert server.clock.sleeps[:7] == pytest.approx([2.0, 3.2, 5.12, 8.192, 13.1072, 20.0, 20.0])
    assert server.status_requests(created.id) <= 12


async def test_the_poll_after_hint_is_honoured_on_every_response(
    client: VideosClient, server: FakeServer
) -> None:
    server.poll_after_ms = 1500
    server.job_seconds = 10
    created = await client.create(prompt="a fox")
    await client.wait(created.id)
    # The hint came with the create, so even the first status check waits for it.
    assert server.clock.sleeps == [1.5] * 7
    assert server.status_requests(created.id) == 7


async def test_a_changing_hint_is_followed(client: VideosClient, server: FakeServer) -> None:
    server.job_seconds = 10
    created = await client.create(prompt="a fox")
    hints = iter(["4000", "250"])

    def hint(video: Video) -> None:
        server.poll_after_ms = int(next(hints, "1000"))

    await client.wait(created.id, on_progress=hint)
    # No hint on the create: back off once (2 s); then whatever each answer said.
    assert server.clock.sleeps[:3] == [2.0, 4.0, 0.25]


async def test_a_failed_job_is_returned_not_raised(
    client: VideosClient, server: FakeServer
) -> None:
    server.outcome = "failed"
    created = await client.create(prompt="a fox")
    video = await client.wait(created.id)
    assert video.status == "failed" and video.failed
    assert video.error is not None and video.error.code == "moderation_blocked"


async def test_raise_on_failure_raises_with_the_servers_code_and_message(
    client: VideosClient, server: FakeServer
) -> None:
    server.outcome = "failed"
    created = await client.create(prompt="a fox")
    with pytest.raises(errors.JobFailedError) as caught:
        await client.wait(created.id, raise_on_failure=True)
    error = caught.value
    assert (error.code, error.server_message) == ("moderation_blocked", "The prompt was blocked.")
    assert f"Video job {created.id} failed (moderation_blocked: The prompt was blocked.)" in str(
        error
    )
    assert "create a new job" in str(error)


async def test_the_deadline_ends_waiting_with_the_last_state(
    client: VideosClient, server: FakeServer
) -> None:
    server.job_seconds = 600
    created = await client.create(prompt="a fox")
    start = server.clock.monotonic()
    with pytest.raises(errors.DeadlineExceededError) as caught:
        await client.wait(created.id, deadline=45)
    # It looks one last time at the deadline, then gives up: never later.
    assert server.clock.monotonic() - start == pytest.approx(45)
    error = caught.value
    assert error.video is not None and error.video.status == "in_progress"
    assert isinstance(error, TimeoutError)
    assert "still in_progress (7%) after 45 s" in str(error)
    assert f"wait({created.id!r}) again" in str(error)


async def test_a_finished_video_passed_in_is_returned_without_a_request(
    client: VideosClient, server: FakeServer
) -> None:
    video = Video.model_validate(server.add_video())
    assert await client.wait(video) is video
    assert server.requests == []


async def test_cancelling_the_wait_stops_polling(client: VideosClient, server: FakeServer) -> None:
    server.job_seconds = 10_000
    created = await client.create(prompt="a fox")
    task = asyncio.create_task(client.wait(created.id))
    while server.status_requests(created.id) < 3:
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    polled = server.status_requests(created.id)
    for _ in range(50):
        await asyncio.sleep(0)
    assert server.status_requests(created.id) == polled
    assert task.cancelled()


async def test_hints_are_clamped_to_sane_bounds(server: FakeServer) -> None:
    server.poll_after_ms = 0
    server.job_seconds = 1
    async with make_client(server, poll=PollPolicy(min_hint=0.2, random=lambda: 0.0)) as client:
        await client.wait((await client.create(prompt="a fox")).id)
    assert set(server.clock.sleeps) == {0.2}


async def test_wait_by_id_for_an_unknown_job_is_not_found(client: VideosClient) -> None:
    with pytest.raises(errors.NotFoundError, match="Check the video id"):
        await client.wait("video_404")


def test_poll_intervals_with_jitter_stay_between_floor_and_ceiling() -> None:
    policy = PollPolicy(random=lambda: 0.999)
    intervals = [policy.interval(n, None) for n in range(1, 20)]
    assert min(intervals) == 2.0
    assert max(intervals) <= 20.0
    assert intervals[-1] == pytest.approx(18.0, abs=0.01)  # ceiling shaved by 10% jitter


async def test_retries_of_a_status_check_stop_at_the_deadline(
    client: VideosClient, server: FakeServer
) -> None:
    server.job_seconds = 600
    created = await client.create(prompt="a fox")
    start = server.clock.monotonic()
    # The first check is fine; then the server fails for longer than the deadline leaves.
    server.faults = [lambda r: None] + [lambda r: error_response(503)] * 20
    with pytest.raises(errors.ServerError, match="503 on GET /videos/video_1 after"):
        await client.wait(created.id, deadline=6)
    assert server.clock.monotonic() - start <= 6
