"""Runner throughput and cache speed on the bundled server (issue #5's figures).

9 takes whose jobs each take 2 s of simulated time should finish together in under 3 s of wall
time (about 18 s one after another), and a cached re-run of the same 9 should return in under
100 ms having sent nothing. Run: ``.venv/bin/python tests/bench/bench_runner.py``.

Two runs are printed. The first renders nine real animatics, so on a 2-core machine it also
measures the renderer's CPU (about a second of CPU per 4 s clip). The second gives the
bundled server a renderer that copies one pre-rendered animatic, so what is left is the runner's
own concurrency, polling and downloads: the figure the 3 s target is about.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import httpx

from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.runner import Runner
from sora_nb.server import ServerSettings, create_app
from sora_nb.server.renderers.animatic import AnimaticFiles, AnimaticRequest, render

TAKES = 9
JOB_SECONDS = 2.0
CLIP_SECONDS = 4


class Counting(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return await self.inner.handle_async_request(request)


def copying_renderer(source: AnimaticFiles):  # type: ignore[no-untyped-def]
    """A renderer that places copies of one finished animatic (no CPU spent drawing)."""

    def place(request: AnimaticRequest, out_dir: Path) -> AnimaticFiles:
        out_dir.mkdir(parents=True, exist_ok=True)
        copies = [shutil.copy(p, out_dir / p.name) for p in (source.video, source.thumbnail)]
        sheet = shutil.copy(source.spritesheet, out_dir / source.spritesheet.name)
        return AnimaticFiles(
            video=Path(copies[0]), thumbnail=Path(copies[1]), spritesheet=Path(sheet)
        )

    return place


async def one_run(root: Path, renderer: object | None) -> tuple[float, int, float, int]:
    settings = ServerSettings(
        media_dir=root / "server", time_scale=JOB_SECONDS / CLIP_SECONDS, renderer=renderer
    )
    transport = Counting(httpx.ASGITransport(app=create_app(settings)))
    # The bundled server sends openai-poll-after-ms hints; the floor only matters without them.
    client = VideosClient(transport=transport, poll=PollPolicy(floor=0.1, ceiling=1.0))
    runner = Runner(client, Ledger(root / "media"), server="local", concurrency=TAKES)
    requests = [
        VideoRequest(prompt=f"Shot {n}: a lantern swinging in the wind", seconds=CLIP_SECONDS)
        for n in range(TAKES)
    ]
    start = time.perf_counter()
    takes = await runner.run(requests)
    wall = time.perf_counter() - start
    assert all(take.status == "completed" for take in takes), [t.error for t in takes]
    sent_first = transport.sent
    transport.sent = 0
    start = time.perf_counter()
    again = await runner.run(requests)
    cached = time.perf_counter() - start
    assert all(take.cached for take in again)
    await client.aclose()
    return wall, sent_first, cached, transport.sent


async def main() -> None:
    serial = TAKES * JOB_SECONDS
    print(f"{TAKES} takes of {JOB_SECONDS:.0f} s simulated job time each, concurrency {TAKES}")
    print(f"(one after another: ~{serial:.0f} s; targets: < 3 s wall, cached < 100 ms and 0 sent)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = render(
            AnimaticRequest(
                prompt="a lantern swinging in the wind",
                width=1280,
                height=720,
                seconds=CLIP_SECONDS,
            ),
            root / "source",
        )
        for name, renderer in (("real renders", None), ("runner alone", copying_renderer(source))):
            wall, sent, cached, sent_again = await one_run(root / name.replace(" ", "-"), renderer)
            print(
                f"  {name:>12}: wall {wall:.2f} s, {sent} requests ({sent / TAKES:.1f} per take); "
                f"cached re-run {cached * 1000:.1f} ms, {sent_again} sent"
            )


if __name__ == "__main__":
    asyncio.run(main())
