"""The OpenAI Python SDK against the bundled server's vLLM-Omni imitation, beside sora_nb on the
same server (``python -m sora_nb.server --dialect vllm-omni``, on a socket).

vLLM-Omni reads ``POST /v1/videos`` as a form only, and answers a failed job's GET with the
job under its error's HTTP status (``shared/spec/engine-dialects.md`` A2, A3). What the SDK
does depends on its version: up to openai 2.26.0 ``videos.create`` sends JSON when there is
no file, which vLLM-Omni refuses (400, prompt missing); from 2.27.0 it always sends a form, and
the create works. Either way its ``create_and_poll`` of a job the server fails raises on the
failed job's 400 instead of returning the job. sora_nb creates on both the form and the JSON
path, and returns the failed job with the server's reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from sora_nb.api.client import VideosClient
from tests.imitations import BLOCKED_NAME, WAN, Served, served

PROMPT = "A heron lifts off the reeds at dawn."
BLOCKED = f"A portrait of {BLOCKED_NAME} in the reeds."
GUARDRAIL = "blocked by the (simulated) moderation system"


@pytest.fixture(scope="module")
def vllm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served("vllm-omni", tmp_path_factory.mktemp("vllm") / "server") as server:
        yield server


class SDKSent:
    """The SDK's own HTTP client on the imitation (httpx2 from openai 3, httpx before), with
    what it sent: (method, path, content type) of every request."""

    def __init__(self, base_url: str) -> None:
        from openai import _base_client

        http: Any = httpx
        if hasattr(_base_client, "httpx2"):
            import httpx2

            http = httpx2
        self.requests: list[tuple[str, str, str]] = []
        sent = self.requests

        class Recording(http.HTTPTransport):  # type: ignore[misc,name-defined]
            def handle_request(self, request: Any) -> Any:
                kind = request.headers.get("content-type", "").split(";")[0]
                sent.append((request.method, request.url.path, kind))
                return super().handle_request(request)

        self.sdk = openai.OpenAI(
            api_key="sk-engine",
            base_url=base_url,
            http_client=http.Client(transport=Recording()),
            max_retries=0,
        )

    def creates(self) -> list[str]:
        """The content type of each create it sent."""
        return [kind for method, path, kind in self.requests if method == "POST"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_sdk_create_without_a_file_works_only_where_it_sends_a_form(vllm: Served) -> None:
    client = SDKSent(vllm.base_url)
    try:
        video = client.sdk.videos.create(prompt=PROMPT)
    except openai.BadRequestError as refused:
        outcome: str | Exception = refused
    else:
        outcome = video.status
    [encoding] = client.creates()
    if encoding == "application/json":  # openai <= 2.26.0
        assert isinstance(outcome, openai.BadRequestError)
        assert outcome.status_code == 400 and "Field required" in str(outcome)
    else:  # openai >= 2.27.0 always sends a form
        assert encoding == "multipart/form-data" and outcome == "queued"
        assert video.model == WAN  # the imitation serves Wan and says so


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_the_sdk_raises_on_a_failed_job_where_sora_nb_returns_it_with_the_reason(
    vllm: Served, tmp_path: Path
) -> None:
    client = SDKSent(vllm.base_url)
    with pytest.raises(openai.BadRequestError) as raised:
        client.sdk.videos.create_and_poll(prompt=BLOCKED)
    assert raised.value.status_code == 400
    if client.creates() == ["multipart/form-data"]:
        # Created (openai >= 2.27.0), then the failed job's GET, its status 400, raised.
        method, path, _ = client.requests[-1]
        assert method == "GET" and path.startswith("/v1/videos/video_gen_")
        assert GUARDRAIL in str(raised.value)
    else:  # openai <= 2.26.0 fails already on the create
        assert client.creates() == ["application/json"]

    before = len(vllm.creates())
    async with VideosClient(vllm.base_url, "sk-engine", transport=vllm.transport()) as ours:
        # Told nothing about the server: the JSON path, a refusal read, then the form.
        failed = await ours.wait(await ours.create(prompt=BLOCKED))
        made = await ours.wait(await ours.create(prompt=PROMPT))
        path = await ours.download(made, tmp_path / "heron.mp4")
    assert failed.failed and failed.error is not None
    assert failed.error.code == "400" and GUARDRAIL in failed.error.message
    assert made.status == "completed" and path.read_bytes()[4:8] == b"ftyp"
    ours_sent = [s.request.headers["content-type"].split(";")[0] for s in vllm.creates()[before:]]
    assert ours_sent == ["application/json", "multipart/form-data", "multipart/form-data"]
    assert [s.status for s in vllm.creates()[before:]] == [400, 200, 200]


async def test_connected_as_sora_nb_connects_no_json_is_sent_and_the_served_model_goes(
    vllm: Served,
) -> None:
    before = len(vllm.creates())
    async with VideosClient(vllm.base_url, "sk-engine", transport=vllm.transport()) as client:
        info = await client.detect()
        await client.create(prompt=PROMPT)
    assert info.dialect.name == "vllm-omni" and info.models == (WAN,)
    [sent] = vllm.creates()[before:]
    assert sent.request.headers["content-type"].startswith("multipart/form-data")
    assert sent.form["model"] == WAN and sent.status == 200
