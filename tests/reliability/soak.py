"""The fault soak, shared by its test and its benchmark: run takes against a misbehaving
bundled server, then audit the server, the ledger and the files against each other."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy, RetryPolicy
from sora_nb.runs.files import SIDECAR
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.runner import Runner
from sora_nb.runs.take import FILE_NAMES, Take
from sora_nb.server import FaultSettings, ServerSettings, create_app
from tests.reliability.conftest import Counting, partial_files


def faults(seed: int) -> FaultSettings:
    """10% 429 (with Retry-After), 5% 5xx, 2% dropped connections, 2% truncated downloads."""
    return FaultSettings(
        rate_429=0.10,
        rate_500=0.02,
        rate_502=0.015,
        rate_503=0.015,
        rate_drop=0.02,
        rate_truncate=0.02,
        retry_after=0.05,
        seed=seed,
    )


# Persistent enough to ride out bad luck, quick enough for CI.
RETRY = RetryPolicy(max_retries=8, initial_delay=0.02, max_delay=0.3, budget=30)
POLL = PollPolicy(floor=0.05, ceiling=0.2, min_hint=0.02)


@dataclass
class SoakResult:
    """What a soak did and what its audit found (``problems`` empty means all agreed)."""

    takes: list[Take]
    seconds: float
    faults_served: dict[str, int]
    requests: dict[str, int]
    jobs_created: int
    idempotent_replays: int
    server_jobs: list[str]
    partial: list[Path]
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Take]:
        return [take for take in self.takes if not take.ok]

    @property
    def duplicates(self) -> int:
        """Server jobs beyond one per take."""
        return len(self.server_jobs) - len({t.job_id for t in self.takes if t.job_id})

    def summary(self) -> str:
        return (
            f"{len(self.takes)} takes in {self.seconds:.1f} s; completed "
            f"{len(self.takes) - len(self.failed)}, failed {len(self.failed)}; faults served "
            f"{dict(sorted(self.faults_served.items()))} (total "
            f"{sum(self.faults_served.values())}); requests {self.requests}; server jobs "
            f"{self.jobs_created}, duplicates {self.duplicates}, idempotent replays "
            f"{self.idempotent_replays}; partial files {len(self.partial)}; ledger/file "
            f"disagreements {len(self.problems)}"
        )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def soak(root: Path, *, takes: int = 50, seed: int = 10, cap: int = 2) -> SoakResult:
    """Run ``takes`` takes (ten prompts, several takes each) under faults and audit them."""
    server_dir, media_dir = root / "server", root / "media"
    app = create_app(
        ServerSettings(
            media_dir=server_dir, time_scale=0.05, max_running_jobs=cap, faults=faults(seed)
        )
    )
    bundled = app.state.server
    wire = Counting(httpx.ASGITransport(app=app))
    ledger = Ledger(media_dir)
    prompts = [f"a paper lantern drifting over a night harbour, lantern {n}" for n in range(10)]
    requests = [
        VideoRequest(prompt=prompts[n % 10], size="1280x720", seconds=4, take=n // 10 + 1)
        for n in range(takes)
    ]
    started = time.monotonic()
    async with VideosClient(transport=wire, retry=RETRY, poll=POLL) as client:
        done = await Runner(client, ledger, server="local", concurrency=4).run(requests)
    seconds = time.monotonic() - started
    bundled.close()
    result = SoakResult(
        takes=done,
        seconds=seconds,
        faults_served=dict(bundled.faults_served),
        requests=dict(wire.sent),
        jobs_created=bundled.stats.jobs_created,
        idempotent_replays=bundled.stats.idempotent_replays,
        server_jobs=sorted(p.name for p in (server_dir / "jobs").iterdir() if p.is_dir()),
        partial=partial_files(media_dir) + partial_files(server_dir),
    )
    result.problems = audit(done, ledger, media_dir, server_dir)
    ledger.close()
    return result


def audit(takes: list[Take], ledger: Ledger, media_dir: Path, server_dir: Path) -> list[str]:
    """Every way the ledger, the take folders and the server's files disagree."""
    problems: list[str] = []
    rows = {take.id: take for take in ledger.history(None)}
    if set(rows) != {take.id for take in takes}:
        problems.append("the ledger's takes are not the takes run")
    folders = {p.name for p in (media_dir / "takes").iterdir()}
    if folders != set(rows):
        problems.append(f"take folders without rows or rows without folders: {folders ^ set(rows)}")
    for take in takes:
        row = rows.get(take.id)
        if row is None:
            continue
        if (row.status, row.job_id, row.error) != (take.status, take.job_id, take.error):
            problems.append(f"{take.id}: the ledger says {row.status}, the take {take.status}")
        folder = media_dir / row.folder
        sidecar = json.loads((folder / SIDECAR).read_text())
        if (sidecar["status"], sidecar["job_id"]) != (row.status, row.job_id):
            problems.append(f"{take.id}: take.json disagrees with the ledger")
        present = {p.name for p in folder.iterdir()} - {SIDECAR}
        if row.ok:
            # What the server made (raw.mp4 is only a post-processed take's, made here).
            served = {k: v for k, v in FILE_NAMES.items() if k != "raw"}
            if present != set(served.values()) or sorted(sidecar["files"]) != sorted(served):
                problems.append(f"{take.id}: completed but its files are {sorted(present)}")
                continue
            on_server = server_dir / "jobs" / str(row.job_id)
            for name in served.values():
                if _sha(folder / name) != _sha(on_server / name):
                    problems.append(f"{take.id}: {name} differs from the server's")
            if not row.cost:
                problems.append(f"{take.id}: completed with no cost recorded")
        elif present or sidecar["files"] or row.cost is not None:
            problems.append(f"{take.id}: {row.status} but has files or a cost")
    return problems
