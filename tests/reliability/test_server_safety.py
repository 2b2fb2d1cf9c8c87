"""Server safety over a real socket: loopback by default, 413 for oversize uploads, and no id,
variant or file name that reaches outside the media folder, on the server or on the client.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.runner import Runner
from sora_nb.server.renderers.animatic import AnimaticRequest, render
from tests.reliability.conftest import tree
from tests.server.conftest import serve

SECRET = "the contents of a file outside the media folder"
LIMIT_MB = 0.05  # 52 KB: small enough to pass cheaply in a test


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``python -m sora_nb.server`` started with defaults (no --host), on any free port."""
    root = tmp_path_factory.mktemp("served")
    media = root / "media"
    media.mkdir()
    (root / "secret.txt").write_text(SECRET)
    (media / "secret.txt").write_text(SECRET)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "sora_nb.server", "--port", "0", "--media", str(media)),
            *("--time-scale", "0", "--max-upload-mb", str(LIMIT_MB)),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        found = None
        deadline = time.monotonic() + 30
        while found is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line and process.poll() is not None:
                break
            found = re.search(r"running on http://([\d.]+):(\d+)", line)
        assert found is not None, "the server did not say where it listens"
        yield {"host": found.group(1), "port": int(found.group(2)), "root": root, "media": media}
    finally:
        process.terminate()
        process.wait(20)


