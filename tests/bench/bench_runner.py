"""Runner throughput and cache speed on the bundled emulator (issue #5's figures).

9 takes whose jobs each take 2 s of simulated time should finish together in under 3 s of wall
time (about 18 s one after another), and a cached re-run of the same 9 should return in under
100 ms having sent nothing. Run: ``.venv/bin/python tests/bench/bench_runner.py``.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import httpx

from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy
from sora_nb.emulator import EmulatorSettings, create_app
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.runner import Runner

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


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = EmulatorSettings(
            media_dir=root / "server", time_scale=JOB_SECONDS / CLIP_SECONDS
        )
        transport = Counting(httpx.ASGITransport(app=create_app(settings)))
        # The emulator sends openai-poll-after-ms hints; the floor only matters without them.
        client = VideosClient(transport=transport, poll=PollPolicy(floor=0.1, ceiling=1.0))
        runner = Runner(client, Ledger(root / "media"), server="emulator", concurrency=TAKES)
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

    serial = TAKES * JOB_SECONDS
    print(f"{TAKES} takes of {JOB_SECONDS:.0f} s simulated job time each, concurrency {TAKES}:")
    print(f"  wall time {wall:.2f} s (target < 3 s; one after another ~{serial:.0f} s)")
    print(f"  requests sent {sent_first} ({sent_first / TAKES:.1f} per take)")
    ms = cached * 1000
    print(f"  cached re-run {ms:.1f} ms, requests sent {transport.sent} (target < 100 ms and 0)")


if __name__ == "__main__":
    asyncio.run(main())
