"""The vLLM-Omni imitation (``python -m sora_nb.server --dialect vllm-omni``) reads first and last
frames and a source video as vLLM-Omni 0.30.0's own server does: each test here runs the same
raw-HTTP assertions against both, the imitation in-process and the real server with its engine
client stubbed (``tests/engines/conftest.py``).

Frames go as ``image_reference`` (a JSON list of ``{"image_url": "data:..."}``), a source
video as the ``input_reference`` file; what each one then hands on (the real server its engine
client, the imitation its renderer) is read back and compared in one shape.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from sora_nb.server.renderers.base import RenderControl, RenderRequest, RenderResult
from tests.engines.conftest import Engine
from tests.imitations import FilteredAnimatic, imitation
from tests.research.clips import write_clip

pytestmark = pytest.mark.timeout(3000)  # a first run builds vLLM-Omni's env (conftest)

SMALL = {"prompt": "A kite over dunes.", "size": "832x480", "num_inference_steps": "1"}
RED, BLUE, GREEN = (200, 30, 30), (20, 30, 230), (40, 160, 90)


class RecordingAnimatic(FilteredAnimatic):
    """The imitation's renderer, keeping each render request it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.rendered: list[RenderRequest] = []

    def render(self, request: RenderRequest, out_dir: Path, control: RenderControl) -> RenderResult:
        self.rendered.append(request)
        return super().render(request, out_dir, control)


@dataclass
class Target:
    """Where one vLLM-Omni answers, and how to read what it handed on for a job."""

    name: str
    transport: httpx.AsyncBaseTransport | None
    root: str
    engine: Engine | None = None
    renderer: RecordingAnimatic = field(default_factory=RecordingAnimatic)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport, base_url=self.root, timeout=30)

    def handed(self, job_id: str) -> dict[str, Any]:
        """The images (size, mean colour, in order) and the video's first frame's size that
        the engine client (real) or the renderer (imitation) got for ``job_id``."""
        if self.engine is not None:
            lines = (self.engine.outputs / "requests.jsonl").read_text().splitlines()
            [got] = [json.loads(n) for n in lines if json.loads(n)["request_id"] == job_id]
            video = got.get("video")
            return {
                "images": got.get("images", []),
                "video_size": None if video is None else video["first"]["size"],
            }
        [request] = self.renderer.rendered  # one create per test on a fresh imitation
        images = [data for data in (request.reference, request.last_image) if data is not None]
        return {"images": [seen(data) for data in images], "video_size": clip_size(request.video)}


def seen(data: bytes) -> dict[str, Any]:
    with Image.open(io.BytesIO(data)) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64).reshape(-1, 3)
        return {"size": list(image.size), "mean": [round(v) for v in pixels.mean(axis=0)]}


def clip_size(data: bytes | None) -> list[int] | None:
    from sora_nb import media

    if data is None:
        return None
    info = media.probe(data)
    return [info.width, info.height]


