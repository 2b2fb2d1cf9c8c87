"""The OpenAI Python SDK's ``videos.create_character``, ``get_character``, ``extend`` and
``edit`` against the bundled server served on a socket (``python -m sora_nb.server``), as a
user would point the SDK at it. The SDK sends every one of them as a form, nested fields as
``video[id]`` and ``characters[][id]``.

openai 3.57 types ``extend(video=...)`` and ``edit(video=...)`` as a file or ``{"id": ...}``,
but its form builder accepts only a file there (``extract_files`` raises "Expected entry at
`video` to be bytes..." for the object). So the SDK's way is to upload the video: the bundled
server continues an upload from its last frame and edits it by regrading its frames. The id
still reaches the server through ``extra_body`` with ``video=openai.omit``.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from sora_nb import media
from tests.cameos import figure_clip

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK's Sora notice


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, key) of ``python -m sora_nb.server`` on a free loopback port."""
    folder = tmp_path_factory.mktemp("served")
    key, port = "sk-" + secrets.token_hex(12), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sora_nb.server",
            *("--port", str(port), "--api-key", key, "--time-scale", "0"),
            *("--media", str(folder / "media")),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "the server exited before it was up"
            try:
                if httpx.get(f"{base_url}/models", headers={"Authorization": f"Bearer {key}"}):
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"{base_url} did not come up within 30 s"
            time.sleep(0.2)
        yield base_url, key
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def done(sdk: Any, video: Any) -> Any:
    """The job once finished (the SDK's own poll, bounded by the client's timeout)."""
    return sdk.videos.poll(video.id, poll_interval_ms=100)


def test_the_sdk_makes_characters_extends_and_edits(
    served: tuple[str, str], tmp_path: Path
) -> None:
    base_url, key = served
    clip = figure_clip(tmp_path / "maya.mp4")
    sdk = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=60)

    maya = sdk.videos.create_character(
        name="Maya", video=("maya.mp4", clip.read_bytes(), "video/mp4")
    )
    assert maya.id is not None and maya.id.startswith("char_") and maya.name == "Maya"
    assert sdk.videos.get_character(maya.id).name == "Maya"

    # The SDK has no characters argument yet: extra_body sends them (as characters[][id]).
    first = done(
        sdk,
        sdk.videos.create(
            prompt="Maya walks through a forest at noon.",
            seconds="4",
            size="1280x720",
            extra_body={"characters": [{"id": maya.id}]},
        ),
    )
    assert first.status == "completed"
    # The SDK's own path: the video itself, uploaded.
    mp4 = ("first.mp4", sdk.videos.download_content(first.id).read(), "video/mp4")
    longer = done(sdk, sdk.videos.extend(video=mp4, prompt="She stops.", seconds="8"))
    assert (longer.status, longer.seconds) == ("completed", "12")
    night = done(sdk, sdk.videos.edit(video=mp4, prompt="Make it night."))
    assert (night.status, night.seconds) == ("completed", "4")
    # By id, past the SDK's file-only form builder: the whole chain stays drawable.
    unset: Any = openai.omit  # typed as a file or a reference; omitted, extra_body carries it
    by_id = {"video": {"id": longer.id}}
    night = done(sdk, sdk.videos.edit(video=unset, prompt="Make it night.", extra_body=by_id))
    assert (night.status, night.seconds) == ("completed", "12")
    with pytest.raises(RuntimeError, match="Expected entry at `video` to be bytes"):
        sdk.videos.extend(video={"id": first.id}, prompt="She stops.", seconds="8")

    content = sdk.videos.download_content(night.id)
    path = tmp_path / "night.mp4"
    path.write_bytes(content.read())
    info = media.probe(path)
    assert (info.duration, info.width, info.height) == (12.0, 1280, 720)

    running = sdk.videos.create(prompt="A heron at dawn.", seconds="12", size="1280x720")
    with pytest.raises(openai.BadRequestError, match="only a completed video can be extended"):
        sdk.videos.extend(
            video=unset, prompt="It flies.", seconds="4", extra_body={"video": {"id": running.id}}
        )
