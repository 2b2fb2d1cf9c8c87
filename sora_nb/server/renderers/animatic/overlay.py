"""Captions, subtitles, the timecode and the "offline animatic" mark, drawn on YUV frames.

Text is drawn once per distinct string with Pillow at the output size (so it stays sharp while
the scene is drawn at half size), turned into Y/U/V planes and an alpha, and blended into each
frame's planes over a small rectangle only.
"""

from __future__ import annotations

from dataclasses import dataclass

import av
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from sora_nb.media import Font, font

Plane = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Strip:
    """A text box ready to blend: its even-aligned position and Y, U, V planes with alphas."""

    x: int
    y: int
    luma: Plane
    alpha: Plane
    u: Plane
    v: Plane
    alpha_half: Plane

    @property
    def width(self) -> int:
        return int(self.luma.shape[1])

    @property
    def height(self) -> int:
        return int(self.luma.shape[0])


def _to_yuv(rgba: npt.NDArray[np.uint8]) -> tuple[Plane, Plane, Plane, Plane, Plane]:
    """BT.601 limited range, the conversion the encoder's scaler uses for the scene too."""
    rgb = rgba[:, :, :3].astype(np.float32)
    alpha = rgba[:, :, 3]
    r, g, b = rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2]
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    h, w = alpha.shape
    # Chroma at half size: average each 2x2 block weighted by its alpha.
    a = alpha.astype(np.float32).reshape(h // 2, 2, w // 2, 2)
    rgb4 = rgb.reshape(h // 2, 2, w // 2, 2, 3)
    weight = a.sum(axis=(1, 3))
    mean = (rgb4 * a[..., None]).sum(axis=(1, 3)) / np.maximum(weight, 1)[..., None]
    mr, mg, mb = mean[..., 0], mean[..., 1], mean[..., 2]
    u = 128 + (-37.797 * mr - 74.203 * mg + 112.0 * mb) / 255
    v = 128 + (112.0 * mr - 93.786 * mg - 18.214 * mb) / 255
    alpha_half = weight / 4

    def u8(x: npt.NDArray[np.float32]) -> Plane:
        return np.clip(np.rint(x), 0, 255).astype(np.uint8)

    return u8(y), alpha, u8(u), u8(v), u8(alpha_half)


def _wrap(text: str, face: Font, limit: int) -> list[str]:
    """Break ``text`` into lines no wider than ``limit`` px (a single long word stays whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and face.getlength(trial) > limit:
            lines.append(current)
            current = word
        else:
            current = trial
    lines.append(current)
    return lines


def text_strip(
    text: str,
    size: int,
    x: int,
    y: int,
    *,
    anchor: str = "left",
    box: int = 150,
    max_width: int | None = None,
    bottom_up: bool = False,
) -> Strip:
    """White text on a translucent dark box (``box``/255 opaque), wrapped to ``max_width``.

    ``anchor`` says what ``x`` is: the left edge, the centre or the right edge; with
    ``bottom_up`` the box's bottom sits at ``y`` (so extra lines grow upwards).
    """
    face = font(size)
    pad = max(2, size // 3)
    lines = _wrap(text, face, max_width - 2 * pad) if max_width else [text]
    line_height = round(size * 1.25)
    w = max(int(face.getlength(line)) for line in lines) + 2 * pad
    h = line_height * len(lines) + 2 * pad
    w += w % 2
    h += h % 2
    image = Image.new("RGBA", (w, h), (0, 0, 0, box))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        left = int(face.getlength(line))
        offset = (w - 2 * pad - left) // 2 if anchor == "centre" else 0
        draw.text(
            (pad + offset, pad + i * line_height + line_height / 2),
            line,
            font=face,
            fill=(255, 255, 255, 255),
            anchor="lm",
        )
    if anchor == "centre":
        x -= w // 2
    elif anchor == "right":
        x -= w
    if bottom_up:
        y -= h
    return _strip(np.asarray(image), x, y)


def _strip(rgba: npt.NDArray[np.uint8], x: int, y: int) -> Strip:
    x -= x % 2
    y -= y % 2
    luma, alpha, u, v, alpha_half = _to_yuv(rgba)
    return Strip(x, y, luma, alpha, u, v, alpha_half)


def _blend(dst: Plane, src: Plane, alpha: Plane) -> None:
    h = min(dst.shape[0], src.shape[0])
    w = min(dst.shape[1], src.shape[1])
    if h <= 0 or w <= 0:
        return
    d = dst[:h, :w].astype(np.uint16)
    a = alpha[:h, :w].astype(np.uint16)
    dst[:h, :w] = ((d * (255 - a) + src[:h, :w].astype(np.uint16) * a + 127) // 255).astype(
        np.uint8
    )


def planes(frame: av.VideoFrame) -> tuple[Plane, Plane, Plane]:
    """Writable Y, U, V views of a yuv420p frame's own buffers (no copies)."""
    views = []
    for plane in frame.planes[:3]:
        flat = np.frombuffer(memoryview(plane), dtype=np.uint8)
        rows = flat.reshape(-1, plane.line_size)[: plane.height]
        views.append(rows[:, : plane.width])
    return views[0], views[1], views[2]


def apply(frame: av.VideoFrame, strips: list[Strip]) -> None:
    """Blend ``strips`` into a yuv420p frame in place."""
    y_plane, u_plane, v_plane = planes(frame)
    for s in strips:
        x0, y0 = max(0, s.x), max(0, s.y)
        sx, sy = x0 - s.x, y0 - s.y
        _blend(y_plane[y0:, x0:], s.luma[sy:, sx:], s.alpha[sy:, sx:])
        hx, hy, hsx, hsy = x0 // 2, y0 // 2, sx // 2, sy // 2
        _blend(u_plane[hy:, hx:], s.u[hsy:, hsx:], s.alpha_half[hsy:, hsx:])
        _blend(v_plane[hy:, hx:], s.v[hsy:, hsx:], s.alpha_half[hsy:, hsx:])


def timecode(frame: int, fps: int) -> str:
    """SMPTE-style timecode of a frame: hours:minutes:seconds:frames."""
    seconds, frames = divmod(frame, fps)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frames:02d}"
