"""Small real media for widget tests: H.264/AAC MP4 clips, a WebP thumbnail, a JPEG spritesheet,
and Takes attached to a temporary media folder."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from sora_nb import media
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.take import Take

FPS = 24


def make_clip(
    path: Path,
    *,
    seconds: float = 2.0,
    width: int = 160,
    height: int = 90,
    hue: int = 0,
    tone: float = 440.0,
) -> Path:
    """Write an MP4 whose frames change every frame (so seeks are visible) with a sine tone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="mp4") as out:
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        vs.options = {"preset": "ultrafast", "tune": "zerolatency"}
        aus = out.add_stream("aac", rate=44100)
        aus.layout = "stereo"
        frames = round(seconds * FPS)
        for i in range(frames):
            img = np.zeros((height, width, 3), dtype=np.uint8)
            img[:, :, 0] = (hue + i * 7) % 256
            img[:, :, 1] = 255 * i // max(1, frames - 1)
            bar = int(width * i / max(1, frames))
            img[height // 3 : 2 * height // 3, :bar, 2] = 255
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            for packet in vs.encode(frame):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
        samples = int(seconds * 44100)
        t = np.arange(samples) / 44100
        wave = (0.3 * np.sin(2 * math.pi * tone * t)).astype(np.float32)
        block = 1024
        for start in range(0, samples, block):
            chunk = wave[start : start + block]
            data = np.stack([chunk, chunk]).reshape(1, -1)  # packed stereo
            frame = av.AudioFrame.from_ndarray(data, format="flt", layout="stereo")
            frame.sample_rate = 44100
            frame.pts = start
            frame.time_base = Fraction(1, 44100)
            for packet in aus.encode(frame):
                out.mux(packet)
        for packet in aus.encode():
            out.mux(packet)
    return path


def make_images(folder: Path) -> None:
    """The WebP thumbnail and JPEG spritesheet of ``folder/video.mp4``, as sora_nb derives them."""
    video = folder / "video.mp4"
    media.thumbnail_from_video(video, folder / "thumbnail.webp")
    media.spritesheet_from_video(video, folder / "spritesheet.jpg")


def make_take(
    media_dir: Path,
    name: str,
    *,
    prompt: str = "a red kite over a beach",
    seconds: int = 2,
    status: str = "completed",
    clip_seconds: float | None = None,
    hue: int = 0,
    tone: float = 440.0,
    with_files: bool = True,
) -> Take:
    """A Take attached to ``media_dir``; completed takes get real files."""
    take = Take(
        id=name,
        key=f"key-{name}",
        request=VideoRequest(prompt=prompt, seconds=seconds, size="1280x720"),
        server="local",
        status=status,  # type: ignore[arg-type]
        progress=100 if status == "completed" else 0,
        folder=name,
        job_id=f"video_{name}",
        estimated_cost=0.1 * seconds,
        cost=0.1 * seconds if status == "completed" else None,
        submitted_at=1_700_000_000.0,
        completed_at=1_700_000_030.0 if status == "completed" else None,
    ).attach(media_dir)
    if with_files:
        folder = media_dir / name
        make_clip(folder / "video.mp4", seconds=clip_seconds or seconds, hue=hue, tone=tone)
        make_images(folder)
    return take
