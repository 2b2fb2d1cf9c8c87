"""How long ``%load_ext sora_nb`` takes in a fresh kernel (issue #6's figure; target < 300 ms).

Starts a real IPython kernel with jupyter_client five times, and in each runs ``%load_ext
sora_nb`` once, timing it inside the kernel (so kernel start-up is not counted).
Run: ``.venv/bin/python tests/bench/bench_load_ext.py``.
"""

from __future__ import annotations

import statistics

from jupyter_client.manager import start_new_kernel

RUNS = 5
TARGET_MS = 300.0
CODE = """
import time as _t
_start = _t.perf_counter()
get_ipython().run_line_magic("load_ext", "sora_nb")
print(round((_t.perf_counter() - _start) * 1000, 1))
"""


def time_once() -> float:
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
        return float("".join(output).strip())
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def main() -> None:
    times = [time_once() for _ in range(RUNS)]
    median = statistics.median(times)
    verdict = "PASS" if median < TARGET_MS else "FAIL"
    print(f"%load_ext sora_nb in a fresh kernel, {RUNS} kernels:")
    target = f"target < {TARGET_MS:.0f} ms"
    print(f"  median {median:.1f} ms, max {max(times):.1f} ms ({target}): {verdict}")


if __name__ == "__main__":
    main()
