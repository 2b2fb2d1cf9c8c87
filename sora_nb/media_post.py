"""Smoother and sharper takes on the kernel's side: frame interpolation and upscaling of a
finished video through FFmpeg's own filters in PyAV's filter graph (no model weights).

``--interpolate 2`` runs FFmpeg's ``minterpolate`` at twice the frame rate (a 16 fps Wan take
plays at 32 fps, with twice the frames and the same length); ``--upscale 2`` runs its ``scale``
filter with Lanczos resampling at twice the width and height. The sound track is copied as it
is. Interpolation comes first, at the smaller size, so the motion search has fewer pixels.

How the new frames are made (``motion``): ``blend`` (the default) mixes the two neighbouring
frames, weighted by time; it costs little (an 8 s 720p take in about 3 s on two CPU cores) but
a fast-moving edge shows as a double image instead of a moved one. ``mci`` estimates motion and
moves blocks (FFmpeg's default, sharper motion); it is about 25 times slower on a CPU (over a
minute for the same take). ``dup`` repeats frames: the frame rate doubles, the motion does not
get smoother.

Layer 0: the standard library, numpy and PyAV.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av

__all__ = [
    "INTERPOLATE_MAX",
    "MOTION",
    "UPSCALE_MAX",
    "PostError",
    "PostResult",
    "check_factor",
    "postprocess",
]

#: The largest factors taken: 4x the frames (a 16 fps take at 64 fps), 4x the width and height.
INTERPOLATE_MAX = 4
UPSCALE_MAX = 4
Motion = Literal["blend", "mci", "dup"]
#: How ``minterpolate`` makes the new frames, cheapest last (see the module's text).
MOTION: tuple[Motion, ...] = ("blend", "mci", "dup")
#: The frame rate assumed for a video that does not say its own.
_FALLBACK_FPS = Fraction(24)
_WHAT = {
    "interpolate": ("frames per second", "2 doubles the frame rate"),
    "upscale": ("width and height", "2 doubles the width and height"),
}


class PostError(ValueError):
    """A post-processing request that cannot be done; the message says what to do."""


@dataclass(frozen=True)
class PostResult:
    """What post-processing wrote: the file, its frames, rate and size, and how long it took."""

    path: Path
    interpolate: int
    upscale: int
    motion: str
    frames: int
    fps: float
    width: int
    height: int
    has_audio: bool
    #: Wall-clock seconds the post-processing took on this machine.
    seconds: float


def check_factor(name: str, value: object) -> int:
    """``value`` as a factor of ``interpolate`` or ``upscale`` (1 leaves it as rendered), or
    PostError in one line saying what is taken."""
    high = INTERPOLATE_MAX if name == "interpolate" else UPSCALE_MAX
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        number = None
    else:
        number = int(value) if float(value).is_integer() else None
    if number is None or not 1 <= number <= high:
        what, example = _WHAT.get(name, ("size", "2 doubles it"))
        raise PostError(
            f"{name} multiplies the {what}: give a whole number from 1 to {high} "
            f"(1 keeps the take as rendered, {example}); got {value!r}."
        )
    return number


def postprocess(
    source: Path | str,
    target: Path | str,
    *,
    interpolate: int = 1,
    upscale: int = 1,
    motion: Motion = "blend",
    crf: int = 18,
) -> PostResult:
    """Write ``source`` to ``target`` with ``interpolate`` times the frames per second (the
    same length) and ``upscale`` times the width and height, its sound copied; the target is
    written through a temporary file and a rename, so no reader sees half of it."""
    factor = check_factor("interpolate", interpolate)
    scale = check_factor("upscale", upscale)
    if motion not in MOTION:
        raise PostError(f"motion is one of {', '.join(MOTION)}; got {motion!r}.")
    started = time.perf_counter()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        frames, rate, size, has_audio = _run(Path(source), tmp, factor, scale, motion, crf)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return PostResult(
        path=target,
        interpolate=factor,
        upscale=scale,
        motion=motion,
        frames=frames,
        fps=float(rate),
        width=size[0],
        height=size[1],
        has_audio=has_audio,
        seconds=time.perf_counter() - started,
    )


def _run(
    source: Path, target: Path, factor: int, scale: int, motion: str, crf: int
) -> tuple[int, Fraction, tuple[int, int], bool]:
    with av.open(str(source)) as inp:
        if not inp.streams.video:
            raise PostError(f"{source.name} has no video stream to post-process.")
        video = inp.streams.video[0]
        sound = inp.streams.audio[0] if inp.streams.audio else None
        rate = Fraction(video.average_rate or video.guessed_rate or _FALLBACK_FPS)
        out_rate = rate * factor
        width, height = video.codec_context.width * scale, video.codec_context.height * scale
        graph = _graph(video, out_rate, factor, width, height, motion)
        with av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            encoder = out.add_stream("libx264", rate=out_rate)
            encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
            encoder.codec_context.time_base = 1 / out_rate
            # Same settings as the bundled server's encoder: fast, at a high quality.
            encoder.codec_context.options = {"preset": "ultrafast", "crf": str(crf)}
            copied = out.add_stream_from_template(sound) if sound is not None else None
            writer = _Writer(out, encoder)
            read = 0
            streams = [video] + ([sound] if sound is not None else [])
            for packet in inp.demux(*streams):
                if packet.stream is sound and copied is not None:
                    if packet.dts is not None:  # the demuxer's empty flush packet has none
                        packet.stream = copied
                        out.mux(packet)
                    continue
                for frame in packet.decode():
                    read += 1
                    graph.push(frame)
                    writer.drain(graph)
            graph.push(None)
            writer.drain(graph)
            # minterpolate stops at the last source frame; the source shows that frame for one
            # frame time, so hold it until the count (and the length) is the source's.
            writer.hold(read * factor)
            writer.close()
        return writer.count, out_rate, (width, height), sound is not None


def _graph(
    video: av.VideoStream, rate: Fraction, factor: int, width: int, height: int, motion: str
) -> av.filter.Graph:
    graph = av.filter.Graph()
    node = graph.add_buffer(template=video)
    chain = []
    if factor > 1:
        chain.append(
            graph.add("minterpolate", f"fps={rate.numerator}/{rate.denominator}:mi_mode={motion}")
        )
    if (width, height) != (video.codec_context.width, video.codec_context.height):
        chain.append(graph.add("scale", f"{width}:{height}:flags=lanczos"))
    chain.append(graph.add("format", "yuv420p"))
    chain.append(graph.add("buffersink"))
    for nxt in chain:
        node.link_to(nxt)
        node = nxt
    graph.configure()
    return graph


class _Writer:
    """Encodes the graph's frames in order, numbering them at the output rate."""

    def __init__(self, out: av.container.OutputContainer, encoder: av.VideoStream) -> None:
        self.out = out
        self.encoder = encoder
        self.time_base = Fraction(encoder.codec_context.time_base or 1)
        self.count = 0
        self.last: av.VideoFrame | None = None

    def drain(self, graph: av.filter.Graph) -> None:
        while True:
            try:
                frame = graph.pull()
            except (av.BlockingIOError, av.EOFError):
                return
            assert isinstance(frame, av.VideoFrame)
            self.write(frame)

    def write(self, frame: av.VideoFrame) -> None:
        frame.pts = self.count
        frame.time_base = self.time_base
        for packet in self.encoder.encode(frame):
            self.out.mux(packet)
        self.count += 1
        self.last = frame

    def hold(self, total: int) -> None:
        while self.last is not None and self.count < total:
            again = av.VideoFrame.from_ndarray(self.last.to_ndarray(), format=self.last.format.name)
            self.write(again)

    def close(self) -> None:
        for packet in self.encoder.encode(None):
            self.out.mux(packet)
