"""Device check: the tiny random-weight pipelines rendered on a GPU, through the bundled server.

Run on a machine with a CUDA GPU (see run.sh): python tests/device/check_tiny_cuda.py
(``--device cpu`` runs the same checks here). For Wan, Wan with a first frame and LTX-2 it
creates a take over the Videos API (in-process), and checks the MP4's size, frame count and
sound, that the same seed gives the same bytes on this device, and that a DELETE stops a render
between steps; it prints seconds per step and peak GPU memory as the jobs report them.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import av
import httpx
from PIL import Image

from sora_nb.server import ServerSettings, create_app
from sora_nb.server.renderers.diffusers import DiffusersOptions, open_renderer
from sora_nb.server.renderers.diffusers.tiny import build_tiny

CASES = (
    # kind, size, frames expected for 1 s, sound rate
    ("wan", "112x64", 17, None),
    ("wan-i2v", "112x64", 25, None),
    ("ltx2", "64x32", 25, 16000),
)


async def _finish(http: httpx.AsyncClient, video_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        body: dict[str, Any] = (await http.get(f"/videos/{video_id}")).json()
        if body["status"] in ("completed", "failed"):
            return body
        await asyncio.sleep(0.02)
    raise AssertionError(f"{video_id} did not finish in 300 s")


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


async def _check(kind: str, size: str, frames: int, rate: int | None, app: Any, out: Path) -> str:
    width, height = (int(n) for n in size.split("x"))
    fields = {"prompt": "a red kite over the sea", "size": size, "seconds": "1"}
    fields |= {"num_inference_steps": "8", "seed": "11"}
    files = {"input_reference": ("f.png", _png(width, height), "image/png")}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://device/v1", timeout=120
    ) as http:
        videos = []
        for _ in range(2):
            if kind == "wan-i2v":  # a first frame goes as a multipart upload
                made = await http.post("/videos", data=fields, files=files)
            else:
                made = await http.post(
                    "/videos", json={**fields, "num_inference_steps": 8, "seed": 11}
                )
            assert made.status_code == 200, made.text
            done = await _finish(http, made.json()["id"])
            assert done["status"] == "completed", done
            videos.append((await http.get(f"/videos/{done['id']}/content")).content)
        assert videos[0] == videos[1], f"{kind}: the same seed gave different bytes"
        path = out / f"{kind}.mp4"
        path.write_bytes(videos[0])
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            count = sum(1 for _ in container.decode(stream))
            found = (stream.codec_context.width, stream.codec_context.height, count)
            sound = container.streams.audio[0].codec_context.sample_rate if rate else None
        assert found == (width, height, frames), f"{kind}: {found}"
        assert sound == rate, f"{kind}: sound at {sound}"
        if kind == "wan-i2v":
            long = await http.post(
                "/videos", data={**fields, "num_inference_steps": "200"}, files=files
            )
        else:
            long = await http.post(
                "/videos", json={**fields, "num_inference_steps": 200, "seed": 1}
            )
        long_id = long.json()["id"]
        while (await http.get(f"/videos/{long_id}")).json()["progress"] == 0:
            await asyncio.sleep(0.01)
        assert (await http.delete(f"/videos/{long_id}")).status_code == 200
    stats = app.state.server.stats
    deadline = time.monotonic() + 60
    while not stats.cancelled and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert stats.cancelled == 1 and stats.steps_at_cancel[0] < 200, stats
    return (
        f"{kind:8} {size} {frames} frames: {done['seconds_per_step'] * 1000:.1f} ms/step, "
        f"{done['inference_time_s']:.2f} s in the pipeline, peak {done['peak_memory_mb']:.0f} MB"
        f" on {done['device']}; same seed same bytes; DELETE stopped after "
        f"{stats.steps_at_cancel[0]} of 200 steps"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for kind, size, frames, rate in CASES:
            options = DiffusersOptions(
                model=str(build_tiny(kind, root / f"{kind}-tiny")),  # type: ignore[arg-type]
                device=args.device,
                dtype=args.dtype,
            )
            app = create_app(ServerSettings(media_dir=root / kind, renderer=open_renderer(options)))
            try:
                print(asyncio.run(_check(kind, size, frames, rate, app, root)), flush=True)
            finally:
                app.state.server.close()
    print("tiny pipelines on", args.device, "ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
