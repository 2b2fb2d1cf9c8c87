"""The fault soak at several seeds: takes, faults, duplicate jobs, lost or partial files.

Target (issue #10): every take final, 0 duplicate jobs, 0 partial files, 0 disagreements between
the ledger and the files, whatever the seed.
Run: ``.venv/bin/python tests/bench/bench_reliability.py``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.reliability.soak import soak

SEEDS = (1, 2, 3)
TAKES = 50


async def main() -> None:
    totals = {"takes": 0, "failed": 0, "faults": 0, "duplicates": 0, "partial": 0, "disagree": 0}
    for seed in SEEDS:
        with tempfile.TemporaryDirectory() as tmp:
            result = await soak(Path(tmp), takes=TAKES, seed=seed)
        print(f"seed {seed}: {result.summary()}")
        for take in result.failed:
            print(f"  {take.id} failed: {take.error.message if take.error else '?'}")
        totals["takes"] += len(result.takes)
        totals["failed"] += len(result.failed)
        totals["faults"] += sum(result.faults_served.values())
        totals["duplicates"] += result.duplicates
        totals["partial"] += len(result.partial)
        totals["disagree"] += len(result.problems)
    print(
        f"all seeds: {totals['takes']} takes, {totals['faults']} faults injected, "
        f"{totals['failed']} ended failed (target: each with a clear error), "
        f"{totals['duplicates']} duplicate jobs (target 0), {totals['partial']} partial files "
        f"(target 0), {totals['disagree']} ledger/file disagreements (target 0)"
    )


if __name__ == "__main__":
    asyncio.run(main())
