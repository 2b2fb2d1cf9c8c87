"""The browser suite, five times in a row, while another process keeps every core busy.

A browser test that passes alone but fails on a busy machine is a failing test. This script
starts a burner (one process spinning one worker per core), runs the UI suite (``tests/ui`` and
the HTML report's browser test) several times in a row under it, and prints each run's result
and timings, the slowest tests, and how much CPU the burner really took. It exits 1 if any run
failed.

Run: ``.venv/bin/python tests/load_proof.py`` (``--runs N``; extra arguments go to pytest).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE = ["tests/ui", "tests/research/test_report_browser.py"]
#: One worker per core, each spinning until killed: the machine is as busy as it can be.
BURNER = """
import multiprocessing, os, sys

def spin():
    while True:
        pass

if __name__ == "__main__":
    cores = os.cpu_count() or 1
    workers = [multiprocessing.Process(target=spin, daemon=True) for _ in range(cores)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
"""


def _cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and its children so far (Linux /proc), in seconds."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def _name(case: ET.Element) -> str:
    return f"{case.get('classname', '').split('.')[-1]}::{case.get('name')}"


def _timings(junit: Path) -> tuple[int, int, list[tuple[float, str]]]:
    """(tests, failures + errors, [(seconds, test)]) from a JUnit XML report."""
    root = ET.parse(junit).getroot()
    cases = list(root.iter("testcase"))
    bad = sum(
        1 for case in cases if case.find("failure") is not None or case.find("error") is not None
    )
    times = [
        (
            float(case.get("time", 0)),
            f"{case.get('classname', '').split('.')[-1]}::{case.get('name')}",
        )
        for case in cases
    ]
    return len(cases), bad, sorted(times, reverse=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args, pytest_args = parser.parse_known_args()
    cores = os.cpu_count() or 1
    burner = subprocess.Popen([sys.executable, "-c", BURNER], cwd=ROOT, start_new_session=True)
    print(f"burner: pid {burner.pid}, {cores} spinning workers on {cores} cores", flush=True)
    results: list[tuple[int, int, int, float]] = []
    slowest: dict[str, float] = {}
    started = time.monotonic()
    burned_from = _cpu_seconds(burner.pid)
    try:
        time.sleep(1)  # the workers are spinning before the first test starts
        for run in range(1, args.runs + 1):
            with tempfile.TemporaryDirectory() as folder:
                junit = Path(folder) / "junit.xml"
                command = [
                    sys.executable, "-m", "pytest", *SUITE, "-q", "-p", "no:cacheprovider",
                    f"--junitxml={junit}", *pytest_args,
                ]  # fmt: skip
                t0 = time.monotonic()
                rc = subprocess.run(command, cwd=ROOT).returncode
                wall = time.monotonic() - t0
                tests, bad, times = _timings(junit) if junit.exists() else (0, 1, [])
            results.append((rc, tests, bad, wall))
            for seconds, name in times:
                slowest[name] = max(seconds, slowest.get(name, 0.0))
            verdict = "passed" if rc == 0 else f"FAILED (exit {rc}, {bad} failing)"
            top = ", ".join(f"{name} {seconds:.1f} s" for seconds, name in times[:3])
            print(f"run {run}/{args.runs}: {tests} tests {verdict} in {wall:.1f} s; slowest: {top}",
                  flush=True)  # fmt: skip
    finally:
        burned = _cpu_seconds(burner.pid) - burned_from
        os.killpg(burner.pid, signal.SIGKILL)
        burner.wait(timeout=10)
    elapsed = time.monotonic() - started
    print()
    print(f"{'run':>4} {'result':>8} {'tests':>6} {'seconds':>8}")
    for run, (rc, tests, _bad, wall) in enumerate(results, start=1):
        print(f"{run:>4} {'passed' if rc == 0 else 'FAILED':>8} {tests:>6} {wall:>8.1f}")
    walls = [wall for *_, wall in results]
    print(f"runs: min {min(walls):.1f} s, max {max(walls):.1f} s, total {elapsed:.0f} s")
    print(f"burner: {burned:.0f} CPU-seconds over {elapsed:.0f} s = {burned / elapsed:.2f} of "
          f"{cores} cores kept busy beside the tests; load average now "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    print("slowest tests across runs (worst time seen):")
    for name, seconds in sorted(slowest.items(), key=lambda item: -item[1])[:8]:
        print(f"  {seconds:6.1f} s  {name}")
    failed = sum(1 for rc, *_ in results if rc != 0)
    print("PASS: every run passed under load" if not failed else f"FAIL: {failed} runs failed")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
