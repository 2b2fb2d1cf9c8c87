"""LoRA adapters on the wire: each engine gets them its own way, or a refusal before sending.

vLLM-Omni takes one adapter per create in its ``lora`` form field (a JSON object: name, path
and scale; it fails a job whose adapter has no path); SGLang sets adapters for the whole
server through ``/v1/set_lora`` (and turns them off with ``/v1/unmerge_lora_weights``), so a
create body never carries them; the bundled server takes several and lists those it offers on
its cards.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from sora_nb.api import errors
from sora_nb.api.sync import SyncVideosClient


class Engine:
    """A fake engine's HTTP side: what /models says, and every request it got."""

    def __init__(self, owned_by: str, *, cards: list[dict[str, Any]] | None = None) -> None:
        self.cards = cards or [{"id": "wan", "owned_by": owned_by}]
        self.got: list[tuple[str, str, Any]] = []
        self.refuse_lora = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1")
        if path == "/models":
            return httpx.Response(200, json={"data": self.cards})
        if path == "/server_info":  # SGLang's version, asked once with /models
            return httpx.Response(200, json={"version": "0.5.23"})
        if path == "/version":  # vLLM's (vLLM-Omni's) version, asked once with /models
            return httpx.Response(200, json={"version": "0.30.0"})
        if request.headers.get("content-type", "").startswith("multipart"):
            body: Any = _form(request)
        else:
            body = json.loads(request.content) if request.content else None
        self.got.append((request.method, path, body))
        if path == "/set_lora" and self.refuse_lora:
            return httpx.Response(400, json={"detail": "LoRA nickname 'ghost' is not loaded"})
        if path.endswith("lora") or path.endswith("weights"):
            return httpx.Response(200, json={"status": "ok"})
        job = {"id": "video_gen_" + "a" * 32, "object": "video", "status": "queued"}
        return httpx.Response(200, json={**job, "model": "wan", "created_at": 1, "progress": 0})


def _form(request: httpx.Request) -> dict[str, str]:
    request.read()
    text = request.content.decode("latin-1")
    boundary = request.headers["content-type"].split("boundary=")[1]
    fields = {}
    for part in text.split("--" + boundary)[1:-1]:
        head, _, value = part.partition("\r\n\r\n")
        name = head.split('name="')[1].split('"')[0]
        fields[name] = value.removesuffix("\r\n")
    return fields


def _client(engine: Engine) -> SyncVideosClient:
    return SyncVideosClient(
        base_url="http://engine.test/v1", api_key="k", transport=httpx.MockTransport(engine)
    )


def test_vllm_omni_gets_one_adapter_as_its_lora_json_field() -> None:
    engine = Engine("vllm-omni")
    with _client(engine) as client:
        client.create(prompt="A kite.", loras=[("/w/ghibli.safetensors", 0.8)], flow_shift=3.0)
        client.create(prompt="A kite.", loras="/weights/grain.safetensors:0.5")
    (_, _, first), (_, _, second) = engine.got
    assert json.loads(first["lora"]) == {
        "name": "ghibli",
        "path": "/w/ghibli.safetensors",
        "scale": 0.8,
    }
    assert first["flow_shift"] == "3.0"
    assert json.loads(second["lora"]) == {
        "name": "grain",
        "path": "/weights/grain.safetensors",
        "scale": 0.5,
    }


@pytest.mark.parametrize(
    ("loras", "message"),
    [
        ("ghibli:0.8+grain:0.3", "vLLM-Omni takes one adapter per request; got 2"),
        ("ghibli:0.8@transformer_2", "it takes no expert"),
        ("ghibli:7", "the scale of adapter 'ghibli' should be from 0 to 4"),
        # vLLM-Omni 0.30.0 would take the create and fail the job: "both name and path are
        # required".
        ("ghibli:0.8", "vLLM-Omni needs the adapter's path on the server, not only a name"),
    ],
)
def test_what_vllm_omni_cannot_take_is_refused_before_sending(loras: str, message: str) -> None:
    engine = Engine("vllm-omni")
    with _client(engine) as client, pytest.raises(errors.InvalidRequestError, match=message):
        client.create(prompt="A kite.", loras=loras)
    assert engine.got == []


def test_sglang_sets_adapters_server_wide_once_and_turns_them_off_for_a_take_without() -> None:
    engine = Engine("sglang")
    with _client(engine) as client:
        client.create(prompt="A kite.", loras="ghibli:0.6+lightx2v:1@transformer_2")
        client.create(prompt="A kite.", loras="ghibli:0.6+lightx2v:1@transformer_2", seed=3)
        client.create(prompt="A kite.")
        client.create(prompt="A kite.")
    paths = [path for _, path, _ in engine.got]
    assert paths == [
        "/set_lora",
        "/videos",
        "/videos",
        "/unmerge_lora_weights",
        "/videos",
        "/videos",
    ]
    assert engine.got[0][2] == {
        "lora_nickname": ["ghibli", "lightx2v"],
        "lora_path": [None, None],
        "target": ["all", "transformer_2"],
        "strength": [0.6, 1.0],
    }
    bodies = [body for _, path, body in engine.got if path == "/videos"]
    assert all("lora" not in body for body in bodies), bodies


def test_sglang_refusing_an_adapter_is_quoted_and_no_job_is_made() -> None:
    engine = Engine("sglang")
    engine.refuse_lora = True
    with (
        _client(engine) as client,
        pytest.raises(errors.InvalidRequestError, match=r"SGLang refused the adapters .*'ghost'"),
    ):
        client.create(prompt="A kite.", loras="ghost")
    assert [path for _, path, _ in engine.got] == ["/set_lora"]


def test_the_bundled_server_refuses_an_adapter_it_does_not_offer_before_sending() -> None:
    card = {
        "id": "wan",
        "owned_by": "sora_nb-server",
        "renderer": "diffusers",
        "knobs": ["seed", "lora"],
        "loras": ["ghibli", "grain"],
    }
    engine = Engine("sora_nb-server", cards=[card])
    with _client(engine) as client:
        with pytest.raises(errors.InvalidRequestError, match=r"offers no adapter 'ghost'.*ghibli"):
            client.create(prompt="A kite.", loras="ghost:0.5")
        assert engine.got == []
        client.create(prompt="A kite.", loras="ghibli:0.5+grain")
        assert "LoRA adapters: ghibli, grain." in client.detect().describe()
    ((_, _, body),) = engine.got
    assert json.loads(body["lora"]) == [
        {"name": "ghibli", "scale": 0.5, "target": None},
        {"name": "grain", "scale": 1.0, "target": None},
    ]


def test_an_engine_without_adapters_refuses_them_before_sending() -> None:
    engine = Engine("fastvideo")
    with _client(engine) as client, pytest.raises(errors.InvalidRequestError, match="loras"):
        client.create(prompt="A kite.", loras="ghibli")
    assert engine.got == []
