"""An in-memory Videos API server on httpx.MockTransport that checks every request it receives.

Every request the client sends is validated against the Videos API contract with openapi-core
(through ``tests.openapi_spec``), and every answer the fake gives is validated too, so a test
passes only when both sides spoke the protocol as the spec writes it. Jobs run in simulated
time: a job is ``queued`` when created, ``in_progress`` while the :class:`SimulatedClock` moves
through its duration, and ``completed`` (or ``failed``) after it.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from PIL import Image

from sora_nb.api.client import VideosClient
from sora_nb.api.clock import SimulatedClock
from sora_nb.api.retry import PollPolicy, RetryPolicy
from tests.openapi_spec import validate_request, validate_response

BASE_URL = "http://server.test/v1"
#: A sentinel key: tests assert it never shows up where it must not.
KEY = "sk-test-SENTINEL-7f3a9c"

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 8
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"
CONTENT = {"video": (MP4, "video/mp4"), "thumbnail": (WEBP, "image/webp")}
CONTENT["spritesheet"] = (JPEG, "image/jpeg")

#: A fault: given the request, answer it (a Response), raise (an httpx error), or pass (None).
Fault = Callable[[httpx.Request], "httpx.Response | None"]


def checked(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    """A MockTransport for a one-off ``handler`` that first checks each request against the spec."""

    def handle(request: httpx.Request) -> httpx.Response:
        validate_request(request)
        return handler(request)

    return httpx.MockTransport(handle)


def error_response(
    status: int,
    message: str = "Something went wrong.",
    *,
    param: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """An error in OpenAI's envelope, as the real service and LiteLLM send it."""
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param}}
    body["error"]["code"] = code
    return httpx.Response(status, json=body, headers=headers)