@pytest.fixture(params=["imitation", "vllm-omni"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param == "vllm-omni":
        engine: Engine = request.getfixturevalue("vllm_omni")
        yield Target("vllm-omni", None, engine.base_url.removesuffix("/v1"), engine)
        return
    renderer = RecordingAnimatic()
    server = imitation("vllm-omni", tmp_path / "imitation", renderer=renderer)
    try:
        transport = httpx.ASGITransport(app=server.app)
        yield Target("imitation", transport, "http://engine.test", renderer=renderer)
    finally:
        server.close()


@pytest.fixture
async def http(target: Target) -> AsyncIterator[httpx.AsyncClient]:
    async with target.client() as client:
        yield client


def png(colour: tuple[int, int, int], size: tuple[int, int] = (832, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def data_url(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def clip(tmp_path: Path) -> bytes:
    frame = np.full((240, 416, 3), GREEN, dtype=np.uint8)
    return write_clip(tmp_path / "source.mp4", lambda _i: frame, 12, fps=16).read_bytes()


async def settle(http: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    """GET the job until it is completed or failed (bounded); its last body."""
    deadline = time.monotonic() + 60
    while True:
        body = (await http.get(f"/v1/videos/{job_id}")).json()
        if body["status"] in ("completed", "failed"):
            return body
        assert time.monotonic() < deadline, f"{job_id} did not finish in 60 s: {body}"
        await asyncio.sleep(0.02)


async def test_two_image_references_are_the_first_and_last_frames_in_order(
    target: Target, http: httpx.AsyncClient
) -> None:
    # The last frame at another size: both are resized to the video's, as vLLM-Omni does.
    refs = [{"image_url": data_url(png(RED))}, {"image_url": data_url(png(BLUE, (416, 240)))}]
    made = await http.post("/v1/videos", data={**SMALL, "image_reference": json.dumps(refs)})
    assert made.status_code == 200, made.text
    assert (await settle(http, made.json()["id"]))["status"] == "completed"
    assert target.handed(made.json()["id"]) == {
        "images": [
            {"size": [832, 480], "mean": list(RED)},
            {"size": [832, 480], "mean": list(BLUE)},
        ],
        "video_size": None,
    }


async def test_a_video_input_reference_is_a_source_video(
    target: Target, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    files = {"input_reference": ("source.mp4", clip(tmp_path), "video/mp4")}
    made = await http.post("/v1/videos", data=SMALL, files=files)
    assert made.status_code == 200, made.text
    assert (await settle(http, made.json()["id"]))["status"] == "completed"
    # The clip's own size: vLLM-Omni resizes images, not a source video's frames.
    assert target.handed(made.json()["id"]) == {"images": [], "video_size": [416, 240]}


NOT_IMAGE = {"image_url": data_url(b"hello")}
REFUSED = [
    ({"image_reference": "{nope"}, None, "Invalid JSON in form field."),
    (
        {"image_reference": json.dumps({"image_url": data_url(png(RED))})},
        ("first.png", png(RED), "image/png"),
        "Provide only one of input_reference, image_reference, or video_reference when using "
        "input_reference; image_reference and video_reference may be combined.",
    ),
    (
        {"image_reference": json.dumps({"file_id": "file_1"})},
        None,
        "Invalid image_reference: file_id is not supported yet.",
    ),
    (
        {"image_reference": json.dumps({"image_url": "ftp://frames/first.png"})},
        None,
        "Invalid image_reference.image_url: must be an http(s) URL or data URL.",
    ),
    (
        {"image_reference": json.dumps([{"image_url": data_url(png(RED))}, NOT_IMAGE])},
        None,
        "Invalid image_reference.image_url: provided content is not a valid image.",
    ),
    (
        {},
        ("x.bin", b"neither an image nor a video", "application/octet-stream"),
        "Invalid input_reference: provided content is not a valid image or video.",
    ),
]


@pytest.mark.parametrize(("fields", "upload", "message"), REFUSED)
async def test_what_it_refuses_it_refuses_in_its_own_words(
    http: httpx.AsyncClient,
    fields: dict[str, str],
    upload: tuple[str, bytes, str] | None,
    message: str,
) -> None:
    files = (
        {"input_reference": upload} if upload is not None else {"unused": ("x", b"", "text/plain")}
    )
    refused = await http.post("/v1/videos", data={**SMALL, **fields}, files=files)
    assert refused.status_code == 400, refused.text
    assert refused.json() == {
        "error": {"message": message, "type": "Bad Request", "param": None, "code": 400}
    }


async def test_an_image_reference_of_another_shape_fails_the_request_model(
    http: httpx.AsyncClient,
) -> None:
    bad = {"image_reference": json.dumps({"url": data_url(png(RED))})}
    refused = await http.post("/v1/videos", data={**SMALL, **bad})
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert (error["type"], error["param"], error["code"]) == ("BadRequestError", None, 400)
    lead, second = error["message"].splitlines()[:2]
    assert lead.endswith("for VideoGenerationRequest") and second.startswith("image_reference")
