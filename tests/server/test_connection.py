"""``connect()``: the configured server when there is one, else the in-process bundled server."""

from __future__ import annotations

from pathlib import Path

import pytest

from sora_nb import connection
from tests.server.conftest import FAST_POLL


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SORA_NB_HOME", str(tmp_path))
    return tmp_path


async def test_with_no_server_configured_the_bundled_server_answers(no_server: Path) -> None:
    async with connection.connect(poll=FAST_POLL) as client:
        video = await client.wait(await client.create(prompt="offline by default"))
    assert video.status == "completed"
    assert (no_server / "server" / "jobs" / video.id / "video.mp4").is_file()
    assert connection.bundled_app() is connection.bundled_app(no_server / "server")
    connection.bundled_app().state.server.store.wait_idle(30)


async def test_a_configured_server_gets_a_normal_client(no_server: Path) -> None:
    async with connection.connect("http://localhost:4000", "sk-gateway") as client:
        assert client.base_url == "http://localhost:4000/v1"
        assert "sk-gateway" not in repr(client)


async def test_the_environment_names_the_server(
    no_server: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SORA_NB_BASE_URL", "http://127.0.0.1:9/v1")
    async with connection.connect() as client:
        assert client.base_url == "http://127.0.0.1:9/v1"
