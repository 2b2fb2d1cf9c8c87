"""Small helpers for the diffusers renderer's tests: raw requests, bounded polling, probes."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path
from typing import Any

import av
import httpx
from PIL import Image
from starlette.applications import Starlette


def client(app: Starlette) -> httpx.AsyncClient:
    """Plain httpx on an in-process app (the knobs go as JSON fields, as the wire contract says)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://local.test/v1", timeout=60
    )


async def finish(
    http: httpx.AsyncClient,
    video_id: str,
    *,
    seen: list[tuple[str, int]] | None = None,
    timeout: float = 180,
) -> dict[str, Any]:
    """Poll a job every 20 ms until it is completed or failed; fail after ``timeout`` seconds
    saying where it was."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = (await http.get(f"/videos/{video_id}")).json()
        if seen is not None:
            seen.append((body["status"], body["progress"]))
        if body["status"] in ("completed", "failed"):
            return body
        await asyncio.sleep(0.02)
    raise AssertionError(f"job {video_id} not finished in {timeout} s: {body}")


async def wait_for(condition: Any, what: str, timeout: float = 120) -> None:
    """Wait (bounded) for an async or plain condition to become true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"waited {timeout} s for {what}")


def png(width: int, height: int, colour: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def streams(path: Path) -> dict[str, Any]:
    """What a player sees in an MP4: picture size, frames, rate, and the sound stream if any."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        found: dict[str, Any] = {
            "width": video.codec_context.width,
            "height": video.codec_context.height,
            "frames": sum(1 for _ in container.decode(video)),
            "fps": float(video.average_rate or 0),
            "audio": None,
        }
    with av.open(str(path)) as container:
        if container.streams.audio:
            sound = container.streams.audio[0]
            found["audio"] = {
                "codec": sound.codec_context.name,
                "rate": sound.codec_context.sample_rate,
                "channels": sound.codec_context.channels,
                "seconds": float(sound.duration * sound.time_base) if sound.duration else None,
            }
    return found
