"""Small real media for widget tests: H.264/AAC MP4 clips, a WebP thumbnail, a JPEG spritesheet,
and Takes attached to a temporary media folder."""

from __future__ import annotations

import math
import os
import shutil
import tempfile
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


#: The brief of gallery notebook 03 (the prompt-length experiment), word for word.
BRIEF_03 = """A lighthouse keeper climbs the spiral stairs at dusk, lantern in hand.
Camera: medium shot, 35 mm lens, slow push-in, handheld.
Lighting: warm lantern key from below, cool blue window light behind.
Palette: amber, slate blue, rust, cream.
Mood: quiet, determined.
Background Sound: wind against the glass, footsteps on iron, distant foghorn."""
#: Where big generated clips are kept between runs (they cost a few seconds to make).
BIG_CLIP_CACHE = Path(tempfile.gettempdir()) / "sora_nb-test-media"


def big_clip(megabytes: int = 40) -> Path:
    """A 1280x720, 4 s, 24 fps H.264 MP4 of about ``megabytes`` MB: moving noise, which no
    encoder can shrink, like a real take at a high bitrate. Made once (about 3 s), then reused
    from a temporary folder."""
    BIG_CLIP_CACHE.mkdir(parents=True, exist_ok=True)
    path = BIG_CLIP_CACHE / f"noise-1280x720-4s-{megabytes}mb-v2.mp4"
    if path.is_file():
        return path
    # x264's quantiser for this noise: 43 gives about 41 MB for 96 frames; scale from there.
    qp = max(0, min(51, round(43 - 6 * math.log2(megabytes / 41))))
    rng = np.random.default_rng(17)
    planes = [rng.integers(0, 256, (720 * 3 // 2, 1280), dtype=np.uint8) for _ in range(4)]
    tmp = path.with_suffix(f".{os.getpid()}.part")
    with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        # A keyframe a second, as streamed video has: a seek decodes at most 23 frames.
        stream.options = {"preset": "ultrafast", "qp": str(qp), "g": str(FPS)}
        for i in range(4 * FPS):
            plane = np.roll(planes[i % 4], i * 16, axis=1)
            for packet in stream.encode(av.VideoFrame.from_ndarray(plane, format="yuv420p")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    os.replace(tmp, path)
    return path


def cached_grid(media_dir: Path, clip: Path, *, brief: str = BRIEF_03) -> list[Take]:
    """Notebook 03's grid (3 lengths × 3 takes, 4 s) recorded in ``media_dir``'s ledger as done,
    every take's video a copy of ``clip``: a ``%%sora`` cell for it sends nothing."""
    from sora_nb.runs.files import write_sidecar
    from sora_nb.runs.grid import Axis
    from sora_nb.runs.session import Session

    session = Session(media_dir)
    plan = session.plan(brief, axes=[Axis.parse("length", ["short", "medium", "long"])], takes=3)
    posters = clip.parent / f"{clip.stem}-posters"
    if not (posters / "spritesheet.jpg").is_file():
        posters.mkdir(exist_ok=True)
        media.thumbnail_from_video(clip, posters / "thumbnail.webp")
        media.spritesheet_from_video(clip, posters / "spritesheet.jpg")
    takes = session.runner.plan(plan.requests)
    for take in takes:
        folder = take.path("video").parent
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(clip, folder / "video.mp4")
        shutil.copyfile(posters / "thumbnail.webp", folder / "thumbnail.webp")
        shutil.copyfile(posters / "spritesheet.jpg", folder / "spritesheet.jpg")
        take.status = "completed"
        take.progress = 100
        take.job_id = f"video_{take.id}"
        take.cost = take.estimated_cost
        take.submitted_at = 1_700_000_000.0
        take.completed_at = 1_700_000_040.0
        session.ledger.insert(take)
        write_sidecar(take)
    session.ledger.close()
    return takes
