"""Kernel death: a real kernel dies mid-job; a new kernel runs the same cell and re-attaches.

The kernel is started by jupyter_client exactly as Jupyter starts one, runs ``%%sora`` against
the bundled server (slowed so the job is still running), and is killed with SIGKILL once the
ledger holds its job id. A fresh kernel runs the same cell: it must finish that job, not start
and pay for a second one.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

CELL = "%%sora --as boat\nA paper boat drifting down a gutter in the rain, close on the water.\n"


def setup_code(server: Path) -> str:
    # 2 wall seconds per video second: a 4 s clip runs about 8 s, long enough to kill mid-job.
    return (
        "%load_ext sora_nb\n"
        "from sora_nb.server import ServerSettings\n"
        "from sora_nb.notebook import functions\n"
        f"functions.configure(bundled=ServerSettings(media_dir={str(server)!r}, time_scale=2))\n"
    )


@pytest.fixture
def start_kernel(tmp_path: Path) -> Iterator[Any]:
    managers: list[KernelManager] = []
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_BASE_URL", "_API_KEY"))}
    env["SORA_NB_HOME"] = str(tmp_path / "media")

    def start() -> tuple[KernelManager, BlockingKernelClient]:
        km = KernelManager(kernel_name="python3")
        km.start_kernel(env=env, cwd=str(tmp_path))
        managers.append(km)
        client = km.blocking_client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        return km, client

    yield start
    for km in managers:
        if km.is_alive():
            km.shutdown_kernel(now=True)
        km.cleanup_resources()


def execute(client: BlockingKernelClient, code: str, timeout: float = 120) -> str:
    """Run ``code`` and return what it printed; fail with the kernel's error if it raised."""
    msg_id = client.execute(code)
    out: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            msg = client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        except Empty:
            raise AssertionError(f"no answer to {code!r} in {timeout} s") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            raise AssertionError(f"{content['ename']}: {content['evalue']}")
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out)


def ledger_rows(ledger: Path) -> list[tuple[str, str, str | None]]:
    if not ledger.exists():
        return []
    try:
        with sqlite3.connect(ledger) as db:
            return db.execute("SELECT id, status, job_id FROM takes").fetchall()
    except sqlite3.OperationalError:  # the kernel is still creating the schema
        return []


def test_a_killed_kernel_re_attaches_to_its_job(tmp_path: Path, start_kernel: Any) -> None:
    server, ledger = tmp_path / "server", tmp_path / "media" / "ledger.sqlite3"
    km, client = start_kernel()
    execute(client, setup_code(server))
    client.execute(CELL)  # not awaited: the kernel dies while it runs
    deadline = time.monotonic() + 60
    while not any(job_id for _, _, job_id in ledger_rows(ledger)):
        assert time.monotonic() < deadline, "the first kernel never recorded its job id"
        time.sleep(0.05)
    [(take_id, status, job_id)] = ledger_rows(ledger)
    assert status in ("queued", "in_progress")  # killed mid-job
    km.signal_kernel(signal.SIGKILL)  # no cleanup, no goodbye
    client.stop_channels()
    deadline = time.monotonic() + 10
    while km.is_alive():
        assert time.monotonic() < deadline, "the kernel survived SIGKILL"
        time.sleep(0.05)

    _, fresh = start_kernel()
    execute(fresh, setup_code(server))
    execute(fresh, CELL)
    printed = execute(fresh, "print(boat.id, boat.status, boat.job_id, boat.cached)")
    assert printed.split() == [take_id, "completed", str(job_id), "False"]

    # Exactly one take in the ledger and one job on the server: it re-attached, paid once.
    assert ledger_rows(ledger) == [(take_id, "completed", job_id)]
    jobs = [p.name for p in (server / "jobs").iterdir() if p.is_dir()]
    assert jobs == [job_id]
    video = tmp_path / "media" / "takes" / take_id / "video.mp4"
    assert video.stat().st_size > 0
