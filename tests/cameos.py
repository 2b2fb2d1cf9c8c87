"""Character clips for tests: a costumed figure in front of a plain wall, or a face in close-up,
filmed (drawn) with Pillow and encoded with PyAV, as a user's phone clip would be."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import av
from PIL import Image, ImageDraw

RGB = tuple[int, int, int]
Drawing = Callable[[ImageDraw.ImageDraw, int, int, int], None]
WALL: RGB = (236, 232, 224)
SKIN: RGB = (214, 160, 128)


def figure_clip(
    path: Path,
    *,
    coat: RGB = (190, 30, 45),
    hat: RGB = (40, 70, 190),
    trousers: RGB = (40, 40, 60),
    size: tuple[int, int] = (640, 360),
    seconds: float = 3.0,
    fps: int = 24,
) -> Path:
    """A figure (hat, face, coat, trousers) swaying in front of a plain wall."""

    def draw(frame: ImageDraw.ImageDraw, w: int, h: int, i: int) -> None:
        x = w // 2 + round(0.02 * w * math.sin(i / 8))
        body = round(0.08 * w)
        frame.rectangle((x - body, round(h * 0.3), x + body, round(h * 0.72)), fill=coat)
        frame.rectangle(
            (x - body // 2 - 4, round(h * 0.72), x + body // 2 + 4, round(h * 0.96)), fill=trousers
        )
        head = round(0.045 * w)
        frame.ellipse((x - head, round(h * 0.12), x + head, round(h * 0.3)), fill=SKIN)
        frame.rectangle((x - head - 6, round(h * 0.06), x + head + 6, round(h * 0.15)), fill=hat)

    return _film(path, draw, size, seconds, fps)


def face_clip(path: Path, *, size: tuple[int, int] = (640, 360), seconds: float = 3.0) -> Path:
    """A head in close-up filling the frame: what the simulated guardrail takes for a face."""

    def draw(frame: ImageDraw.ImageDraw, w: int, h: int, i: int) -> None:
        x = w // 2 + round(0.01 * w * math.sin(i / 6))
        frame.ellipse((x - round(0.2 * w), round(0.05 * h), x + round(0.2 * w), h), fill=SKIN)
        for eye in (-1, 1):
            cx = x + eye * round(0.07 * w)
            frame.ellipse(
                (cx - 12, round(0.4 * h), cx + 12, round(0.4 * h) + 16), fill=(40, 30, 30)
            )

    return _film(path, draw, size, seconds, 24)


def _film(path: Path, draw: Drawing, size: tuple[int, int], seconds: float, fps: int) -> Path:
    w, h = size
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for i in range(round(seconds * fps)):
            image = Image.new("RGB", (w, h), WALL)
            draw(ImageDraw.Draw(image), w, h, i)
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path
