"""Benchmark: what live previews cost a denoising step on the tiny Wan pipeline (CPU).

Run: .venv/bin/python tests/bench/bench_preview.py
Figures, each as a share of one step's time (target: under 5%):
- keeping the preview, paid inside every step by the render: the step callback's copy of the
  middle latent frame (``Capture.step``), timed around each call during real renders;
- making it, paid once per picture a client asks for, on the thread that asks: the clean-frame
  estimate, the projection, the JPEG (``PreviewSlot.image``); a client asking after every step
  (the bundled server's poll hint is about a step) pays it once a step;
- fitting the projection, paid once when the model loads.
One torch thread, as on a shared machine; the median of several renders (the machine's other
work only ever makes a figure larger). Figures are printed, never asserted.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sora_nb.catalog.options import Options
from sora_nb.server.renderers.base import RenderControl, RenderRequest
from sora_nb.server.renderers.diffusers import DiffusersOptions, latent_preview, open_renderer
from sora_nb.server.renderers.diffusers.tiny import build_tiny

TARGET = 5.0
STEPS = 20
RENDERS = 5
SIZES = ("112x64", "480x272")


def main() -> int:
    import torch

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_tiny("wan", Path(tmp) / "wan-tiny")
        renderer = open_renderer(DiffusersOptions(model=str(folder)))
        started = time.perf_counter()
        fitted = latent_preview.fit(renderer.pipe)
        fit_s = time.perf_counter() - started
        assert renderer.projection is not None and fitted is not None
        print(f"fitting the projection (once, at load): {fit_s * 1000:.1f} ms")
        worst = 0.0
        for size in SIZES:
            width, height = (int(v) for v in size.split("x"))
            step_s, keep_s, make_s = _measure(renderer, width, height, Path(tmp))
            keep = 100 * keep_s / step_s
            make = 100 * make_s / step_s
            worst = max(worst, keep + make)
            print(
                f"{size}, {STEPS} steps: a step {step_s * 1000:.1f} ms; keeping the preview "
                f"{keep_s * 1000:.3f} ms ({keep:.2f}% of a step); making it when asked "
                f"{make_s * 1000:.2f} ms ({make:.2f}% of a step, if asked after every step)"
            )
        verdict = "under" if worst < TARGET else "OVER"
        print(f"worst: {worst:.2f}% of a step, {verdict} the {TARGET:g}% target")
    return 0


def _measure(renderer: object, width: int, height: int, tmp: Path) -> tuple[float, float, float]:
    """Median seconds of a step, of keeping a preview in it, and of making the picture. Here
    the picture is made inside the step (a report calls it): the step's time is taken without
    it, as a client on another thread would leave it."""
    steps: list[float] = []
    keeps: list[float] = []
    makes: list[float] = []
    original = latent_preview.Capture.step

    def timed(self: latent_preview.Capture, latents: object) -> None:
        started = time.perf_counter()
        original(self, latents)
        keeps.append(time.perf_counter() - started)

    latent_preview.Capture.step = timed  # type: ignore[method-assign]
    try:
        for n in range(RENDERS):
            control = RenderControl()
            made: list[float] = []

            def ask(control: RenderControl, made: list[float] = made) -> None:
                if control.stage == "starting" or control.steps_done == 0:
                    return
                started = time.perf_counter()
                control.preview.image()
                made.append(time.perf_counter() - started)

            control.on_report = ask
            request = RenderRequest(
                prompt="a red kite over the sea at sunset",
                width=width,
                height=height,
                seconds=1,
                model="wan-tiny",
                take=n + 1,
                options=Options(steps=STEPS, num_frames=9),
            )
            result = renderer.render(request, tmp / f"out-{width}-{n}", control)  # type: ignore[attr-defined]
            assert result.metrics is not None and result.metrics.seconds_per_step
            steps.append(result.metrics.seconds_per_step)
            makes.extend(made[:STEPS])  # the later reports (decoding) offer no new picture
    finally:
        latent_preview.Capture.step = original  # type: ignore[method-assign]
    make = statistics.median(makes)
    return statistics.median(steps) - make, statistics.median(keeps), make


if __name__ == "__main__":
    sys.exit(main())
