"""SyncVideosClient: blocking calls for scripts, working inside a running loop (Jupyter) too."""

from __future__ import annotations

import asyncio
import gc
import threading
from pathlib import Path

import pytest

from sora_nb.api import errors
from sora_nb.api.retry import PollPolicy, RetryPolicy
from sora_nb.api.sync import SyncVideosClient
from sora_nb.api.types import Video
from tests.api.conftest import BASE_URL, KEY, MP4, FakeServer


def make_sync(server: FakeServer) -> SyncVideosClient:
    return SyncVideosClient(
        BASE_URL,
        KEY,
        transport=server.transport(),
        clock=server.clock,
        retry=RetryPolicy(random=lambda: 0.0),
        poll=PollPolicy(random=lambda: 0.0),
    )


def test_a_script_runs_a_whole_job_without_any_event_loop(
    server: FakeServer, tmp_path: Path
) -> None:
    with make_sync(server) as client:
        video = client.create(prompt="a fox", model="sora-2", seconds=4)
        seen: list[str] = []
        done = client.wait(video, on_progress=lambda v: seen.append(v.status))
        saved = client.download(done, tmp_path / "fox.mp4")
        assert client.retrieve(video.id).status == "completed"
        remix = client.remix(done, prompt="at night")
        listed = [v.id for v in client.list(page_size=1)]
        assert client.list_page(limit=1).has_more
        assert client.delete(remix).deleted
    assert done.status == "completed" and seen[-1] == "completed"
    assert saved.read_bytes() == MP4
    assert listed == [remix.id, video.id]


async def test_it_works_when_called_inside_a_running_loop(server: FakeServer) -> None:
    # A Jupyter cell runs inside the kernel's loop; asyncio.run() would refuse here.
    assert asyncio.get_running_loop().is_running()
    with make_sync(server) as client:
        video = client.create(prompt="a fox")
        assert client.wait(video.id).status == "completed"


def test_errors_arrive_typed_as_from_the_async_client(server: FakeServer) -> None:
    with make_sync(server) as client:
        with pytest.raises(errors.NotFoundError, match="Check the video id"):
            client.retrieve("video_404")
        with pytest.raises(errors.InvalidRequestError, match="needs sora-2-pro"):
            client.create(prompt="a fox", model="sora-2", size="1792x1024")


def test_calling_it_from_its_own_callback_is_refused_not_deadlocked(server: FakeServer) -> None:
    with make_sync(server) as client:
        video = client.create(prompt="a fox")

        def nested(v: Video) -> None:
            client.retrieve(v.id)

        with pytest.raises(RuntimeError, match="use the async VideosClient there"):
            client.wait(video.id, on_progress=nested)


def test_close_stops_its_thread_and_later_calls_say_so(server: FakeServer) -> None:
    before = set(threading.enumerate())
    client = make_sync(server)
    (thread,) = set(threading.enumerate()) - before
    assert thread.daemon and thread.name == "sora_nb-sync-client"
    client.close()
    client.close()  # twice is fine
    assert not thread.is_alive()
    with pytest.raises(RuntimeError, match="closed; make a new one"):
        client.retrieve("video_1")


def test_a_bad_configuration_raises_and_leaves_no_thread() -> None:
    before = set(threading.enumerate())
    with pytest.raises(errors.ConfigurationError, match="not an http"):
        SyncVideosClient("localhost:4000")
    assert set(threading.enumerate()) == before


def test_the_async_client_is_reachable_and_the_key_stays_hidden(server: FakeServer) -> None:
    with make_sync(server) as client:
        assert client.base_url == BASE_URL
        assert client.aio.base_url == BASE_URL
        assert KEY not in repr(client) and repr(client).startswith("<SyncVideosClient")


def test_from_config_builds_a_client_for_a_named_server_only() -> None:
    from sora_nb.api.config import resolve_server

    config = resolve_server("https://studio.openai.azure.com/openai/v1", KEY, environ={})
    with SyncVideosClient.from_config(config) as client:
        assert client.base_url == "https://studio.openai.azure.com/openai/v1"
    with pytest.raises(errors.ConfigurationError, match="bundled server"):
        SyncVideosClient.from_config(resolve_server(environ={}))


def test_a_client_dropped_without_close_ends_its_thread(server: FakeServer) -> None:
    before = set(threading.enumerate())
    client = make_sync(server)
    assert client.create(prompt="a fox").status == "queued"
    (thread,) = set(threading.enumerate()) - before
    del client
    gc.collect()
    thread.join(timeout=5)
    assert not thread.is_alive()
