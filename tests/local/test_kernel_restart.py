"""A kernel rendering with a local model dies mid-job; a new kernel connects to the same model,
runs the same cell, and re-attaches to the job it left (no second job).

To be sure the cell's job is still unfinished when the kernel is killed, the first kernel keeps
the one render worker busy with a long job (200 steps) before the cell: the cell's job waits
behind it, queued, as it would behind a colleague's take on a shared GPU.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.reliability.test_kernel_death import execute, ledger_rows, start_kernel  # noqa: F401

CELL = "%%sora --size 112x64 --seconds 1 --as boat\nA paper boat drifting down a river.\n"


def setup_code(folder: Path) -> str:
    return f"%load_ext sora_nb\n%sora connect local:{folder}\n"


def raw(call: str) -> str:
    """Code for the kernel: one raw request to its in-process server (knobs %%sora lacks)."""
    return (
        "import httpx\n"
        "from sora_nb.notebook import functions\n"
        "from sora_nb.connection import bundled_app\n"
        "made = functions.session()\n"
        "app = bundled_app(made.media_dir / 'server', local=made._local)\n"
        "async def send():\n"
        "    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),"
        " base_url='http://k/v1') as http:\n"
        f"        return (await http.{call}).json()\n"
        "answer = await send()\n"
    )


BLOCKER = raw(
    "post('/videos', json={'prompt': 'a long take', 'size': '112x64', 'seconds': '1', "
    "'num_inference_steps': 200})"
)


def test_a_killed_kernel_re_attaches_to_its_local_job(
    tmp_path: Path,
    start_kernel: Any,  # noqa: F811 - the fixture imported above
    tiny: Callable[[str], Path],
) -> None:
    folder = tiny("wan")
    ledger = tmp_path / "media" / "ledger.sqlite3"
    km, client = start_kernel()
    execute(client, setup_code(folder))
    execute(client, BLOCKER)
    client.execute(CELL)  # not awaited: the kernel dies while it runs
    deadline = time.monotonic() + 120
    while not any(job_id for _, _, job_id in ledger_rows(ledger)):
        assert time.monotonic() < deadline, "the first kernel never recorded its job id"
        time.sleep(0.05)
    [(take_id, status, job_id)] = ledger_rows(ledger)
    assert status in ("queued", "in_progress")
    km.signal_kernel(signal.SIGKILL)
    client.stop_channels()
    deadline = time.monotonic() + 10
    while km.is_alive():
        assert time.monotonic() < deadline, "the kernel survived SIGKILL"
        time.sleep(0.05)

    server = tmp_path / "media" / "server" / "diffusers"
    [blocker] = [p.name for p in server.glob("*/jobs/video_*") if p.name != job_id]

    _, fresh = start_kernel()
    execute(fresh, setup_code(folder))
    # The blocker came back with the server; stop it (DELETE cancels between steps).
    execute(fresh, raw(f"delete('/videos/{blocker}')"))
    execute(fresh, CELL, timeout=240)
    printed = execute(fresh, "print(boat.id, boat.status, boat.job_id, boat.cached)")
    assert printed.split() == [take_id, "completed", str(job_id), "False"]
    assert ledger_rows(ledger) == [(take_id, "completed", job_id)]
    jobs = [p.name for p in server.glob("*/jobs/video_*")]
    assert jobs == [job_id]  # the cell's one job, and no second