def listening(port: int) -> list[str]:
    """The local addresses (hex, as the kernel lists them) listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            address, state = fields[1], fields[3]
            if state == "0A" and int(address.rsplit(":", 1)[1], 16) == port:
                found.append(address.rsplit(":", 1)[0])
    return found


def raw_get(server: dict[str, Any], path: str, method: str = "GET") -> tuple[int, str]:
    """Send ``path`` exactly as written (no client-side normalising of ``..`` or escapes)."""
    connection = http.client.HTTPConnection(server["host"], server["port"], timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_the_bundled_server_binds_loopback_only_by_default(server: dict[str, Any]) -> None:
    assert server["host"] == "127.0.0.1"
    addresses = listening(server["port"])
    assert addresses == ["0100007F"], addresses  # 127.0.0.1, and not 0.0.0.0 or ::


def test_a_remote_address_is_refused_without_allow_remote(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "sora_nb.server", "--host", "0.0.0.0", "--port", "0"),
            *("--media", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "--host 0.0.0.0 would let other machines use this server" in done.stderr
    assert "--allow-remote" in done.stderr


def test_oversize_uploads_get_413_over_the_socket(server: dict[str, Any]) -> None:
    base = f"http://{server['host']}:{server['port']}/v1"
    before = sorted((server["media"] / "jobs").iterdir())
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * 60_000
    with httpx.Client(base_url=base, timeout=10) as http:
        declared = http.post(
            "/videos",
            data={"prompt": "a kite", "size": "1280x720"},
            files={"input_reference": ("big.png", big, "image/png")},
        )

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
            for _ in range(10):
                yield b"x" * 10_000

        streamed = http.post(
            "/videos", content=chunks(), headers={"content-type": "application/json"}
        )
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert answer.json()["error"]["code"] == "request_too_large"
    assert sorted((server["media"] / "jobs").iterdir()) == before  # no job was made


TRAVERSALS = [
    "/v1/videos/../../secret.txt/content",
    "/v1/videos/..%2F..%2Fsecret.txt/content",
    "/v1/videos/..%2Fsecret.txt/content",
    "/v1/videos/%2e%2e/content",
    "/v1/videos/%2e%2e%2f%2e%2e%2fsecret.txt/content",
    "/v1/videos/..%5C..%5Csecret.txt/content",
    "/v1/videos/%252e%252e%252fsecret.txt/content",
    "/v1/videos/video_..%2F..%2Fsecret/content",
    "/v1/videos/%2Fetc%2Fpasswd/content",
    "/v1/videos/video_00000000000000000000000000000000%00/content",
    "/v1/videos/takes.json/content",
    "/v1/videos/..%2Fsecret.txt",
    "/v1/videos/..",
    "/v1/../secret.txt",
    "/secret.txt",
    "/v1/videos/jobs",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_ids_cannot_escape_the_media_folder(server: dict[str, Any], path: str) -> None:
    status, body = raw_get(server, path)
    assert status in (400, 404), (path, status)
    assert SECRET not in body and str(server["root"]) not in body
    status, body = raw_get(server, path.removesuffix("/content"), method="DELETE")
    assert status in (400, 404, 405), (path, status)
    assert (server["root"] / "secret.txt").read_text() == SECRET
    assert (server["media"] / "secret.txt").read_text() == SECRET


@pytest.mark.parametrize(
    "variant", ["../../secret.txt", "..%2F..%2Fsecret.txt", "%2e%2e%2fjob.json", "job", "json"]
)
def test_a_variant_cannot_name_another_file(server: dict[str, Any], variant: str) -> None:
    base = f"http://{server['host']}:{server['port']}/v1"
    with httpx.Client(base_url=base, timeout=30) as http:
        job = http.post("/videos", json={"prompt": "a kite over dunes", "size": "1280x720"})
        video_id = job.json()["id"]
        deadline = time.monotonic() + 60
        while http.get(f"/videos/{video_id}").json()["status"] != "completed":
            assert time.monotonic() < deadline
            time.sleep(0.1)
    status, body = raw_get(server, f"/v1/videos/{video_id}/content?variant={variant}")
    assert status == 400 and "Expected one of video, thumbnail, spritesheet" in body
    assert SECRET not in body and '"seq"' not in body  # neither a secret nor job.json


def test_an_upload_file_name_never_becomes_a_path(server: dict[str, Any]) -> None:
    base = f"http://{server['host']}:{server['port']}/v1"
    png = render_png()
    with httpx.Client(base_url=base, timeout=30) as http:
        made = http.post(
            "/videos",
            data={"prompt": "a kite", "size": "1280x720"},
            files={"input_reference": ("../../../escaped.png", png, "image/png")},
        )
    assert made.status_code == 200, made.text
    assert not list(server["root"].rglob("escaped.png"))
    assert not list(server["root"].parent.rglob("escaped.png"))


def render_png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1280, 720), "teal").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("clip")
    files = render(AnimaticRequest(prompt="a kite", width=1280, height=720, seconds=4), folder)
    return {
        "video": files.video.read_bytes(),
        "thumbnail": files.thumbnail.read_bytes(),
        "spritesheet": files.spritesheet.read_bytes(),
    }


def hostile_app(clip: dict[str, bytes], video_id: str) -> Starlette:
    """A server whose job id tries to walk out of the client's media folder."""
    types = {"video": "video/mp4", "thumbnail": "image/webp", "spritesheet": "image/jpeg"}

    def video(status: str) -> dict[str, Any]:
        return {
            "id": video_id,
            "object": "video",
            "model": "sora-2",
            "status": status,
            "progress": 100 if status == "completed" else 0,
            "created_at": 1_760_000_000,
            "size": "1280x720",
            "seconds": "4",
        }

    async def create(request: Request) -> JSONResponse:
        return JSONResponse(video("queued"))

    async def retrieve(request: Request) -> JSONResponse:
        return JSONResponse(video("completed"))

    async def content(request: Request) -> Response:
        variant = request.query_params.get("variant", "video")
        return Response(clip[variant], media_type=types[variant])

    return Starlette(
        routes=[
            Route("/v1/videos", create, methods=["POST"]),
            Route("/v1/videos/{vid:path}/content", content, methods=["GET"]),
            Route("/v1/videos/{vid:path}", retrieve, methods=["GET"]),
        ]
    )


@pytest.mark.parametrize(
    "video_id", ["../../../escaped", "/tmp/escaped", "..\\..\\escaped", "video_1/../../escaped"]
)
async def test_a_hostile_job_id_cannot_place_files_outside_the_media_folder(
    tmp_path: Path, clip: dict[str, bytes], video_id: str
) -> None:
    media = tmp_path / "deep" / "er" / "media"
    outside = tree(tmp_path)
    with serve(hostile_app(clip, video_id)) as base_url:
        async with VideosClient(base_url, poll=PollPolicy(floor=0.02, ceiling=0.05)) as client:
            runner = Runner(client, Ledger(media), server=base_url)
            [take] = await runner.run([VideoRequest(prompt="a kite", size="1280x720")])
    assert take.ok and take.job_id == video_id
    assert take.path("video").resolve().is_relative_to(media.resolve())
    assert take.path("video").read_bytes() == clip["video"]
    after = {k: v for k, v in tree(tmp_path).items() if not k.startswith("deep/er/media/")}
    assert after == outside  # nothing written anywhere else
    assert not Path("/tmp/escaped").exists()
