"""How long ``%load_ext sora_nb`` takes in a fresh kernel (issue #6's figure; target < 300 ms).

Starts a real IPython kernel with jupyter_client five times, and in each runs ``%load_ext
sora_nb`` once, timing it inside the kernel (so kernel start-up is not counted), and checks that
nothing heavy (pandas, pydantic, httpx, PyAV, numpy, the widgets) came with it.
Run: ``.venv/bin/python tests/bench/bench_load_ext.py``.
"""

from __future__ import annotations

import statistics

from jupyter_client.manager import start_new_kernel

RUNS = 5
TARGET_MS = 300.0
HEAVY = ("pandas", "pydantic", "httpx", "av", "numpy", "anywidget", "sora_nb.runs")
CODE = f"""
import sys as _s, time as _t
_before = set(_s.modules)
_start = _t.perf_counter()
get_ipython().run_line_magic("load_ext", "sora_nb")
_ms = round((_t.perf_counter() - _start) * 1000, 1)
_new = set(_s.modules) - _before
print(_ms, ",".join(m for m in {HEAVY!r} if m in _new) or "-")
"""


def time_once() -> tuple[float, str]:
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        output: list[str] = []

        def collect(message: dict[str, object]) -> None:
            content = message["content"]
            if message["msg_type"] == "stream" and isinstance(content, dict):
                output.append(str(content["text"]))
            elif message["msg_type"] == "error" and isinstance(content, dict):
                raise RuntimeError(f"{content['ename']}: {content['evalue']}")

        client.execute_interactive(CODE, output_hook=collect, timeout=60)
        ms, heavy = "".join(output).split()
        return float(ms), heavy
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def main() -> None:
    found = [time_once() for _ in range(RUNS)]
    times = [ms for ms, _heavy in found]
    heavy = sorted({m for _ms, h in found if h != "-" for m in h.split(",")})
    median = statistics.median(times)
    verdict = "PASS" if median < TARGET_MS and not heavy else "FAIL"
    print(f"%load_ext sora_nb in a fresh kernel, {RUNS} kernels:")
    target = f"target < {TARGET_MS:.0f} ms"
    print(f"  median {median:.1f} ms, max {max(times):.1f} ms ({target}): {verdict}")
    print(f"  heavy modules loaded by it: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
