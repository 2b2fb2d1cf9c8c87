"""The live preview of one running render: the newest picture a renderer offers, encoded when a
client asks for it (``GET /v1/videos/{id}/content?variant=preview``).

A renderer offers either a function that makes the picture (the diffusers renderer: the
projection of its newest latent, made only if someone looks) or the picture's bytes (the
animatic: its storyboard frame). Offering costs the render nothing but a lock; the encoding
happens on the thread that asks, at most once per picture offered.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = ["MEDIA_TYPE", "PREVIEW_FILE", "PREVIEW_SIDE", "PreviewSlot", "encode", "from_image"]

#: The longest side of a preview, in pixels: enough for a grid cell, a few kilobytes to send.
PREVIEW_SIDE = 256
#: What a preview is sent as (JPEG: the quickest of the three to encode).
MEDIA_TYPE = "image/jpeg"
#: The file a finished render's last preview is kept in, beside its video.
PREVIEW_FILE = "preview.jpg"

RGB = npt.NDArray[np.uint8]


def encode(rgb: RGB) -> bytes:
    """A (height, width, 3) uint8 picture as a JPEG whose longest side is :data:`PREVIEW_SIDE`."""
    image = Image.fromarray(np.ascontiguousarray(rgb), "RGB")
    return _jpeg(image)


def from_image(data: bytes) -> bytes:
    """Any still (the animatic's WebP thumbnail) as a preview JPEG."""
    with Image.open(io.BytesIO(data)) as image:
        return _jpeg(image.convert("RGB"))


def _jpeg(image: Image.Image) -> bytes:
    scale = PREVIEW_SIDE / max(image.width, image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if size != image.size:
        # A latent frame is an eighth of the video's size: bilinear keeps its blur honest.
        image = image.resize(size, Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


class PreviewSlot:
    """The newest preview of one render; safe to offer from the render thread and read from
    any other."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._make: Callable[[], RGB] | None = None
        self._offered = 0
        self._bytes: bytes | None = None
        self._encoded = 0

    @property
    def offered(self) -> int:
        """How many previews the render has offered so far (0: none yet)."""
        return self._offered

    def offer(self, make: Callable[[], RGB]) -> None:
        """A new picture, made by ``make()`` only when someone asks for it."""
        with self._lock:
            self._make = make
            self._offered += 1

    def offer_image(self, data: bytes) -> None:
        """A new picture, already encoded as a preview."""
        with self._lock:
            self._make = None
            self._offered += 1
            self._bytes = data
            self._encoded = self._offered

    def image(self) -> bytes | None:
        """The newest preview as JPEG bytes, or None before the first is offered."""
        with self._lock:
            make, number, ready = self._make, self._offered, self._bytes
            if self._encoded == number or make is None:
                return ready
        data = encode(make())  # outside the lock: the render may offer the next meanwhile
        with self._lock:
            if number > self._encoded:
                self._bytes, self._encoded = data, number
            return self._bytes
