"""Peak memory growth while ``download`` saves a 200 MB video (target: under 30 MB: it streams).

The body is generated 1 MB at a time by an async generator behind an httpx MockTransport, so
the server side never holds it; the client writes it to a temporary file and renames it into
place. Peak RSS (getrusage) and the peak of Python allocations (tracemalloc) are measured
across the download. Run: ``.venv/bin/python tests/bench/bench_download.py``.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from sora_nb.api.client import VideosClient

SIZE = 200 * 1024 * 1024
CHUNK = 1024 * 1024
TARGET_MB = 30.0
#: A valid MP4 start (the ftyp box), then filler: the client checks the type, not the frames.
HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


async def body(size: int) -> AsyncIterator[bytes]:
    filler = bytes(CHUNK)  # one buffer, yielded again and again
    yield HEAD + filler[len(HEAD) :]
    for _ in range(size // CHUNK - 1):
        yield filler


def handler(request: httpx.Request) -> httpx.Response:
    # The warm-up fetches 1 MB, so the baseline peak is not already the big download's.
    size = CHUNK if "warm" in request.url.path else SIZE
    headers = {"content-type": "video/mp4", "content-length": str(size)}
    return httpx.Response(200, content=body(size), headers=headers)


async def main() -> int:
    async with VideosClient("http://bench.test/v1", transport=httpx.MockTransport(handler)) as c:
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "big.mp4"
            # Warm up: imports and first-use allocations are not the download's.
            await c.download("video_warm", target)
            target.unlink()
            before = peak_rss_mb()
            tracemalloc.start()
            started = time.perf_counter()
            await c.download("video_big", target)
            seconds = time.perf_counter() - started
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            growth = peak_rss_mb() - before
            size = target.stat().st_size
    print(f"downloaded {size / 2**20:.0f} MB in {seconds:.1f} s")
    print(f"peak RSS growth during the download: {growth:.1f} MB; target < {TARGET_MB:.0f} MB")
    print(f"peak Python allocations (tracemalloc): {traced_peak / 2**20:.1f} MB")
    ok = size == SIZE and growth < TARGET_MB
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
