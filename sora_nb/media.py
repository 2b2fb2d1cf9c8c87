"""Media helpers every layer shares: probe an MP4, thumbnails, spritesheets, reference images.

Layer 0: this module imports only the standard library, numpy, Pillow and PyAV, so the server,
the runner and the notebook can all use it without pulling each other in.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFont, UnidentifiedImageError

#: Image formats the Videos API accepts for ``input_reference``, by Pillow format name.
REFERENCE_MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: The longest side of a thumbnail, in pixels: large enough for a grid cell, small to send.
THUMBNAIL_MAX_SIDE = 640
#: Spritesheet layout: a grid of evenly spaced frames, each tile this wide.
SPRITESHEET_COLUMNS = 4
SPRITESHEET_ROWS = 4
SPRITESHEET_TILE_WIDTH = 256

RGBFrame = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds: its size, length, frame rate and whether it has sound."""

    width: int
    height: int
    duration: float
    fps: float
    has_audio: bool
    frame_count: int


#: Bold sans fonts for captions and headers, first found wins (Debian's fonts-dejavu-core).
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def font(size: int) -> Font:
    """DejaVu Sans Bold at ``size`` px, or Pillow's built-in font where DejaVu is missing."""
    # One font object per thread: renders run in worker threads, and a FreeType face is not
    # meant to be shared between threads drawing at the same time.
    return _font(size, threading.get_ident())


