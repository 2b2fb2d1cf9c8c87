"""A process killed mid-job loses nothing: the next run re-attaches to the same job."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from sora_nb.api.client import VideosClient
from sora_nb.server import ServerSettings, create_app

SCRIPT = """
import sys
import sora_nb
from sora_nb.server import ServerSettings
from sora_nb.notebook import functions

functions.configure(
    media_dir=sys.argv[1],
    bundled=ServerSettings(media_dir=sys.argv[2], time_scale=float(sys.argv[3])),
)
take = sora_nb.generate("A paper boat drifting down a gutter in the rain", seconds=4)
print(take.status, take.job_id, flush=True)
"""


def run_script(media: Path, server: Path, scale: float) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_BASE_URL", "_API_KEY"))}
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(media), str(server), str(scale)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def job_ids(ledger: Path) -> list[str]:
    if not ledger.exists():
        return []
    try:
        with sqlite3.connect(ledger) as db:
            rows = db.execute("SELECT job_id FROM takes WHERE job_id IS NOT NULL").fetchall()
    except sqlite3.OperationalError:  # the first process is still creating the schema
        return []
    return [row[0] for row in rows]


async def test_a_killed_process_re_attaches_to_its_job(tmp_path: Path) -> None:
    media, server = tmp_path / "media", tmp_path / "server"
    first = run_script(media, server, scale=1.5)  # a 4 s clip takes about 6 s
    deadline = time.monotonic() + 60
    while not job_ids(media / "ledger.sqlite3"):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the first run never recorded its job id"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)  # the kernel dies mid-job
    first.wait()
    [job_id] = job_ids(media / "ledger.sqlite3")

    second = run_script(media, server, scale=1.5)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert out.split() == ["completed", job_id]

    app = create_app(ServerSettings(media_dir=server, time_scale=0))
    async with VideosClient(transport=httpx.ASGITransport(app=app)) as client:
        jobs = [video async for video in client.list()]
    assert [video.id for video in jobs] == [job_id]
