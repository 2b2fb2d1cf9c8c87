"""The OpenAI Python SDK against a vLLM-Omni-shaped server, beside sora_nb on the same server.

vLLM-Omni reads ``POST /v1/videos`` as a form only, and answers a failed job's GET with the
job under its error's HTTP status (``shared/spec/engine-dialects.md`` A2, A3). What the SDK
does depends on its version: up to openai 2.26.0 ``videos.create`` sends JSON when there is
no file, which vLLM-Omni refuses (400, prompt missing); from 2.27.0 it always sends a form, and
the create works. Either way its ``create_and_poll`` of a job the server fails raises on the
failed job's 400 instead of returning the job. sora_nb creates on both the form and the JSON
path, and returns the failed job with the server's reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from sora_nb.api.client import VideosClient
from tests.engine_fakes import BLOCKED_WORD, GUARDRAIL, SERVED, EngineFake, tiny_mp4

PROMPT = "A heron lifts off the reeds at dawn."


def sdk_client(fake: EngineFake) -> Any:
    """The SDK, talking to the fake engine through its own HTTP library (httpx2 in 3.x)."""
    from openai import _base_client

    if not hasattr(_base_client, "httpx2"):  # openai < 3 uses httpx itself
        http_client: Any = httpx.Client(transport=httpx.MockTransport(fake.handle))
    else:
        import httpx2

        def handle(request: httpx2.Request) -> httpx2.Response:
            sent = httpx.Request(
                request.method, str(request.url), headers=request.headers, content=request.read()
            )
            answer = fake.handle(sent)
            return httpx2.Response(
                answer.status_code, headers=answer.headers, content=answer.content
            )

        http_client = httpx2.Client(transport=httpx2.MockTransport(handle))
    return openai.OpenAI(
        api_key="sk-engine", base_url=fake.base_url, http_client=http_client, max_retries=0
    )


@pytest.fixture
def fake(tmp_path: Path) -> EngineFake:
    return EngineFake("vllm-omni", tiny_mp4(tmp_path / "clip.mp4"))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_sdk_create_without_a_file_works_only_where_it_sends_a_form(fake: EngineFake) -> None:
    sdk = sdk_client(fake)
    try:
        video = sdk.videos.create(prompt=PROMPT)
    except openai.BadRequestError as refused:
        outcome: str | Exception = refused
    else:
        outcome = video.status
    [sent] = fake.creates()
    encoding = sent.headers["content-type"].split(";")[0]
    if encoding == "application/json":  # openai <= 2.26.0
        assert isinstance(outcome, openai.BadRequestError)
        assert outcome.status_code == 400 and "Field required" in str(outcome)
        assert fake.jobs == {}
    else:  # openai >= 2.27.0 always sends a form
        assert encoding == "multipart/form-data" and outcome == "queued"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_the_sdk_raises_on_a_failed_job_where_sora_nb_returns_it_with_the_reason(
    fake: EngineFake, tmp_path: Path
) -> None:
    sdk = sdk_client(fake)
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.videos.create_and_poll(prompt=f"A {BLOCKED_WORD} heron.")
    assert raised.value.status_code == 400
    if fake.creates()[0].headers["content-type"].startswith("multipart/"):
        # Created (openai >= 2.27.0), then the failed job's GET, its status 400, raised.
        [job] = fake.jobs.values()
        assert job["status"] == "failed"
        assert fake.requests[-1].method == "GET" and GUARDRAIL in str(raised.value)
    else:  # openai <= 2.26.0 fails already on the create
        assert fake.jobs == {}

    async with VideosClient(fake.base_url, "sk-engine", transport=fake.transport()) as client:
        # Told nothing about the server: the JSON path, a refusal read, then the form.
        failed = await client.wait(await client.create(prompt=f"A {BLOCKED_WORD} heron."))
        made = await client.wait(await client.create(prompt=PROMPT, seconds=4))
        path = await client.download(made, tmp_path / "heron.mp4")
    assert failed.failed and failed.error is not None
    assert (failed.error.code, failed.error.message) == ("400", GUARDRAIL)
    assert made.status == "completed" and path.read_bytes() == fake.mp4
    ours = [r.headers["content-type"].split(";")[0] for r in fake.creates()[1:]]
    assert ours == ["application/json", "multipart/form-data", "multipart/form-data"]


async def test_connected_as_sora_nb_connects_no_json_is_sent_and_the_served_model_goes(
    fake: EngineFake,
) -> None:
    async with VideosClient(fake.base_url, "sk-engine", transport=fake.transport()) as client:
        info = await client.detect()
        await client.create(prompt=PROMPT)
    assert info.dialect.name == "vllm-omni"
    [sent] = fake.creates()
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert b'name="model"\r\n\r\n' + SERVED.encode() in sent.content
