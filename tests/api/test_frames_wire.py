"""A last frame and a source video on the wire: each engine gets them in its own fields, as its
source reads them, or a one-line refusal before anything is sent.

vLLM-Omni: both frames as two ``image_reference`` data URLs (it refuses ``input_reference``
beside them; its model reads ``image: [first, last]``), a source video as the
``input_reference`` file. SGLang: a source video as the ``input_reference`` file, typed
``video/*`` (how it tells a video from an image). Neither has a strength field.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from sora_nb.api import errors
from sora_nb.api.sync import SyncVideosClient
from tests.engine_fakes import tiny_mp4


class Engine:
    """A fake engine's HTTP side: what /models says, and every create's parts."""

    def __init__(self, owned_by: str) -> None:
        self.owned_by = owned_by
        self.got: list[dict[str, tuple[str | None, str | None, bytes]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1")
        if path == "/models":
            return httpx.Response(200, json={"data": [{"id": "wan", "owned_by": self.owned_by}]})
        if path == "/server_info":
            return httpx.Response(200, json={"version": "0.5.23"})
        if path != "/videos":  # SGLang's adapter listing, asked before a first plain take
            return httpx.Response(200, json={"loaded_adapters": [], "active": {}})
        self.got.append(_parts(request))
        job = {"id": "video_gen_" + "a" * 32, "object": "video", "status": "queued"}
        return httpx.Response(200, json={**job, "model": "wan", "created_at": 1, "progress": 0})


def _parts(request: httpx.Request) -> dict[str, tuple[str | None, str | None, bytes]]:
    """Each multipart part by name: (filename, content type, content)."""
    request.read()
    kind = request.headers.get("content-type", "")
    assert kind.startswith("multipart"), "a create with a file goes as multipart"
    boundary = kind.split("boundary=")[1].encode()
    found = {}
    for part in request.content.split(b"--" + boundary)[1:-1]:
        head, _, value = part.partition(b"\r\n\r\n")
        text = head.decode("latin-1")
        name = text.split('name="')[1].split('"')[0]
        filename = text.split('filename="')[1].split('"')[0] if "filename=" in text else None
        typed = [line.split(":", 1)[1].strip() for line in text.splitlines() if ":" in line]
        content_type = next((t for t in typed if "/" in t and "form-data" not in t), None)
        found[name] = (filename, content_type, value.removesuffix(b"\r\n"))
    return found


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A first and a last frame at 832x480, one at another size, a source clip, a non-video."""
    made = {
        "first": _png(832, 480, (200, 30, 30)),
        "last": _png(832, 480, (20, 30, 230)),
        "small": _png(416, 240, (20, 30, 230)),
    }
    paths = {name: tmp_path / f"{name}.png" for name in made}
    for name, data in made.items():
        paths[name].write_bytes(data)
    paths["video"] = tmp_path / "source.mp4"
    tiny_mp4(paths["video"])
    paths["fake"] = tmp_path / "fake.mp4"
    paths["fake"].write_bytes(made["first"])
    return paths


def _client(engine: Engine) -> SyncVideosClient:
    return SyncVideosClient(
        base_url="http://engine.test/v1", api_key="k", transport=httpx.MockTransport(engine)
    )


def _data_url(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def test_vllm_omni_gets_both_frames_as_image_references_and_a_video_as_input_reference(
    files: dict[str, Path],
) -> None:
    engine = Engine("vllm-omni")
    with _client(engine) as client:
        client.create(
            prompt="A kite.", size="832x480", input_reference=files["first"],
            last_image=files["last"], seed=3,
        )  # fmt: skip
        client.create(prompt="A kite.", size="832x480", video=files["video"])
    frames, video = engine.got
    assert "input_reference" not in frames and frames["seed"][2] == b"3"
    refs = json.loads(frames["image_reference"][2])
    assert refs == [{"image_url": _data_url(files[n])} for n in ("first", "last")]
    filename, kind, content = video["input_reference"]
    assert (filename, kind, content) == ("source.mp4", "video/mp4", files["video"].read_bytes())


def test_sglang_gets_a_source_video_as_a_typed_input_reference_and_refuses_a_last_frame(
    files: dict[str, Path],
) -> None:
    engine = Engine("sglang")
    with _client(engine) as client:
        client.create(prompt="A kite.", size="832x480", seconds=4, video=files["video"])
        with pytest.raises(errors.InvalidRequestError) as refused:
            client.create(
                prompt="A kite.", size="832x480", seconds=4, input_reference=files["first"],
                last_image=files["last"],
            )  # fmt: skip
    [video] = engine.got
    assert video["input_reference"][:2] == ("source.mp4", "video/mp4")
    said = str(refused.value)
    assert "SGLang Diffusion takes no last_image (its /v1/videos keeps only the first" in said
    assert "connect to an engine that takes them (vLLM-Omni)" in said and "\n" not in said


@pytest.mark.parametrize(
    ("owned_by", "given", "words"),
    [
        ("vllm-omni", {"video": "video", "strength": 0.5}, "vLLM-Omni takes no strength"),
        ("sglang", {"video": "video", "strength": 0.5}, "SGLang Diffusion takes no strength"),
        ("fastvideo", {"video": "video"}, "FastVideo takes no video (its /v1/videos takes an"),
        ("vllm-omni", {"video": "fake"}, "source video 'fake.mp4' is not a video"),
        ("vllm-omni", {"last_image": "last"}, "a last frame needs a first frame too"),
        ("vllm-omni", {"input_reference": "first", "video": "video"}, "do not go together"),
        ("vllm-omni", {"input_reference": "first", "last_image": "small"}, "the last frame"),
    ],
)
def test_what_an_engine_cannot_take_is_refused_before_sending(
    files: dict[str, Path], owned_by: str, given: dict[str, Any], words: str
) -> None:
    engine = Engine(owned_by)
    named = {k: files[v] if isinstance(v, str) else v for k, v in given.items()}
    with _client(engine) as client, pytest.raises(errors.InvalidRequestError) as refused:
        client.create(prompt="A kite.", size="832x480", seconds=4, **named)
    assert words in str(refused.value) and "\n" not in str(refused.value), refused.value
    assert engine.got == []