@lru_cache(maxsize=64)
def _font(size: int, thread: int) -> Font:
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, so no reader sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` and its missing parents private to the user (0700): takes, prompts and
    notes are nobody else's. Folders that already exist keep the mode they have."""
    missing: list[Path] = []
    here = folder
    while not here.exists() and here.parent != here:
        missing.append(here)
        here = here.parent
    for path in reversed(missing):
        # One made meanwhile by another process keeps the mode that process gave it.
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
    if not folder.is_dir():  # a file of that name, as mkdir would say
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(folder))


def _open_video(path: Path | str | bytes) -> av.container.InputContainer:
    try:
        if isinstance(path, bytes):
            return av.open(io.BytesIO(path), "r")
        return av.open(str(path), "r")
    except FileNotFoundError:
        raise FileNotFoundError(f"No video at {path!s}; check the path.") from None
    except av.error.FFmpegError as exc:
        where = "The file" if isinstance(path, bytes) else str(path)
        raise ValueError(
            f"{where} is not a readable video ({exc}); is it a complete MP4?"
        ) from None


def probe(path: Path | str | bytes) -> VideoInfo:
    """Read a video's size, duration, frame rate, frame count and whether it has an audio track
    (from a file, or from the bytes of one)."""
    with _open_video(path) as container:
        if not container.streams.video:
            where = "The file" if isinstance(path, bytes) else str(path)
            raise ValueError(f"{where} has no video stream; it is not a video file.")
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.base_rate or Fraction(24)
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = 0.0
        frames = stream.frames or round(duration * float(rate))
        return VideoInfo(
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            duration=duration,
            fps=float(rate),
            has_audio=bool(container.streams.audio),
            frame_count=int(frames),
        )


def sample_indices(frame_count: int, count: int) -> list[int]:
    """Pick ``count`` frame indices spread evenly over a clip (centres of equal slices)."""
    if frame_count <= 0 or count <= 0:
        return []
    return [min(frame_count - 1, int((i + 0.5) * frame_count / count)) for i in range(count)]


def thumbnail_index(frame_count: int) -> int:
    """The frame a thumbnail shows: one third in, past any opening fade and into the move."""
    return max(0, min(frame_count - 1, frame_count // 3))


def decode_frames(path: Path | str, indices: Sequence[int]) -> dict[int, RGBFrame]:
    """Decode the frames at ``indices`` (0-based, in display order) as RGB arrays."""
    wanted = set(indices)
    found: dict[int, RGBFrame] = {}
    if not wanted:
        return found
    last = max(wanted)
    with _open_video(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for number, frame in enumerate(container.decode(stream)):
            if number in wanted:
                found[number] = frame.to_ndarray(format="rgb24")
            if number >= last:
                break
    if not found:
        raise ValueError(f"{path} has no decodable frames; the file may be truncated.")
    # A clip shorter than its metadata says: use its last decoded frame for missing indices.
    latest = found[max(found)]
    return {i: found.get(i, latest) for i in indices}


def still(video: Path | str, index: int, width: int, height: int) -> bytes:
    """One frame of a video (``-1``: the last) as a PNG of ``width`` x ``height``."""
    info = probe(video)
    at = index if index >= 0 else max(0, info.frame_count + index)
    frame = decode_frames(video, [at])[at]
    image = Image.fromarray(frame).resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def thumbnail_from_frame(frame: RGBFrame) -> bytes:
    """Encode one RGB frame as a WebP thumbnail no longer than 640 px on its longest side."""
    image = Image.fromarray(frame, "RGB")
    scale = THUMBNAIL_MAX_SIDE / max(image.size)
    if scale < 1:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=80, method=2)
    return out.getvalue()


def spritesheet_from_frames(
    frames: Sequence[RGBFrame],
    columns: int = SPRITESHEET_COLUMNS,
    rows: int = SPRITESHEET_ROWS,
    tile_width: int = SPRITESHEET_TILE_WIDTH,
) -> bytes:
    """Lay out frames left to right, top to bottom as a JPEG grid of equal tiles."""
    if not frames:
        raise ValueError("A spritesheet needs at least one frame.")
    height, width = frames[0].shape[:2]
    tile_height = max(1, round(tile_width * height / width))
    sheet = Image.new("RGB", (tile_width * columns, tile_height * rows), (0, 0, 0))
    for i, frame in enumerate(frames[: columns * rows]):
        tile = Image.fromarray(frame, "RGB").resize(
            (tile_width, tile_height), Image.Resampling.BILINEAR
        )
        sheet.paste(tile, ((i % columns) * tile_width, (i // columns) * tile_height))
    out = io.BytesIO()
    sheet.save(out, "JPEG", quality=82)
    return out.getvalue()


def thumbnail_from_video(video: Path | str, out_path: Path | None = None) -> bytes:
    """Make the WebP thumbnail of a video (a frame one third in); write it if ``out_path`` is given.

    Returns the WebP bytes either way, so a caller can store them however it likes.
    """
    info = probe(video)
    index = thumbnail_index(info.frame_count)
    data = thumbnail_from_frame(decode_frames(video, [index])[index])
    if out_path is not None:
        write_atomic(Path(out_path), data)
    return data


def spritesheet_from_video(
    video: Path | str,
    out_path: Path | None = None,
    columns: int = SPRITESHEET_COLUMNS,
    rows: int = SPRITESHEET_ROWS,
) -> bytes:
    """Make a JPEG grid of ``columns`` x ``rows`` evenly spaced frames; write it if asked."""
    if columns < 1 or rows < 1:
        raise ValueError(f"A spritesheet needs at least 1 column and 1 row, not {columns}x{rows}.")
    info = probe(video)
    indices = sample_indices(info.frame_count, columns * rows)
    frames = decode_frames(video, indices)
    data = spritesheet_from_frames([frames[i] for i in indices], columns, rows)
    if out_path is not None:
        write_atomic(Path(out_path), data)
    return data


def _open_image(data: bytes) -> Image.Image:
    if not data:
        raise ValueError("the image is empty (0 bytes)")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except UnidentifiedImageError:
        raise ValueError(
            "the bytes are not an image Pillow can read; use a JPEG, PNG or WebP file"
        ) from None
    except (OSError, SyntaxError) as exc:
        raise ValueError(f"the image is damaged or truncated ({exc})") from None
    return image


def image_info(data: bytes) -> tuple[str, int, int]:
    """Tell an image's format name (``JPEG``, ``PNG``, ``WEBP`` ...) and its width and height.

    Raises ``ValueError`` saying what is wrong when the bytes are not a readable image.
    """
    image = _open_image(data)
    return (image.format or "unknown", image.width, image.height)


def fit_image(data: bytes, width: int, height: int) -> bytes:
    """Centre-crop and resize an image to exactly ``width`` x ``height``, keeping its format.

    JPEG, PNG and WebP stay what they were; any other format becomes PNG (the API takes only
    those three).
    """
    if width < 1 or height < 1:
        raise ValueError(f"The target size must be positive, not {width}x{height}.")
    image = _open_image(data)
    fmt = image.format if image.format in REFERENCE_MEDIA_TYPES else "PNG"
    src_w, src_h = image.size
    # Crop the largest centred box with the target's aspect ratio, then scale it.
    if src_w * height > src_h * width:
        crop_w, crop_h = src_h * width / height, float(src_h)
    else:
        crop_w, crop_h = float(src_w), src_w * height / width
    left, top = (src_w - crop_w) / 2, (src_h - crop_h) / 2
    mode = "RGB" if fmt == "JPEG" or image.mode not in ("RGB", "RGBA") else image.mode
    if image.mode in ("RGBA", "LA") or "transparency" in image.info:
        mode = "RGB" if fmt == "JPEG" else "RGBA"
    fitted = image.convert(mode).resize(
        (width, height), Image.Resampling.LANCZOS, box=(left, top, left + crop_w, top + crop_h)
    )
    out = io.BytesIO()
    if fmt == "JPEG":
        fitted.save(out, "JPEG", quality=92)
    elif fmt == "WEBP":
        fitted.save(out, "WEBP", quality=90)
    else:
        fitted.save(out, "PNG")
    return out.getvalue()


def decode_image(data: bytes, width: int, height: int) -> RGBFrame:
    """Decode an image to an RGB array of exactly ``width`` x ``height`` (fitting it if needed)."""
    image = _open_image(data)
    if image.size != (width, height):
        image = _open_image(fit_image(data, width, height))
    frame: RGBFrame = np.array(image.convert("RGB"), dtype=np.uint8)
    return frame
