"""download: streamed to a temporary file, checked, renamed into place; nothing on failure."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.retry import RetryPolicy
from tests.api.conftest import JPEG, KEY, MP4, WEBP, FakeServer, Fault, chunks, make_client


def files_in(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def answer(status: int = 200, content: Any = MP4, **headers: str) -> Fault:
    """A fault that answers with this status, body and headers (underscores become dashes)."""
    fields = {k.replace("_", "-"): v for k, v in headers.items()}

    def fault(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, content=content() if callable(content) else content, headers=fields
        )

    return fault


@pytest.mark.parametrize(
    ("variant", "data"), [("video", MP4), ("thumbnail", WEBP), ("spritesheet", JPEG)]
)
async def test_each_variant_is_saved_to_the_destination(
    client: VideosClient, server: FakeServer, tmp_path: Path, variant: str, data: bytes
) -> None:
    video = server.add_video()
    target = tmp_path / "takes" / f"out.{variant}"

    saved = await client.download(video["id"], target, variant=variant)  # type: ignore[arg-type]

    assert saved == target
    assert target.read_bytes() == data
    assert files_in(target.parent) == [target.name]  # no temporary file left behind
    request = server.requests[-1]
    assert request.url.params["variant"] == variant
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not mkstemp's private mode


async def test_a_job_not_finished_yet_is_not_ready(
    client: VideosClient, server: FakeServer, tmp_path: Path
) -> None:
    video = server.add_video(status="in_progress")
    with pytest.raises(errors.NotReadyError, match="Wait for the job to complete"):
        await client.download(video["id"], tmp_path / "v.mp4")
    assert files_in(tmp_path) == []


async def test_a_short_body_leaves_nothing_at_the_destination(
    client: VideosClient, server: FakeServer, tmp_path: Path
) -> None:
    video = server.add_video()
    server.faults = [answer(content=MP4[:100], content_type="video/mp4", content_length="5000")] * 5
    with pytest.raises(errors.IncompleteDownloadError) as caught:
        await client.download(video["id"], tmp_path / "v.mp4")
    assert "stopped after 100 of 5000 bytes; nothing was saved" in str(caught.value)
    assert "Download it again" in str(caught.value)
    assert files_in(tmp_path) == []


async def test_an_interrupted_download_is_fetched_again_from_the_start(
    client: VideosClient, server: FakeServer, tmp_path: Path
) -> None:
    video = server.add_video()
    broken = answer(content=lambda: chunks(MP4, 100, fail_after=3), content_type="video/mp4")
    server.faults = [broken]
    target = tmp_path / "v.mp4"
    await client.download(video["id"], target)
    assert target.read_bytes() == MP4
    assert server.clock.sleeps == [0.5]


async def test_an_interrupted_download_leaves_nothing_and_keeps_an_older_file(
    server: FakeServer, tmp_path: Path
) -> None:
    video = server.add_video()
    target = tmp_path / "v.mp4"
    target.write_bytes(b"the previous take")
    broken = answer(content=lambda: chunks(MP4, 100, fail_after=2), content_type="video/mp4")
    server.faults = [broken] * 3
    async with make_client(server, retry=RetryPolicy(max_retries=2, random=lambda: 0)) as client:
        with pytest.raises(errors.IncompleteDownloadError, match="stopped after 200 bytes"):
            await client.download(video["id"], target)
    assert target.read_bytes() == b"the previous take"
    assert files_in(tmp_path) == ["v.mp4"]


async def test_cancelling_a_download_midway_leaves_nothing(
    client: VideosClient, server: FakeServer, tmp_path: Path
) -> None:
    video = server.add_video()
    started = asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield MP4[:100]
        started.set()
        await asyncio.Event().wait()  # never finishes: the user gives up
        yield MP4[100:]

    server.faults = [answer(content=slow, content_type="video/mp4")]
    task = asyncio.create_task(client.download(video["id"], tmp_path / "v.mp4"))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert files_in(tmp_path) == []


async def test_a_wrong_media_type_is_refused_and_named(
    client: VideosClient, server: FakeServer, tmp_path: Path
) -> None:
    # LiteLLM drops the variant and sends the MP4 for a thumbnail.
    video = server.add_video()
    server.content["thumbnail"] = (MP4, "video/mp4")
    with pytest.raises(errors.UnexpectedContentTypeError) as caught:
        await client.download(video["id"], tmp_path / "t.webp", variant="thumbnail")
    error = caught.value
    assert (error.expected, error.received, error.variant) == (
        "image/webp",
        "video/mp4",
        "thumbnail",
    )
    assert "derive the thumbnail" in str(error)
    assert files_in(tmp_path) == []
    assert len(server.requests) == 1  # not retried: it would answer the same


async def test_an_untyped_body_is_accepted_when_its_bytes_are_what_was_asked(
    client: VideosClient, server: FakeServer, tmp_path: Path
) -> None:
    video = server.add_video()
    server.content["video"] = (MP4, "application/octet-stream")
    server.content["thumbnail"] = (MP4, "application/octet-stream")
    await client.download(video["id"], tmp_path / "v.mp4")
    assert (tmp_path / "v.mp4").read_bytes() == MP4
    with pytest.raises(errors.UnexpectedContentTypeError, match="server sent video/mp4"):
        await client.download(video["id"], tmp_path / "t.webp", variant="thumbnail")
    assert files_in(tmp_path) == ["v.mp4"]


async def test_download_retries_a_server_error(
    client: VideosClient, server: FakeServer, tmp_path: Path
) -> None:
    video = server.add_video()
    server.fail(503, headers={"retry-after": "3"})
    server.drop(httpx.ConnectError)
    await client.download(video["id"], tmp_path / "v.mp4")
    assert server.clock.sleeps == [3.0, 1.0]
    assert (tmp_path / "v.mp4").read_bytes() == MP4


async def test_an_unknown_variant_is_refused(client: VideosClient, tmp_path: Path) -> None:
    with pytest.raises(errors.InvalidRequestError) as caught:
        await client.download("video_1", tmp_path / "x", variant="poster")  # type: ignore[arg-type]
    assert caught.value.param == "variant"


async def test_a_redirect_to_storage_is_followed_without_the_key(
    client: VideosClient, server: FakeServer, tmp_path: Path
) -> None:
    video = server.add_video()
    to_cdn = {"location": "https://cdn.test/files/v.mp4?sig=abc"}
    server.faults = [answer(302, b"", **to_cdn)]

    await client.download(video["id"], tmp_path / "v.mp4")

    api_request, cdn_request = server.requests
    assert api_request.headers["authorization"] == f"Bearer {KEY}"
    assert str(cdn_request.url) == "https://cdn.test/files/v.mp4?sig=abc"
    assert KEY not in str(cdn_request.headers.raw)
    assert "authorization" not in cdn_request.headers
    assert (tmp_path / "v.mp4").read_bytes() == MP4


async def test_a_redirect_on_the_same_server_keeps_the_key(
    client: VideosClient, server: FakeServer, tmp_path: Path
) -> None:
    video = server.add_video()
    same = {"location": f"/v1/videos/{video['id']}/content?variant=video"}
    server.faults = [answer(307, b"", **same)]
    await client.download(video["id"], tmp_path / "v.mp4")
    assert [r.headers.get("authorization") for r in server.requests] == [f"Bearer {KEY}"] * 2


async def test_a_redirect_loop_is_a_clear_error(
    client: VideosClient, server: FakeServer, tmp_path: Path
) -> None:
    video = server.add_video()
    loop = {"location": f"/v1/videos/{video['id']}/content?variant=video"}
    server.faults = [answer(302, b"", **loop)] * 100
    policy = RetryPolicy(max_retries=0)
    async with make_client(server, retry=policy) as no_retry:
        with pytest.raises(errors.APIConnectionError, match="Too many redirects"):
            await no_retry.download(video["id"], tmp_path / "v.mp4")
    assert files_in(tmp_path) == []
