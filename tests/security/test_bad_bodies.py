"""Issue 24, points 4 and 6 (server side): bodies that once gave a 500 or a job without its
image get a 4xx with a one-line reason, and the server's log keeps one line, no traceback."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.security.conftest import DIALECTS, jobs_created, raw, served_cli
from tests.server.conftest import MakeApp


def png(width: int = 1280, height: int = 720) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(out, "PNG")
    return out.getvalue()


def nested(depth: int) -> bytes:
    return b'{"prompt": ' + b"[" * depth + b"]" * depth + b"}"


def cut_multipart(fields: dict[str, str], image: bytes) -> tuple[bytes, str]:
    """A create with a reference image, cut off inside the image (as a dropped upload is)."""
    request = httpx.Request(
        "POST",
        "http://x/v1/videos",
        data=fields,
        files={"input_reference": ("ref.png", image, "image/png")},
    )
    body = request.read()
    return body[: len(body) - len(image) // 2], request.headers["content-type"]


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_json_nested_past_the_stack_is_a_400(make_app: MakeApp, dialect: str | None) -> None:
    app = make_app(render=False, dialect=dialect)
    async with raw(app) as http:
        for depth in (100_000, 5_000, 900):
            answer = await http.post(
                "/videos", content=nested(depth), headers={"content-type": "application/json"}
            )
            assert 400 <= answer.status_code < 500, (dialect, depth, answer.text[:200])
    assert jobs_created(app) == 0


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_multipart_body_cut_short_starts_no_job(
    make_app: MakeApp, dialect: str | None
) -> None:
    app = make_app(render=False, dialect=dialect)
    fields = {"prompt": "a lighthouse at dusk", "size": "1280x720"}
    if dialect in (None, "openai", "litellm"):
        fields["model"] = "sora-2"
    body, kind = cut_multipart(fields, png())
    async with raw(app) as http:
        answer = await http.post("/videos", content=body, headers={"content-type": kind})
    assert answer.status_code == 400, answer.text
    assert "closing boundary" in answer.text
    assert jobs_created(app) == 0


@pytest.mark.parametrize("dialect", ["vllm-omni", "sglang", "fastvideo"])
async def test_an_engine_refuses_a_reference_that_is_not_an_image(
    make_app: MakeApp, dialect: str
) -> None:
    app = make_app(render=False, dialect=dialect)
    files = {
        "prompt": (None, "a lighthouse"),
        "input_reference": ("ref.png", b"%PDF-1.7 not an image", "image/png"),
    }
    async with raw(app) as http:
        answer = await http.post("/videos", files=files)
    assert answer.status_code == 400, answer.text
    assert "image" in answer.text
    assert jobs_created(app) == 0


def test_the_served_log_keeps_one_line_per_bad_request(tmp_path: Path) -> None:
    media = ("--media", str(tmp_path / "media"), "--time-scale", "0")
    with served_cli("--dialect", "vllm-omni", *media) as engine:
        bad = {"input_reference": ("ref.png", b"GIF89a broken", "image/png")}
        answer = httpx.post(f"{engine.base_url}/videos", data={"prompt": "x"}, files=bad)
        assert answer.status_code == 400
    assert "Traceback" not in engine.log()
    assert " 400 " in engine.log() or "400 Bad Request" in engine.log()
    with served_cli(*media) as ours:
        answer = httpx.post(
            f"{ours.base_url}/videos",
            content=nested(100_000),
            headers={"content-type": "application/json"},
        )
        assert answer.status_code == 400
        assert "nested too deeply" in answer.json()["error"]["message"]
    assert "Traceback" not in ours.log()
