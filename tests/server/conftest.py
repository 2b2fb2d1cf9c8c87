"""Bundled-server fixtures: apps over temporary folders, spec-checked clients, a loopback server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy, RetryPolicy
from sora_nb.server import ServerSettings, create_app
from tests.openapi_spec import validate_response

#: Quick retries and polls: the bundled server's hints are honoured down to 10 ms.
FAST_RETRY = RetryPolicy(max_retries=6, initial_delay=0.01, max_delay=0.05, budget=10)
FAST_POLL = PollPolicy(floor=0.02, ceiling=0.1, min_hint=0.01)


class SpecChecked(httpx.AsyncBaseTransport):
    """Passes traffic through and checks every Videos API response against the contract."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.checked = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()  # keep the body readable for the checker (multipart streams)
        response = await self.inner.handle_async_request(request)
        chunks: list[bytes] = []
        broken: httpx.TransportError | None = None
        try:
            async for chunk in response.aiter_raw():
                chunks.append(chunk)
        except httpx.TransportError as exc:
            broken = exc  # handed on after the bytes that did arrive, as the socket did
        finally:
            await response.aclose()
        body = b"".join(chunks)
        if broken is not None:
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                stream=_BrokenStream(body, broken),
                request=request,
            )
        copy = httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )
        if request.url.path.startswith("/v1/videos"):
            complete = response.headers.get("content-length") in (None, str(len(body)))
            if complete:  # a deliberately truncated body is judged by the client, not here
                validate_response(request, copy)
                self.checked += 1
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class _BrokenStream(httpx.AsyncByteStream):
    """A body that yields what arrived, then fails the way the connection did."""

    def __init__(self, body: bytes, error: httpx.TransportError) -> None:
        self.body = body
        self.error = error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.body:
            yield self.body
        raise self.error


class RenderParked(BaseException):
    """Raised by :func:`parked`: the render never happens and the job stays in progress."""


def parked(*_args: Any) -> Any:
    """A renderer for tests about the API surface, where no job is meant to finish: it costs
    nothing, and the job stays ``in_progress`` as if its process had stopped mid-render."""
    raise RenderParked


class MakeApp:
    """Builds bundled-server apps over one temporary folder and closes them after the test.

    ``render=False`` parks every render (see :func:`parked`); jobs then never complete.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.apps: list[Starlette] = []

    def __call__(self, *, render: bool = True, **settings: Any) -> Starlette:
        settings.setdefault("media_dir", self.root)
        settings.setdefault("time_scale", 0)
        if not render:
            settings["renderer"] = parked
        app = create_app(ServerSettings(**settings))
        self.apps.append(app)
        return app

    def close(self) -> None:
        for app in self.apps:
            app.state.server.close()


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[MakeApp]:
    maker = MakeApp(tmp_path / "server")
    yield maker
    maker.close()


@pytest.fixture
def app(make_app: MakeApp) -> Starlette:
    return make_app()


def client_for(
    app: Starlette | None = None, *, base_url: str | None = None, **options: Any
) -> VideosClient:
    """A VideosClient on ``app`` in-process (or on ``base_url``), every answer spec-checked."""
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("poll", FAST_POLL)
    inner: httpx.AsyncBaseTransport = (
        httpx.ASGITransport(app=app) if base_url is None else httpx.AsyncHTTPTransport()
    )
    return VideosClient(base_url, transport=SpecChecked(inner), **options)


@pytest.fixture
def quiet_app(make_app: MakeApp) -> Starlette:
    """An app whose jobs never render: for requests that are refused or only listed."""
    return make_app(render=False)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[VideosClient]:
    async with client_for(app) as c:
        yield c


def raw_client(app: Starlette, **headers: str) -> httpx.AsyncClient:
    """Plain httpx on the app, for bodies the VideosClient would refuse to send."""
    return httpx.AsyncClient(
        transport=SpecChecked(httpx.ASGITransport(app=app)),
        base_url="http://bundled.test/v1",
        headers=headers,
    )


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def served() -> Callable[[Starlette], Any]:
    return serve
