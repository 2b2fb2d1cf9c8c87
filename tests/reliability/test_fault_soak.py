"""Fault soak: 50 takes through the runner while the server misbehaves; nothing lost or doubled.

The emulator answers 10% of requests with 429 (and Retry-After), 5% with a 5xx, drops 2% of
connections after handling them, cuts 2% of downloads short, and refuses more than two running
jobs at once. Every take must end completed or with a clear final error, the server must hold
exactly one job per take, no partial file may exist, and the ledger and the files must agree.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import httpx

from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy, RetryPolicy
from sora_nb.emulator import EmulatorSettings, FaultSettings, create_app
from sora_nb.runs.files import SIDECAR
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.runner import Runner
from sora_nb.runs.take import FILE_NAMES
from tests.reliability.conftest import Counting, partial_files

TAKES = 50
FAULTS = FaultSettings(
    rate_429=0.10,
    rate_500=0.02,
    rate_502=0.015,
    rate_503=0.015,
    rate_drop=0.02,
    rate_truncate=0.02,
    retry_after=0.05,
    seed=10,
)
# Persistent enough to ride out bad luck, quick enough for CI.
RETRY = RetryPolicy(max_retries=8, initial_delay=0.02, max_delay=0.3, budget=30)
POLL = PollPolicy(floor=0.05, ceiling=0.2, min_hint=0.02)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_fifty_takes_under_faults_lose_nothing_and_pay_once(tmp_path: Path) -> None:
    server_dir, media_dir = tmp_path / "server", tmp_path / "media"
    app = create_app(
        EmulatorSettings(media_dir=server_dir, time_scale=0.05, max_running_jobs=2, faults=FAULTS)
    )
    emulator = app.state.emulator
    wire = Counting(httpx.ASGITransport(app=app))
    ledger = Ledger(media_dir)
    prompts = [f"a paper lantern drifting over a night harbour, lantern {n}" for n in range(10)]
    requests = [
        VideoRequest(prompt=prompt, size="1280x720", seconds=4, take=take)
        for prompt in prompts
        for take in range(1, TAKES // len(prompts) + 1)
    ]
    assert len(requests) == TAKES
    started = time.monotonic()
    async with VideosClient(transport=wire, retry=RETRY, poll=POLL) as client:
        runner = Runner(client, ledger, server="emulator", concurrency=4)
        takes = await runner.run(requests)
    elapsed = time.monotonic() - started
    emulator.close()

    # Every take is final: completed, or failed with a message that says what happened.
    assert all(take.done for take in takes)
    failed = [take for take in takes if not take.ok]
    for take in failed:
        assert take.error is not None and len(take.error.message) > 20, take
    assert len(failed) <= 2, [t.error for t in failed]

    # No duplicate jobs: one server job per take, whatever was retried or replayed.
    job_ids = [take.job_id for take in takes]
    assert None not in job_ids and len(set(job_ids)) == TAKES
    server_jobs = sorted(p.name for p in (server_dir / "jobs").iterdir() if p.is_dir())
    assert server_jobs == sorted(job_ids)  # type: ignore[type-var]
    assert emulator.stats.jobs_created == TAKES

    # No partial files, on either side.
    assert partial_files(media_dir) == []
    assert partial_files(server_dir) == []

    # The ledger and the files agree exactly.
    rows = {take.id: take for take in ledger.history(None)}
    assert set(rows) == {take.id for take in takes}
    folders = {p.name for p in (media_dir / "takes").iterdir()}
    assert folders == set(rows)
    for take in takes:
        row = rows[take.id]
        assert (row.status, row.job_id, row.error) == (take.status, take.job_id, take.error)
        folder = media_dir / row.folder
        sidecar = json.loads((folder / SIDECAR).read_text())
        assert (sidecar["status"], sidecar["job_id"]) == (row.status, row.job_id)
        present = {p.name for p in folder.iterdir()} - {SIDECAR}
        if row.ok:
            assert present == set(FILE_NAMES.values())
            assert sorted(sidecar["files"]) == sorted(FILE_NAMES)
            on_server = server_dir / "jobs" / str(row.job_id)
            for name in FILE_NAMES.values():
                assert _sha(folder / name) == _sha(on_server / name), (take.id, name)
            assert row.cost is not None and row.cost > 0
        else:
            assert present == set() and sidecar["files"] == {}
            assert row.cost is None

    # The faults really happened, and the retries really reached the server.
    served = emulator.faults_served
    assert served.get("429", 0) > 0 and served.get("drop", 0) > 0
    assert served.get("truncate", 0) > 0
    assert sum(served.get(kind, 0) for kind in ("500", "502", "503")) > 0
    assert wire.sent["POST videos"] > TAKES  # retried creates, all replayed idempotently
    print(
        f"\nsoak: {TAKES} takes in {elapsed:.1f} s; completed {TAKES - len(failed)}, "
        f"failed {len(failed)}; faults served {dict(sorted(served.items()))} "
        f"(total {sum(served.values())}); requests {dict(wire.sent)}; "
        f"server jobs {emulator.stats.jobs_created}, idempotent replays "
        f"{emulator.stats.idempotent_replays}; partial files 0"
    )
