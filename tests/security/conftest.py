"""Shared by the security tests: apps of every dialect the server builds, raw HTTP on them, and
``python -m sora_nb.server`` run as users run it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from tests.jupyter_media.test_extension import Server as JupyterServer
from tests.jupyter_media.test_extension import server as jupyter
from tests.server.conftest import MakeApp

#: ``jupyter``: the Jupyter server with sora_nb's extension, started as tests/jupyter_media starts
#: it (one per test module that asks for it).
__all__ = ["JupyterServer", "jupyter"]

#: Every app ``create_app`` can build: sora_nb's own (None), the strict excerpt and each imitation.
DIALECTS = [None, "openai", "vllm-omni", "sglang", "fastvideo", "litellm"]
KEY = "sk-doors-test-0123456789abcdef"


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[MakeApp]:
    maker = MakeApp(tmp_path / "server")
    yield maker
    maker.close()


def raw(app: Starlette, **headers: str) -> httpx.AsyncClient:
    """Plain httpx on ``app`` in-process: requests exactly as written, no client rules."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bundled.test/v1", headers=headers
    )


def jobs_created(app: Starlette) -> int:
    """Jobs the app made, whatever its dialect (an imitation counts in its store)."""
    return int(app.state.server.stats.jobs_created)


def multipart_create(prompt: str = "a red kite over a beach") -> dict[str, tuple[None, str]]:
    """Form fields that every dialect reads as a create (SGLang reads only multipart forms)."""
    return {"prompt": (None, prompt)}


@dataclass
class Served:
    """``python -m sora_nb.server`` in a process of its own, and what it printed."""

    base_url: str
    process: subprocess.Popen[str]
    said: list[str] = field(default_factory=list)

    def log(self) -> str:
        """Everything it printed (stdout and stderr), once it has stopped."""
        return "".join(self.said)


@contextmanager
def served_cli(*args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """Serve ``python -m sora_nb.server --port 0 ARGS`` until the block ends; the log is in
    ``said`` afterwards."""
    environ = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    for name in ("SORA_NB_SERVER_API_KEY", "SORA_NB_EMULATOR_KEY"):
        if env is None or name not in env:
            environ.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "sora_nb.server", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # uvicorn logs requests on stdout, the rest on stderr
        text=True,
        env=environ,
    )
    assert process.stdout is not None
    said: list[str] = []
    base_url = None
    deadline = time.monotonic() + 60
    while base_url is None and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        said.append(line)
        found = re.search(r"running on (http://127\.0\.0\.1:\d+)", line)
        if found:
            base_url = found.group(1) + "/v1"
    served = Served(base_url or "", process, said)
    try:
        assert base_url is not None, "the server did not say where it listens within 60 s:\n" + (
            "".join(said)
        )
        yield served
    finally:
        process.terminate()
        try:
            rest, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            rest, _ = process.communicate(timeout=10)
        said.append(rest or "")
