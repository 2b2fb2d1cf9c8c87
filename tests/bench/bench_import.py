"""How long ``import sora_nb`` takes in a fresh interpreter (target: under 150 ms).

Each run starts a new Python, times the import alone, and checks that nothing heavy (httpx,
pydantic, PIL, av, numpy) came with it. Run: ``.venv/bin/python tests/bench/bench_import.py``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

TARGET_MS = 150.0
RUNS = 7
HEAVY = ("httpx", "pydantic", "PIL", "av", "numpy", "pandas", "IPython", "ipywidgets", "anywidget")

PROBE = f"""
import json, sys, time
start = time.perf_counter()
import sora_nb
elapsed = time.perf_counter() - start
print(json.dumps({{"ms": elapsed * 1000, "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""


def main() -> int:
    results = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", PROBE], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(RUNS)
    ]
    times = [r["ms"] for r in results]
    heavy = sorted({m for r in results for m in r["heavy"]})
    median = statistics.median(times)
    print(
        f"import sora_nb: median {median:.1f} ms over {RUNS} fresh interpreters "
        f"(min {min(times):.1f}, max {max(times):.1f}); target < {TARGET_MS:.0f} ms"
    )
    print(f"heavy modules imported with it: {', '.join(heavy) or 'none'}")
    ok = median < TARGET_MS and not heavy
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
