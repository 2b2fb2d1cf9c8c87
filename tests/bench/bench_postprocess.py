"""Benchmark: post-processing an 8 s 720p take on the kernel (frame interpolation, upscaling).

Run: .venv/bin/python tests/bench/bench_postprocess.py
Target: 2x frame interpolation of an 8 s 1280x720 take in under 10 s on this machine (the
default ``blend`` motion). Printed beside it: the animatic's 24 fps take, 2x upscaling (to
2560x1440), both at once, and the motion-compensated ``mci`` mode on one second of the take
(it is far slower on a CPU, which is why it is not the default).
"""

from __future__ import annotations

import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sora_nb import media, media_post
from sora_nb.server.renderers.animatic import AnimaticRequest, render

TARGET_S = 10.0
PROMPT = """A courier crosses a rooftop garden in the city at dusk.
Camera: wide shot, slow push in, 35mm lens.
Background Sound: wind, footsteps, distant traffic"""


def at_rate(source: Path, target: Path, fps: int, seconds: float | None = None) -> Path:
    """``source`` re-timed to ``fps`` (every frame kept, in order), its sound dropped: a take
    at Wan's 16 fps from the animatic's 24, or its first ``seconds``."""
    with av.open(str(source)) as inp, av.open(str(target), "w", format="mp4") as out:
        stream = inp.streams.video[0]
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = stream.width, stream.height, "yuv420p"
        video.codec_context.options = {"preset": "ultrafast", "crf": "18"}
        step = Fraction(fps) / Fraction(stream.average_rate or fps)
        kept = 0
        for index, frame in enumerate(inp.decode(stream)):
            if int((index + 1) * step) == int(index * step):
                continue  # evenly dropped: 24 fps to 16 keeps two frames of three
            if seconds is not None and kept >= seconds * fps:
                break
            frame.pts, frame.time_base = kept, Fraction(1, fps)
            kept += 1
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
    return target


def timed(source: Path, target: Path, **settings: object) -> float:
    result = media_post.postprocess(source, target, **settings)  # type: ignore[arg-type]
    after = media.probe(target)
    before = media.probe(source)
    print(
        f"  {source.name} {before.width}x{before.height} {before.fps:g} fps "
        f"{before.frame_count} frames -> {after.width}x{after.height} {after.fps:g} fps "
        f"{after.frame_count} frames, {after.duration:.2f} s ({settings}): {result.seconds:.2f} s"
    )
    return result.seconds


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        started = time.perf_counter()
        files = render(AnimaticRequest(PROMPT, 1280, 720, 8), root / "animatic")
        print(f"rendered an 8 s 1280x720 animatic in {time.perf_counter() - started:.1f} s")
        wan = at_rate(files.video, root / "wan16.mp4", 16)
        smooth = timed(wan, root / "a.mp4", interpolate=2)
        timed(files.video, root / "b.mp4", interpolate=2)
        timed(wan, root / "c.mp4", upscale=2)
        timed(wan, root / "d.mp4", interpolate=2, upscale=2)
        second = at_rate(files.video, root / "wan16-1s.mp4", 16, seconds=1)
        mci = timed(second, root / "e.mp4", interpolate=2, motion="mci")
        print(f"  mci for the whole 8 s take: about {8 * mci:.0f} s (8 times one second)")
    verdict = "PASS" if smooth < TARGET_S else "FAIL"
    print(
        f"{verdict}: 2x interpolation of an 8 s 720p 16 fps take in {smooth:.2f} s "
        f"(target under {TARGET_S:.0f} s)"
    )
    return 0 if smooth < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
