"""Benchmark: a take rendered by an open model through the bundled server, on the CPU.

Run: .venv/bin/python tests/bench/bench_local_model.py
Figures: end-to-end seconds per take (request to MP4 on disk, through VideosClient in-process)
for the tiny random-weight Wan and LTX-2 pipelines, and the server's own overhead per take: the
end-to-end time minus the pipeline's own time (``inference_time_s`` on the job), which is what
the Videos API, the job store, encoding, previews, polling and the download add. Target: the
overhead under 0.5 s per take. Best of five takes per model (the machine's other work can only
make a take slower); one torch thread, as on a shared machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx

from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy
from sora_nb.server import ServerSettings, create_app
from sora_nb.server.renderers.diffusers import DiffusersOptions, open_renderer
from sora_nb.server.renderers.diffusers.tiny import build_tiny

#: Polls as a notebook would make them against a local server (its hint is one step's time).
POLL = PollPolicy(floor=0.02, ceiling=0.25, min_hint=0.01)
TARGET_OVERHEAD = 0.5
CASES = (("wan", "112x64", 20), ("ltx2", "64x32", 8))


async def _takes(app: object, size: str, steps: int, out: Path) -> list[tuple[float, float]]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    found = []
    # The create goes as raw JSON (VideosClient has no knobs yet); waiting and the download are
    # the client's own, as in a notebook.
    raw = httpx.AsyncClient(transport=transport, base_url="http://bench/v1")
    async with raw, VideosClient(transport=transport, poll=POLL) as client:
        for n in range(5):
            start = time.perf_counter()
            made = await raw.post(
                "/videos",
                json={
                    "prompt": "a red kite over the sea at sunset",
                    "size": size,
                    "seconds": "1",
                    "num_inference_steps": steps,
                    "seed": n,
                },
            )
            done = await client.wait(made.json()["id"])
            await client.download(done, out / f"{done.id}.mp4")
            total = time.perf_counter() - start
            assert done.inference_time_s is not None, f"job {done.id} reported no inference_time_s"
            found.append((total, done.inference_time_s))
    return found


def main() -> int:
    import torch

    torch.set_num_threads(1)
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for kind, size, steps in CASES:
            renderer = open_renderer(DiffusersOptions(model=str(build_tiny(kind, root / kind))))
            app = create_app(ServerSettings(media_dir=root / f"server-{kind}", renderer=renderer))
            try:
                takes = asyncio.run(_takes(app, size, steps, root))
            finally:
                app.state.server.close()
            total, pipeline = min(takes)
            overhead = min(t - p for t, p in takes)
            ok = overhead < TARGET_OVERHEAD
            failed |= not ok
            print(
                f"{kind} tiny, {size}, 1 s, {steps} steps: end to end {total:.2f} s "
                f"(pipeline {pipeline:.2f} s); server overhead {overhead * 1000:.0f} ms per take "
                f"(target < {TARGET_OVERHEAD * 1000:.0f} ms) {'ok' if ok else 'OVER'}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
