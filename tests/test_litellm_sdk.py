"""LiteLLM's own SDK (not its proxy) against the bundled server: ``litellm.video_generation``,
``video_status``, ``video_content``, ``video_remix``, ``video_list`` and their async twins.

The SDK talks OpenAI's Videos API to any ``api_base`` (``custom_llm_provider="openai"``); it
wraps each job id in its own (base64 of ``litellm:custom_llm_provider:...;video_id:RAW``) and
unwraps it on the next call. The same calls against SGLang's own server are in
``tests/engines/test_sglang.py``.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sora_nb import media
from tests.imitations import free_port

# Offline: the cost map LiteLLM ships, not one fetched from GitHub (set before the import).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
# The gateway extra (installed by `make setup`) brings LiteLLM: without it this file must fail,
# not skip, or CI would hide the SDK's test.
import litellm

UP_SECONDS = 30
DONE_SECONDS = 60


def raw_id(wrapped: str) -> str:
    """The server's own job id inside one LiteLLM's SDK hands back."""
    decoded = base64.b64decode(wrapped.removeprefix("video_")).decode()
    assert decoded.startswith("litellm:custom_llm_provider:openai;"), decoded
    return decoded.rsplit("video_id:", 1)[1]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``python -m sora_nb.server`` on loopback (key required, jobs as fast as they render);
    yields the keyword arguments that point LiteLLM's SDK at it."""
    folder = tmp_path_factory.mktemp("bundled")
    port, key = free_port(), "sk-" + secrets.token_hex(16)
    serve = ["--port", str(port), "--api-key", key, "--time-scale", "0"]
    process = subprocess.Popen(
        [sys.executable, "-m", "sora_nb.server", *serve, "--media", str(folder / "server")],
        stdout=(folder / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + UP_SECONDS
        while True:
            assert process.poll() is None, (folder / "server.log").read_text()[-2000:]
            assert time.monotonic() < deadline, f"the bundled server was not up in {UP_SECONDS} s"
            try:
                headers = {"Authorization": f"Bearer {key}"}
                if httpx.get(f"{base}/models", headers=headers, timeout=2).is_success:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        yield {"api_base": base, "api_key": key, "custom_llm_provider": "openai"}
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def finished(video_id: str, server: dict[str, Any]) -> Any:
    """``video_status`` until the job is completed or failed (bounded)."""
    deadline = time.monotonic() + DONE_SECONDS
    while True:
        status = litellm.video_status(video_id=video_id, **server)
        if status.status in ("completed", "failed"):
            return status
        assert time.monotonic() < deadline, f"{video_id} not done in {DONE_SECONDS} s: {status}"
        time.sleep(0.1)


async def afinished(video_id: str, server: dict[str, Any]) -> Any:
    """``avideo_status`` until the job is completed or failed (bounded)."""
    deadline = time.monotonic() + DONE_SECONDS
    while True:
        status = await litellm.avideo_status(video_id=video_id, **server)
        if status.status in ("completed", "failed"):
            return status
        assert time.monotonic() < deadline, f"{video_id} not done in {DONE_SECONDS} s: {status}"
        await asyncio.sleep(0.1)


def test_the_sdks_calls_create_wait_download_remix_and_list(
    bundled: dict[str, Any], tmp_path: Path
) -> None:
    made = litellm.video_generation(
        prompt="A lighthouse at dusk, waves below",
        model="sora-2",
        seconds="4",
        size="1280x720",
        **bundled,
    )
    assert made.status == "queued" and made.model == "sora-2"
    done = finished(made.id, bundled)
    # The id it hands back wraps the same job (without the model, which a status call lacks).
    assert (done.status, done.progress, raw_id(done.id)) == ("completed", 100, raw_id(made.id))
    data = litellm.video_content(video_id=made.id, **bundled)
    video = tmp_path / "video.mp4"
    video.write_bytes(data)
    probe = media.probe(video)
    assert (probe.width, probe.height, probe.has_audio) == (1280, 720, True)

    remix = litellm.video_remix(video_id=made.id, prompt="The same lighthouse at night", **bundled)
    assert remix.remixed_from_video_id == raw_id(made.id)
    assert finished(remix.id, bundled).status == "completed"

    listed = litellm.video_list(limit=10, **bundled)
    ids = [raw_id(video["id"]) for video in listed["data"]]  # wrapped as well
    assert {raw_id(made.id), raw_id(remix.id)} <= set(ids), ids
    assert listed["object"] == "list" and listed["has_more"] is False

    # The server's 404 sentence reaches the caller (LiteLLM types it by its own rules: a
    # BadRequestError for OpenAI's invalid_request_error envelope).
    unknown = (litellm.BadRequestError, litellm.NotFoundError)
    with pytest.raises(unknown, match=r"Video with id 'video_0+' not found"):
        litellm.video_status(video_id="video_" + "0" * 32, **bundled)


def test_the_async_twins(bundled: dict[str, Any], tmp_path: Path) -> None:
    async def scenario() -> tuple[Any, Any, bytes, Any]:
        made = await litellm.avideo_generation(
            prompt="A kite over the dunes",
            model="sora-2",
            seconds="4",
            size="720x1280",
            **bundled,
        )
        done = await afinished(made.id, bundled)
        data = await litellm.avideo_content(video_id=made.id, **bundled)
        remix = await litellm.avideo_remix(video_id=made.id, prompt="Two kites", **bundled)
        await afinished(remix.id, bundled)
        listed = await litellm.avideo_list(limit=100, **bundled)
        return made, (done, remix), data, listed

    made, (done, remix), data, listed = asyncio.run(scenario())
    assert done.status == "completed"
    (tmp_path / "video.mp4").write_bytes(data)
    probe = media.probe(tmp_path / "video.mp4")
    assert (probe.width, probe.height) == (720, 1280)
    assert remix.remixed_from_video_id == raw_id(made.id)
    assert {raw_id(made.id), raw_id(remix.id)} <= {raw_id(v["id"]) for v in listed["data"]}
