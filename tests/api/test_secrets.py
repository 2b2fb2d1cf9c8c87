"""The API key: sent only to the configured origin, and never shown in a repr, error or log."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import httpx
import pytest

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.config import resolve_server
from sora_nb.api.retry import RetryPolicy
from sora_nb.api.sync import SyncVideosClient
from tests.api.conftest import KEY, FakeServer, checked, error_response, make_client


def test_the_key_is_in_no_repr() -> None:
    client = VideosClient("http://server.test/v1", KEY)
    assert KEY not in repr(client)
    assert "api_key=set" in repr(client)
    config = resolve_server("http://server.test/v1", KEY, environ={})
    assert KEY not in repr(config) and KEY not in str(config)
    assert KEY not in config.model_dump_json()
    with SyncVideosClient("http://server.test/v1", KEY) as sync:
        assert KEY not in repr(sync)


async def test_a_server_echoing_the_key_in_its_error_does_not_leak_it(
    client: VideosClient, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"Incorrect API key provided: {KEY}. Find your key at ..."
    server.faults = [
        lambda r: error_response(401, echo, param=f"key={KEY}", code=KEY),
        lambda r: httpx.Response(500, text=f"upstream said Authorization: Bearer {KEY}"),
        lambda r: httpx.Response(200, text=f"<html>hello {KEY}</html>"),
    ]
    raised: list[errors.SoraError] = []
    with pytest.raises(errors.AuthenticationError) as auth:
        await client.create(prompt="a fox")
    raised.append(auth.value)
    async with make_client(server, retry=RetryPolicy(max_retries=0)) as once:
        with pytest.raises(errors.ServerError) as server_error:
            await once.retrieve("video_1")
        raised.append(server_error.value)
        with pytest.raises(errors.UnexpectedResponseError) as odd:
            await once.retrieve("video_1")
        raised.append(odd.value)

    for error in raised:
        shown = " ".join(
            [str(error), repr(error), *map(str, error.args)]
            + [str(getattr(error, a, "")) for a in ("param", "code", "server_message")]
        )
        assert KEY not in shown, shown
        assert "[redacted]" in str(error)
    assert "Incorrect API key provided: [redacted]" in str(raised[0])
    assert caplog.records, "the client logs at DEBUG"
    assert KEY not in caplog.text


async def test_logs_of_a_whole_session_never_show_the_key(
    client: VideosClient, server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.fail(503)
    server.drop(httpx.ConnectError)
    video = await client.create(prompt="a fox")
    await client.wait(video.id)
    await client.download(video.id, tmp_path / "v.mp4")
    assert any("retrying" in r.getMessage() for r in caplog.records)
    assert KEY not in caplog.text


async def test_a_connection_error_message_does_not_carry_the_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy refused {request.headers['authorization']}")

    transport = checked(handler)
    policy = RetryPolicy(max_retries=0)
    async with VideosClient("http://s.test/v1", KEY, transport=transport, retry=policy) as c:
        with pytest.raises(errors.APIConnectionError) as caught:
            await c.retrieve("video_1")
    assert KEY not in str(caught.value)
    assert "Bearer [redacted]" in str(caught.value)


async def test_no_key_is_sent_when_none_is_configured(server: FakeServer) -> None:
    server.key = None
    async with VideosClient("http://server.test/v1", transport=server.transport()) as client:
        await client.create(prompt="a fox")
    assert "authorization" not in server.requests[-1].headers


async def test_the_key_goes_only_to_the_configured_origin() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "v", "object": "video.deleted", "deleted": True})

    transport = checked(handler)
    async with VideosClient("https://gw.test:8443/v1", KEY, transport=transport) as client:
        await client.delete("v")
        # Same host, another port or scheme, is another origin: no key.
        for url in ("https://gw.test/v1/videos/v", "http://gw.test:8443/v1/videos/v"):
            await client._http.send(client._http.build_request("DELETE", url))
    assert [r.headers.get("authorization") for r in seen] == [f"Bearer {KEY}", None, None]


async def test_debug_logs_of_real_http_traffic_never_show_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Over a real socket, so httpx's and httpcore's own DEBUG logging is in play too.
    caplog.set_level(logging.DEBUG)
    heads: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        body = json.dumps(
            {"error": {"message": f"Bad key {KEY}", "type": "auth", "param": None, "code": None}}
        ).encode()
        head = "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
        head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        writer.write(head.encode() + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, VideosClient(f"http://127.0.0.1:{port}/v1", KEY) as client:
        with pytest.raises(errors.AuthenticationError) as caught:
            await client.retrieve("video_1")
    assert f"Authorization: Bearer {KEY}\r\n".encode() in heads[0]  # it was really sent
    assert {r.name.split(".")[0] for r in caplog.records} >= {"httpcore", "sora_nb"}
    assert KEY not in caplog.text
    assert KEY not in str(caught.value)