def image_bytes(size: tuple[int, int] = (720, 1280), kind: str = "PNG") -> bytes:
    """A plain image of ``size`` in ``kind`` (PNG, JPEG, WEBP, GIF...)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 90, 160)).save(buffer, format=kind)
    return buffer.getvalue()


class FakeServer:
    """The Videos API in memory: create, retrieve, list, delete, remix, content."""

    def __init__(self, clock: SimulatedClock, *, key: str | None = KEY) -> None:
        self.clock = clock
        self.key = key
        self.videos: dict[str, dict[str, Any]] = {}
        self._started: dict[str, float] = {}
        self._ids = itertools.count(1)
        #: Simulated seconds a job takes; "failed" as the outcome makes every job fail.
        self.job_seconds = 30.0
        self.outcome = "completed"
        #: Sent as openai-poll-after-ms on every JSON answer when set.
        self.poll_after_ms: int | None = None
        self.requests: list[httpx.Request] = []
        #: Consumed in order, one per request, before the normal handling.
        self.faults: list[Fault] = []
        #: Content bytes and media type per variant (the media type may be overridden).
        self.content: dict[str, tuple[bytes, str]] = dict(CONTENT)
        #: Characters made through ``POST /videos/characters``, by id.
        self.characters: dict[str, dict[str, Any]] = {}

    # -- set-up helpers -----------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def fail(self, status: int, times: int = 1, **kwargs: Any) -> None:
        """Answer the next ``times`` requests with an error ``status``."""
        for _ in range(times):
            self.faults.append(lambda _r, s=status: error_response(s, **kwargs))

    def drop(self, exc: type[httpx.TransportError] = httpx.ConnectError, times: int = 1) -> None:
        """Make the next ``times`` requests fail in transport with ``exc``."""

        def fault(request: httpx.Request) -> httpx.Response:
            raise exc("simulated failure", request=request)

        self.faults.extend([fault] * times)

    def add_video(self, status: str = "completed", **fields: Any) -> dict[str, Any]:
        """Put a job straight on the server, e.g. a finished one to download."""
        video = self.videos[self._new_video({"prompt": "a lighthouse at dusk"})["id"]]
        video.update(status=status, **fields)
        if status == "completed":
            video.update(progress=100, completed_at=int(self.clock.time()))
        self._started[video["id"]] = -1e18 if status in ("completed", "failed") else 1e18
        return dict(video)

    # -- what the client sees -----------------------------------------------------------

    @property
    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.host == "server.test"]

    def status_requests(self, video_id: str) -> int:
        path = f"/v1/videos/{video_id}"
        return sum(1 for r in self.requests if r.method == "GET" and r.url.path == path)

    # -- the server ---------------------------------------------------------------------

    async def handle(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        if request.url.host != "server.test":
            return self._elsewhere(request)
        # The point of the fake: whatever the client sends must match the spec. (/models is
        # not the Videos API's: a client asking what the server is gets this fake's 404.)
        if request.url.path.startswith("/v1/videos"):
            validate_request(request)
        if self.faults:
            answer = self.faults.pop(0)(request)
            if answer is not None:
                return answer
        if self.key is not None and request.headers.get("authorization") != f"Bearer {self.key}":
            return error_response(401, "Incorrect API key provided.", code="invalid_api_key")
        response = self._route(request)
        if response.headers.get("content-type", "").startswith("application/json"):
            if self.poll_after_ms is not None and response.status_code < 400:
                response.headers["openai-poll-after-ms"] = str(self.poll_after_ms)
            validate_response(request, response)
        return response

    def _route(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.removeprefix("/v1/").split("/")
        method = request.method
        if parts == ["videos"] and method == "POST":
            return self._create(request)
        if parts == ["videos"] and method == "GET":
            return self._list(request)
        if parts[:2] == ["videos", "characters"]:
            return self._character(request, parts[2:])
        if parts in (["videos", "extensions"], ["videos", "edits"]) and method == "POST":
            return self._derive(request, parts[1])
        if len(parts) < 2 or parts[0] != "videos":
            return error_response(404, f"No route {request.url.path}.")
        video = self._refresh(parts[1])
        if video is None:
            return error_response(404, f"No video found with id '{parts[1]}'.", param="video_id")
        if len(parts) == 2 and method == "GET":
            return httpx.Response(200, json=video)
        if len(parts) == 2 and method == "DELETE":
            del self.videos[video["id"]]
            return httpx.Response(
                200, json={"id": video["id"], "object": "video.deleted", "deleted": True}
            )
        if parts[2:] == ["remix"] and method == "POST":
            body = json.loads(request.content)
            remix = self._new_video({"prompt": body["prompt"], "model": video["model"]})
            remix["remixed_from_video_id"] = video["id"]
            return httpx.Response(200, json=remix)
        if parts[2:] == ["content"] and method == "GET":
            if video["status"] != "completed":
                return error_response(404, "Video is not ready yet.", code="video_not_ready")
            data, media_type = self.content[request.url.params.get("variant", "video")]
            return httpx.Response(200, content=data, headers={"content-type": media_type})
        return error_response(404, f"No route {method} {request.url.path}.")

    def _character(self, request: httpx.Request, rest: list[str]) -> httpx.Response:
        if request.method == "POST" and not rest:
            from tests.openapi_spec import _parse_multipart

            fields, _files = _parse_multipart(request)
            ident = f"char_{next(self._ids)}"
            made = {"id": ident, "name": fields["name"], "created_at": int(self.clock.time())}
            self.characters[ident] = made
            return httpx.Response(200, json=made)
        if request.method == "GET" and len(rest) == 1 and rest[0] in self.characters:
            return httpx.Response(200, json=self.characters[rest[0]])
        return error_response(404, "Character not found.", param="character_id")

    def _derive(self, request: httpx.Request, kind: str) -> httpx.Response:
        body = json.loads(request.content)
        source = self._refresh(body["video"]["id"])
        if source is None:
            return error_response(404, "No video found.", param="video")
        if source["status"] != "completed":
            return error_response(400, "Only a completed video.", code="invalid_state")
        seconds = source["seconds"]
        if kind == "extensions":
            seconds = str(int(seconds) + int(body["seconds"]))
        return httpx.Response(
            200, json=self._new_video({"prompt": body["prompt"], "seconds": seconds})
        )

    def _create(self, request: httpx.Request) -> httpx.Response:
        if request.headers["content-type"].startswith("multipart/"):
            from tests.openapi_spec import _parse_multipart

            fields: dict[str, Any] = dict(_parse_multipart(request)[0])
        else:
            fields = json.loads(request.content)
        return httpx.Response(200, json=self._new_video(fields))

    def _new_video(self, fields: dict[str, Any]) -> dict[str, Any]:
        video_id = f"video_{next(self._ids)}"
        video = {
            "id": video_id,
            "object": "video",
            "model": fields.get("model", "sora-2"),
            "status": "queued",
            "progress": 0,
            "created_at": int(self.clock.time()),
            "completed_at": None,
            "expires_at": None,
            "prompt": fields["prompt"],
            "size": fields.get("size", "720x1280"),
            "seconds": fields.get("seconds", "4"),
            "remixed_from_video_id": None,
            "error": None,
        }
        self.videos[video_id] = video
        self._started[video_id] = self.clock.monotonic()
        return dict(video)

    def _refresh(self, video_id: str) -> dict[str, Any] | None:
        video = self.videos.get(video_id)
        if video is None or video["status"] in ("completed", "failed"):
            return video
        elapsed = self.clock.monotonic() - self._started[video_id]
        if elapsed <= 0:
            return video
        if elapsed < self.job_seconds:
            video.update(status="in_progress", progress=int(100 * elapsed / self.job_seconds))
        elif self.outcome == "failed":
            video.update(
                status="failed",
                error={"code": "moderation_blocked", "message": "The prompt was blocked."},
            )
        else:
            video.update(status="completed", progress=100, completed_at=int(self.clock.time()))
        return video

    def _list(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        videos = sorted(self.videos.values(), key=lambda v: int(v["id"].split("_")[1]))
        if params.get("order", "desc") == "desc":
            videos.reverse()
        if "after" in params:
            ids = [v["id"] for v in videos]
            videos = videos[ids.index(params["after"]) + 1 :]
        limit = int(params.get("limit", 20))
        page = videos[:limit]
        return httpx.Response(
            200,
            json={
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": len(videos) > limit,
            },
        )

    def _elsewhere(self, request: httpx.Request) -> httpx.Response:
        # A storage host the content endpoint may redirect to.
        data, media_type = self.content["video"]
        return httpx.Response(200, content=data, headers={"content-type": media_type})


async def chunks(data: bytes, size: int, *, fail_after: int | None = None) -> AsyncIterator[bytes]:
    """``data`` in ``size`` pieces; raise a ReadError after ``fail_after`` pieces if given."""
    for n, start in enumerate(range(0, len(data), size)):
        if fail_after is not None and n == fail_after:
            raise httpx.ReadError("connection reset by peer")
        yield data[start : start + size]


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock()


@pytest.fixture
def server(clock: SimulatedClock) -> FakeServer:
    return FakeServer(clock)


def make_client(server: FakeServer, **options: Any) -> VideosClient:
    """A client on the fake, in simulated time, with jitter switched off (deterministic)."""
    options.setdefault("retry", RetryPolicy(random=lambda: 0.0))
    options.setdefault("poll", PollPolicy(random=lambda: 0.0))
    return VideosClient(BASE_URL, KEY, transport=server.transport(), clock=server.clock, **options)


@pytest.fixture
async def client(server: FakeServer) -> AsyncIterator[VideosClient]:
    async with make_client(server) as client:
        yield client
