"""Synthetic clips with known properties, written with PyAV (frames and sound we control)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]
RATE = 48_000


def write_clip(
    path: Path,
    frame: Callable[[int], Frame],
    count: int,
    *,
    fps: int = 24,
    audio: npt.NDArray[np.float64] | None = None,
    crf: int = 18,
) -> Path:
    """Encode ``count`` frames from ``frame(i)`` (H.264) and optional stereo audio (AAC, 48 kHz).

    ``audio`` is channels x samples, full scale 1.0.
    """
    first = frame(0)
    height, width = first.shape[:2]
    with av.open(str(path), "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.time_base = Fraction(1, fps)
        video.codec_context.options = {"preset": "ultrafast", "crf": str(crf)}
        sound = None
        if audio is not None:
            sound = container.add_stream("aac", rate=RATE)
            sound.layout = "stereo" if audio.shape[0] == 2 else "mono"
            sound.bit_rate = 192_000
        for i in range(count):
            picture = av.VideoFrame.from_ndarray(first if i == 0 else frame(i), format="rgb24")
            picture.pts = i
            picture.time_base = Fraction(1, fps)
            for packet in video.encode(picture):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
        if sound is not None and audio is not None:
            layout = "stereo" if audio.shape[0] == 2 else "mono"
            step = 1024
            for start in range(0, audio.shape[1], step):
                chunk = np.ascontiguousarray(audio[:, start : start + step], dtype=np.float32)
                out = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
                out.sample_rate = RATE
                out.pts = start
                out.time_base = Fraction(1, RATE)
                for packet in sound.encode(out):
                    container.mux(packet)
            for packet in sound.encode(None):
                container.mux(packet)
    return path


def still(width: int = 320, height: int = 180, seed: int = 0) -> Callable[[int], Frame]:
    """The same textured picture on every frame."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (height // 8, width // 8, 3), dtype=np.uint8)
    image = np.kron(base, np.ones((8, 8, 1), dtype=np.uint8))
    return lambda i: image


def panning(
    width: int = 320, height: int = 180, speed: int = 4, seed: int = 0
) -> Callable[[int], Frame]:
    """A textured picture sliding ``speed`` pixels a frame to the left."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (height // 8, (width * 4) // 8, 3), dtype=np.uint8)
    wide = np.kron(base, np.ones((8, 8, 1), dtype=np.uint8))
    return lambda i: np.ascontiguousarray(wide[:, (i * speed) % (width * 3) :][:, :width])


def shots(
    starts: list[int], width: int = 320, height: int = 180, speed: int = 2
) -> Callable[[int], Frame]:
    """Shots that each pan a different picture and start at the given frames (hard cuts)."""
    pictures = [panning(width, height, speed, seed=n + 1) for n in range(len(starts) + 1)]

    def frame(i: int) -> Frame:
        shot = sum(1 for start in starts if i >= start)
        return pictures[shot](i)

    return frame


def tone(
    seconds: float, dbfs: float, hz: float = 1000.0, channels: int = 2
) -> npt.NDArray[np.float64]:
    """A sine at ``dbfs`` peak level (EBU Tech 3341: -23 dBFS in both channels is -23 LUFS)."""
    t = np.arange(round(seconds * RATE)) / RATE
    wave = 10 ** (dbfs / 20) * np.sin(2 * np.pi * hz * t)
    return np.vstack([wave] * channels)
