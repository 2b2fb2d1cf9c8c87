"""Small builders shared by the bundled server tests."""

from __future__ import annotations

import base64
import io

from PIL import Image


def image(size: str = "1280x720", fmt: str = "PNG") -> bytes:
    """An image of ``size`` ("WxH") in ``fmt`` (PNG, JPEG, WEBP, GIF)."""
    width, height = (int(n) for n in size.split("x"))
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, format=fmt)
    return out.getvalue()


def data_url(content: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64," + base64.b64encode(content).decode()


class FrozenClock:
    """A wall clock that moves only when told: the bundled server's jobs advance with it."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


MP4 = b"ftyp"  # at offset 4
WEBP = (b"RIFF", b"WEBP")
JPEG = b"\xff\xd8\xff"
