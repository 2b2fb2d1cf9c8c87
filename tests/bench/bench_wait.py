"""How many status requests ``wait`` sends for a 60 s job on a server that gives no poll hint.

Target: at most 12, against 60 for a fixed 1 s poll. The job runs in simulated time (the
client's SimulatedClock), so the bench takes well under a second; the default PollPolicy keeps
its random jitter, and the worst of many trials is reported.

The engines (vLLM-Omni, SGLang, FastVideo) report progress 0 until the job is done and SGLang
and FastVideo never say ``in_progress``: the same 60 s job, queued at 0% until it completes,
must take no more status requests than the one that reports progress (both are printed, the
jitter drawn alike for both).
Run: ``.venv/bin/python tests/bench/bench_wait.py``.
"""

from __future__ import annotations

import asyncio
import random
import sys

import httpx

from sora_nb.api.client import VideosClient
from sora_nb.api.clock import SimulatedClock
from sora_nb.api.retry import PollPolicy

JOB_SECONDS = 60.0
TARGET = 12
TRIALS = 200


async def status_requests(poll: PollPolicy | None, *, silent: bool = False) -> int:
    """Create a job taking JOB_SECONDS and wait for it; return the GETs of its status sent.

    ``silent``: the job says ``queued`` at 0% until it completes, as an engine's does."""
    clock = SimulatedClock()
    started = clock.monotonic()
    gets = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal gets
        elapsed = clock.monotonic() - started
        status = "completed" if elapsed >= JOB_SECONDS else "in_progress"
        if request.method == "GET":
            gets += 1
        if silent and status != "completed":
            status = "queued"
        progress = min(100, int(100 * elapsed / JOB_SECONDS))
        if silent:
            progress = 100 if status == "completed" else 0
        video = {
            "id": "video_1",
            "object": "video",
            "model": "sora-2",
            "status": "queued" if request.method == "POST" else status,
            "progress": progress,
            "created_at": 0,
            "completed_at": None,
            "expires_at": None,
            "prompt": "a fox",
            "size": "720x1280",
            "seconds": "4",
            "remixed_from_video_id": None,
            "error": None,
        }
        return httpx.Response(200, json=video)  # no openai-poll-after-ms: the client decides

    transport = httpx.MockTransport(handler)
    async with VideosClient(
        "http://bench.test/v1", transport=transport, clock=clock, poll=poll
    ) as client:
        video = await client.create(prompt="a fox")
        done = await client.wait(video.id)
    assert done.status == "completed"
    return gets


async def main() -> int:
    counts = [await status_requests(None) for _ in range(TRIALS)]
    fixed = await status_requests(PollPolicy(floor=1.0, ceiling=1.0, jitter=0.0))
    worst = max(counts)
    print(
        f"wait on a {JOB_SECONDS:.0f} s job, no poll hint: {worst} status requests at worst "
        f"({min(counts)} at best, {TRIALS} trials with jitter); target <= {TARGET}"
    )
    print(f"a fixed 1 s poll sends {fixed} for the same job")
    # The same jitter for both: trial n draws from Random(n) whether progress moves or not.
    reporting = [
        await status_requests(PollPolicy(random=random.Random(n).random)) for n in range(TRIALS)
    ]
    silent = [
        await status_requests(PollPolicy(random=random.Random(n).random), silent=True)
        for n in range(TRIALS)
    ]
    print(
        f"a job reporting progress: {max(reporting)} status requests at worst "
        f"({sum(reporting) / TRIALS:.1f} on average)"
    )
    print(
        f"a job at 0% (queued) for {JOB_SECONDS:.0f} s, then completed: {max(silent)} at worst "
        f"({sum(silent) / TRIALS:.1f} on average); target <= the reporting job's, trial by trial"
    )
    ok = worst <= TARGET and all(q <= r for q, r in zip(silent, reporting, strict=True))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
