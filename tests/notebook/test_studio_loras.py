"""The studio's LoRA adapters: the ones each server offers by name (SGLang's /v1/list_loras here;
the bundled server's cards in tests/local/test_adapters.py), a hint where the server lists none
(vLLM-Omni loads one by path per request), and the picked adapters reaching the engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sora_nb.api.retry import PollPolicy
from sora_nb.catalog.loras import Lora
from sora_nb.notebook.widgets import Studio
from sora_nb.runs.loop import run_sync
from sora_nb.runs.session import Session
from sora_nb.runs.take import Take
from tests.imitations import InProcess, imitation

PROMPT = "A red kite over the dunes at dusk."
FAST = PollPolicy(floor=0.01, ceiling=0.05, random=lambda: 0.0)


def session_on(server: InProcess, folder: Path) -> Session:
    return Session(
        folder,
        base_url=server.base_url,
        api_key="sk-engine",
        client_options={"transport": server.transport(), "poll": FAST},
    )


def hold_adapters(server: InProcess, *names: str) -> None:
    """Load adapters on the SGLang imitation as another client would (POST /v1/set_lora)."""

    async def post() -> None:
        transport = httpx.ASGITransport(app=server.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://engine.test") as http:
            body = {"lora_nickname": list(names), "lora_path": [f"/weights/{n}" for n in names]}
            answer = await http.post("/v1/set_lora", json=body)
            assert answer.status_code == 200, answer.text

    run_sync(post(), timeout=10)  # on sora_nb's loop: a browser test's thread has its own


@pytest.fixture
def sglang(tmp_path: Path) -> Iterator[InProcess]:
    server = imitation("sglang", tmp_path / "server")
    yield server
    server.close()


def test_the_studio_offers_the_adapters_sglang_holds_and_sends_the_one_picked(
    sglang: InProcess, tmp_path: Path
) -> None:
    hold_adapters(sglang, "ghibli", "grain")
    studio = Studio(PROMPT, session=session_on(sglang, tmp_path / "media"))
    assert "loras" in studio.knobs_offered
    assert studio.loras_offered == ["ghibli", "grain"]
    assert "server-wide" in studio.loras_hint and "path on the server" in studio.loras_hint
    # What the front end writes when grain is ticked at 0.6 (tests/ui: the ticking itself).
    studio.options = {"loras": "grain:0.6"}
    take = studio.generate()
    assert isinstance(take, Take)
    take.wait(30)
    assert take.status == "completed", take.error
    assert take.request.options.loras == (Lora("grain", 0.6),)
    [switch] = [s for s in sglang.seen if s.request.url.path == "/v1/set_lora"]
    assert (switch.form["lora_nickname"], switch.form["strength"]) == (["grain"], [0.6])


def test_an_sglang_without_adapters_offers_none_and_says_how_to_name_one(
    sglang: InProcess, tmp_path: Path
) -> None:
    studio = Studio(PROMPT, session=session_on(sglang, tmp_path / "media"))
    assert studio.loras_offered == [] and "/weights/style.safetensors:0.8" in studio.loras_hint


def test_vllm_omni_lists_none_so_an_adapter_is_typed_by_its_path(tmp_path: Path) -> None:
    server = imitation("vllm-omni", tmp_path / "server")
    try:
        studio = Studio(PROMPT, session=session_on(server, tmp_path / "media"))
        assert "loras" in studio.knobs_offered and studio.loras_offered == []
        assert studio.loras_hint.startswith("This server lists no adapters: type one as a path")
        studio.options = {"loras": "/weights/style.safetensors:0.8"}
        take = studio.generate()
        assert isinstance(take, Take)
        take.wait(30)
        [create] = server.creates()
        assert json.loads(create.form["lora"]) == {
            "name": "style",
            "scale": 0.8,
            "path": "/weights/style.safetensors",
        }
    finally:
        server.close()


def test_a_server_that_takes_no_adapters_shows_no_adapter_control(tmp_path: Path) -> None:
    server = imitation("openai", tmp_path / "server")
    try:
        studio = Studio(PROMPT, session=session_on(server, tmp_path / "media"))
        assert "loras" not in studio.knobs_offered
        assert (studio.loras_offered, studio.loras_hint) == ([], "")
    finally:
        server.close()


class LoraNotEnabled(httpx.AsyncBaseTransport):
    """SGLang serving a pipeline without LoRA: /v1/list_loras answers 500 (its own words)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.asked = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/list_loras":
            self.asked += 1
            return httpx.Response(500, json={"detail": "Lora is not enabled"})
        return await self.inner.handle_async_request(request)


def test_an_sglang_without_lora_is_asked_once_and_the_studio_still_opens(
    sglang: InProcess, tmp_path: Path
) -> None:
    transport = LoraNotEnabled(sglang.transport())
    session = Session(
        tmp_path / "media",
        base_url=sglang.base_url,
        api_key="sk-engine",
        client_options={"transport": transport, "poll": FAST},
    )
    studio = Studio(PROMPT, session=session)
    assert studio.loras_offered == [] and "path on the server" in studio.loras_hint
    assert transport.asked == 1  # no retries of a 500 that will not change
