"""First-frame reference images: checked against the request before anything is sent."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image

from sora_nb import media
from sora_nb.media import write_atomic
from sora_nb.runs.request import Reference

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
#: The Videos API accepted reference images up to about 20 MB (its data-URL limit).
MAX_REFERENCE_BYTES = 20 * 1024 * 1024


class ReferenceImageError(ValueError):
    """A reference image cannot be used as given; the message says how to fix it."""


def prepare_reference(
    path: Path | str, size: str, media_dir: Path, *, fit: bool = False
) -> Reference:
    """Check (or with ``fit`` crop and resize) an image to ``size`` and store it by content hash.

    The Videos API requires the reference to match the video size exactly and to be JPEG, PNG
    or WebP; this says so before a request is sent rather than after it fails.
    """
    source = Path(path).expanduser()
    if not source.is_file():
        raise ReferenceImageError(f"The reference image {source} does not exist; check the path.")
    if source.stat().st_size > MAX_REFERENCE_BYTES:
        mb = source.stat().st_size / 1e6
        raise ReferenceImageError(
            f"The reference image {source} is {mb:.0f} MB; servers accept up to 20 MB. "
            "Save it smaller (JPEG or WebP) and try again."
        )
    data = source.read_bytes()
    try:
        fmt, width, height = media.image_info(data)
    except ValueError as exc:
        raise ReferenceImageError(f"{source} is not a usable image: {exc}") from None
    except Image.DecompressionBombError:
        # Pillow refuses to open images of hundreds of megapixels (a small file can claim
        # that): say so plainly instead of surfacing its "DOS attack" warning.
        raise ReferenceImageError(
            f"{source} claims to be far larger than any video (hundreds of megapixels), too "
            f"large to open safely. Use an image of {size} pixels, or resize it first."
        ) from None
    media_type = f"image/{fmt.lower()}".replace("jpg", "jpeg")
    if media_type not in _EXTENSIONS:
        raise ReferenceImageError(
            f"{source} is a {fmt} image; the Videos API takes JPEG, PNG or WebP. Convert it first."
        )
    want_w, want_h = (int(n) for n in size.split("x"))
    if (width, height) != (want_w, want_h):
        if not fit:
            raise ReferenceImageError(
                f"The reference image is {width}x{height} but the video is {size}; they must "
                f"match exactly. Add --fit (fit=True) to crop and resize it, or choose size "
                f"{width}x{height} if the model offers it."
            )
        data = media.fit_image(data, want_w, want_h)
    digest = hashlib.sha256(data).hexdigest()
    relative = f"refs/{digest}.{_EXTENSIONS[media_type]}"
    target = media_dir / relative
    if not target.exists():
        write_atomic(target, data)
    return Reference(sha256=digest, media_type=media_type, filename=source.name, path=relative)
