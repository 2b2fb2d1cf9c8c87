"""Through a real gateway: LiteLLM's proxy on loopback, with the bundled server as its upstream.

Gateways differ from OpenAI's own service: LiteLLM re-encodes video ids and drops the
``variant`` query, answering a thumbnail request with the MP4. sora_nb must still complete
create → wait → download, notice the wrong content type, and derive the thumbnail and the
spritesheet from the video itself.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from sora_nb import media
from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy, RetryPolicy
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.runner import Runner

LITELLM = shutil.which("litellm", path=str(Path(sys.executable).parent))
CONFIG = """
model_list:
  - model_name: sora-2
    litellm_params:
      model: openai/sora-2
      api_base: http://127.0.0.1:{upstream}/v1
      api_key: os.environ/SORA_NB_TEST_UPSTREAM_KEY
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
"""
POLL = PollPolicy(floor=0.2, ceiling=0.5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, key: str, process: subprocess.Popen[bytes], limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode} before it was ready")
        try:
            if httpx.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=2).is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up within {limit:.0f} s")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, key) of a LiteLLM proxy in front of a socket-served bundled server."""
    assert LITELLM is not None, "litellm is not installed: run make setup (the gateway extra)"
    folder = tmp_path_factory.mktemp("gateway")
    upstream_key, master_key = secrets.token_hex(16), "sk-" + secrets.token_hex(16)
    upstream, port = free_port(), free_port()
    env = {
        **os.environ,
        "SORA_NB_TEST_UPSTREAM_KEY": upstream_key,
        "LITELLM_MASTER_KEY": master_key,
        # Offline: use the cost map LiteLLM ships instead of fetching one.
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    (folder / "config.yaml").write_text(CONFIG.format(upstream=upstream))
    serve = ["--port", str(upstream), "--api-key", upstream_key, "--time-scale", "0"]
    bundled = subprocess.Popen(
        [sys.executable, "-m", "sora_nb.server", *serve, "--media", str(folder / "server")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    proxy = subprocess.Popen(
        [LITELLM, "--config", "config.yaml", "--host", "127.0.0.1", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=(folder / "litellm.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{upstream}/v1/models", upstream_key, bundled, 30)
        wait_until_up(f"http://127.0.0.1:{port}/v1/models", master_key, proxy, 150)
        yield f"http://127.0.0.1:{port}/v1", master_key
    finally:
        for process in (proxy, bundled):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


async def test_create_wait_download_through_the_gateway(
    gateway: tuple[str, str], tmp_path: Path
) -> None:
    base_url, key = gateway
    async with VideosClient(base_url, key, poll=POLL) as client:
        created = await client.create(
            prompt="A lighthouse at dusk, waves below", model="sora-2", seconds=4, size="1280x720"
        )
        assert created.id.startswith("video_") and created.status in ("queued", "in_progress")
        done = await client.wait(created, deadline=120)
        assert done.status == "completed" and done.id == created.id
        video = await client.download(done, tmp_path / "video.mp4")
        info = media.probe(video)
        assert (info.width, info.height, info.has_audio) == (1280, 720, True)
        # The proxy's re-encoded id told the client it speaks to LiteLLM, which makes no
        # thumbnails: refused before sending.
        assert client.dialect is not None and client.dialect.name == "litellm"
        with pytest.raises(errors.UnsupportedError, match="makes no thumbnails"):
            await client.download(done, tmp_path / "thumbnail.webp", variant="thumbnail")
    # Told it speaks OpenAI's dialect, the client asks: LiteLLM ignores the variant and sends
    # the MP4, which is refused, nothing saved.
    async with VideosClient(base_url, key, poll=POLL, dialect="openai") as client:
        with pytest.raises(errors.UnexpectedContentTypeError, match="video/mp4"):
            await client.download(done, tmp_path / "thumbnail.webp", variant="thumbnail")
    assert not (tmp_path / "thumbnail.webp").exists()


async def test_the_proxy_is_found_to_be_litellm_from_its_models_answer(
    gateway: tuple[str, str],
) -> None:
    base_url, key = gateway
    async with VideosClient(base_url, key) as client:
        info = await client.detect()
    assert info.dialect.name == "litellm" and not info.assumed, info
    assert "sora-2" in info.models
    assert "delete or cancel a job (no DELETE route)" in info.dialect.cannot()


async def test_the_runner_derives_previews_when_the_gateway_sends_the_video(
    gateway: tuple[str, str], tmp_path: Path
) -> None:
    base_url, key = gateway
    async with VideosClient(base_url, key, poll=POLL) as client:
        runner = Runner(client, Ledger(tmp_path), server=base_url)
        [take] = await runner.run([VideoRequest(prompt="Rain on a tin roof at night", seconds=4)])
    assert take.status == "completed", take.error
    with Image.open(take.path("thumbnail")) as thumbnail:
        assert thumbnail.format == "WEBP"
    with Image.open(take.path("spritesheet")) as sheet:
        assert sheet.format == "JPEG"
    assert key not in (tmp_path / take.folder / "take.json").read_text()
    assert key.encode() not in (tmp_path / "ledger.sqlite3").read_bytes()


# -- characters, extensions and edits through the proxy ------------------------------------


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from tests.cameos import figure_clip

    folder = tmp_path_factory.mktemp("clips")
    return {
        name: figure_clip(folder / f"{name}.mp4", coat=coat)
        for name, coat in (
            ("maya", (190, 30, 45)),
            ("theo", (30, 130, 70)),
            ("ada", (240, 140, 20)),
        )
    }


async def test_characters_through_the_gateway(
    gateway: tuple[str, str], clips: dict[str, Path]
) -> None:
    from sora_nb.api.continuity_inputs import CharacterNotNamedWarning

    base_url, key = gateway
    async with VideosClient(base_url, key, poll=POLL) as client:
        maya = await client.create_character(clips["maya"], "Maya")
        theo = await client.create_character(clips["theo"], "Theo")
        ada = await client.create_character(clips["ada"], "Ada")
        # The proxy gives its own ids, which carry the deployment that made them.
        assert maya.id is not None and maya.id.startswith("character_")
        assert (await client.get_character(maya.id)).name == "Maya"
        prompt = "Maya and Theo walk through a forest at noon."
        done = await client.wait(
            await client.create(prompt=prompt, model="sora-2", characters=[maya, theo]),
            deadline=120,
        )
        assert done.status == "completed", done.error
        with pytest.raises(errors.InvalidRequestError, match="at most 2 characters"):
            await client.create(prompt=prompt, model="sora-2", characters=[maya, theo, ada])
        with pytest.warns(CharacterNotNamedWarning, match="Ada is not named"):
            unnamed = await client.create(prompt=prompt, model="sora-2", characters=[ada])
        assert (await client.wait(unnamed, deadline=120)).status == "completed"


async def test_extensions_to_120_seconds_and_edits_through_the_gateway(
    gateway: tuple[str, str],
) -> None:
    base_url, key = gateway
    async with VideosClient(base_url, key, poll=POLL) as client:
        video = await client.wait(
            await client.create(prompt="A lighthouse at dusk.", model="sora-2", seconds=4),
            deadline=120,
        )
        edited = await client.wait(await client.edit(video, prompt="Make it night."), deadline=120)
        assert (edited.status, edited.seconds) == ("completed", "4")
        for seconds in (20, 20, 20, 20, 20, 16):
            video = await client.wait(
                await client.extend(video, prompt="The tide rises.", seconds=seconds),
                deadline=120,
            )
            assert video.status == "completed", video.error
        assert video.seconds == "120"
        with pytest.raises(errors.BadRequestError, match="extended 6 times"):
            await client.extend(video.id, prompt="Once more.", seconds=4)
        # Edits only of completed videos: one still rendering, one that failed.
        running = await client.create(prompt="A heron at dawn.", model="sora-2", seconds=20)
        with pytest.raises(errors.BadRequestError, match="only a completed video can be edited"):
            await client.edit(running, prompt="Make it night.")
        blocked = await client.wait(
            await client.create(prompt="Darth Vader at dawn.", model="sora-2"), deadline=120
        )
        assert blocked.status == "failed"
        with pytest.raises(errors.BadRequestError, match="is failed; only a completed video"):
            await client.edit(blocked, prompt="Make it night.")


def test_a_session_through_the_gateway_keeps_characters_and_chains_and_replays_offline(
    gateway: tuple[str, str], clips: dict[str, Path], tmp_path: Path
) -> None:
    from sora_nb.runs.bundle import export_bundle, import_bundle
    from sora_nb.runs.session import Session

    base_url, key = gateway
    options = {"poll": POLL}
    recorded = Session(tmp_path / "a", base_url=base_url, api_key=key, client_options=options)
    recorded.add_character("Maya", clips["maya"])
    [first] = recorded.run_plan(
        recorded.plan("Maya crosses a bridge.", characters=["Maya"], seconds=4)
    ).takes
    longer = first.extend("She reaches the far side.", seconds=4)
    night = longer.edit("Make it night.")
    assert [t.status for t in (first, longer, night)] == ["completed"] * 3
    # A new kernel over the same folder: the chain and the character's gateway id are there.
    again = Session(tmp_path / "a", base_url=base_url, api_key=key, client_options=options)
    found = again.ledger.get(night.id)
    assert found is not None and [t.id for t in found.chain()] == [first.id, longer.id, night.id]
    [maya] = again.characters()
    assert maya.id_on(base_url) is not None and maya.id_on(base_url).startswith("character_")
    bundle = export_bundle([night], tmp_path / "lesson.zip")

    # Replayed where the gateway cannot be reached: every cell answers from the bundle.
    sent: list[httpx.Request] = []

    def unreachable(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        raise httpx.ConnectError("no server here", request=request)

    offline = {
        "transport": httpx.MockTransport(unreachable),
        "retry": RetryPolicy(max_retries=0),
    }
    replay = Session(tmp_path / "b", base_url=base_url, api_key=key, client_options=offline)
    import_bundle(bundle, replay.ledger)
    [take] = replay.run_plan(
        replay.plan("Maya crosses a bridge.", characters=["Maya"], seconds=4)
    ).takes
    assert take.cached and take.id == first.id
    assert [t.id for t in replay.ledger.chain(replay.ledger.get(night.id))] == [
        first.id,
        longer.id,
        night.id,
    ]
    assert [r for r in sent if r.method == "POST"] == []
