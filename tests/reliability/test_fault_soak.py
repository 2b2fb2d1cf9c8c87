"""Fault soak: 50 takes through the runner while the server misbehaves; nothing lost or doubled.

The bundled server answers 10% of requests with 429 (and Retry-After), 5% with a 5xx, drops 2% of
connections after handling them, cuts 2% of downloads short, and refuses more than two running
jobs at once. Every take must end completed or with a clear final error, the server must hold
exactly one job per take, no partial file may exist, and the ledger and the files must agree.
"""

from __future__ import annotations

from pathlib import Path

from tests.reliability.soak import soak

TAKES = 50


async def test_fifty_takes_under_faults_lose_nothing_and_pay_once(tmp_path: Path) -> None:
    result = await soak(tmp_path, takes=TAKES, seed=10)
    print(f"\nsoak: {result.summary()}")

    # Every take is final: completed, or failed with a message that says what happened.
    assert len(result.takes) == TAKES and all(take.done for take in result.takes)
    for take in result.failed:
        assert take.error is not None and len(take.error.message) > 20, take
    assert len(result.failed) <= 2, [t.error for t in result.failed]

    # No duplicate jobs: one server job per take, whatever was retried or replayed.
    job_ids = [take.job_id for take in result.takes]
    assert None not in job_ids and len(set(job_ids)) == TAKES
    assert result.server_jobs == sorted(job_ids)  # type: ignore[type-var]
    assert result.jobs_created == TAKES and result.duplicates == 0

    # No partial files, on either side; the ledger and the files agree exactly.
    assert result.partial == []
    assert result.problems == []

    # The faults really happened, and the retries really reached the server.
    served = result.faults_served
    assert served.get("429", 0) > 0 and served.get("drop", 0) > 0
    assert served.get("truncate", 0) > 0
    assert sum(served.get(kind, 0) for kind in ("500", "502", "503")) > 0
    assert result.requests["POST videos"] > TAKES  # retried creates, replayed idempotently
