"""Benchmark: what continuity costs the bundled server's animatic, at 1280x720.

Run: .venv/bin/python tests/bench/bench_continuity.py
Prints: reading a character from a 3 s clip; each of six extensions that grow a 4 s video to
120 s (the new segment rendered, the source's pictures copied, one soundtrack encoded, the
previews read by seeking); an edit of the whole 120 s video (every segment drawn again); and
the peak memory of the process. No target was set; the figures say where the time goes.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sora_nb.server.cameo import read_clip
from sora_nb.server.renderers.animatic import AnimaticRequest, render
from sora_nb.server.renderers.base import Segment
from tests.cameos import figure_clip

SIZE = {"width": 1280, "height": 720}


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        clip = figure_clip(root / "maya.mp4", size=(1280, 720)).read_bytes()
        started = time.perf_counter()
        maya = read_clip(clip, "Maya").cameo
        print(f"character read from a 3 s 1280x720 clip: {time.perf_counter() - started:.2f} s")

        segments = [Segment("Maya walks along a harbour at dawn; slow pan.", 4)]
        started = time.perf_counter()
        video = render(
            AnimaticRequest(segments[0].prompt, seconds=4, characters=(maya,), **SIZE), root / "0"
        ).video
        print(f"create 4 s: {time.perf_counter() - started:.2f} s")
        total = 4
        for step, seconds in enumerate((20, 20, 20, 20, 20, 16), start=1):
            segments.append(Segment(f"She walks on, step {step}; push-in.", seconds))
            total += seconds
            started = time.perf_counter()
            video = render(
                AnimaticRequest(
                    segments[-1].prompt,
                    seconds=total,
                    characters=(maya,),
                    segments=tuple(segments),
                    keep=video,
                    **SIZE,
                ),
                root / str(step),
            ).video
            took = time.perf_counter() - started
            print(f"extension {step}: +{seconds} s to {total} s in {took:.2f} s")
        edited = tuple(
            Segment(s.prompt, s.seconds, s.take, s.seed, (*s.edits, "Make it night."))
            for s in segments
        )
        started = time.perf_counter()
        render(
            AnimaticRequest(
                "Make it night.", seconds=total, characters=(maya,), segments=edited, **SIZE
            ),
            root / "edit",
        )
        print(f"edit of the {total} s video: {time.perf_counter() - started:.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
