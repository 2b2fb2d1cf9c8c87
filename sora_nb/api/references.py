"""The ``input_reference`` of a create: a file to upload, or an image URL the server fetches.

Reading a file and checking it is an image the Videos API takes (JPEG, PNG or WebP, of exactly
the video's size) happens here, before anything is sent; the pixel work is ``sora_nb.media``'s.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Literal, cast

from sora_nb import catalog
from sora_nb.api import errors
from sora_nb.api.types import ImageRef, ReferenceFile

#: An input_reference: a file path, ``(filename, bytes)``, a :class:`ReferenceFile`, or an
#: :class:`ImageRef` (``image_url`` or ``file_id``) the server fetches itself.
ReferenceInput = Path | str | os.PathLike[str] | tuple[str, bytes] | ReferenceFile | ImageRef

ImageType = Literal["image/jpeg", "image/png", "image/webp"]


async def read_reference(reference: ReferenceInput) -> ReferenceFile | None:
    """The upload for a file reference (None for an ImageRef, which the server fetches)."""
    if isinstance(reference, ImageRef):
        return None
    if isinstance(reference, ReferenceFile):
        return reference
    if isinstance(reference, tuple):
        filename, content = reference
    else:
        text = os.fspath(reference)
        if text.startswith(("http://", "https://", "data:")):
            raise errors.InvalidRequestError(
                f"input_reference {text[:60]!r} is a URL, not a file; pass "
                "ImageRef(image_url=...) to have the server fetch it.",
                param="input_reference",
            )
        path = Path(text).expanduser()
        try:
            content = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise errors.InvalidRequestError(
                f"Cannot read the input_reference file {str(path)!r} ({exc.strerror}); "
                "check the path.",
                param="input_reference",
            ) from None
        filename = path.name
    return ReferenceFile(
        filename=filename or "reference", content=content, media_type=image_type(filename, content)
    )


def image_type(filename: str, content: bytes) -> ImageType:
    """The media type of a reference image, or an InvalidRequestError naming what it is."""
    from sora_nb import media

    try:
        kind = media.image_info(content)[0]
    except ValueError:
        kind = "unreadable"
    media_type = media.REFERENCE_MEDIA_TYPES.get(kind)
    if media_type is None:
        raise errors.InvalidRequestError(
            f"Not sent: the input_reference {filename!r} is {kind.lower()}, but servers take "
            "only JPEG, PNG or WebP images; convert it to one of those.",
            param="input_reference",
        )
    return cast(ImageType, media_type)


def check_upload(upload: ReferenceFile, size: str) -> None:
    """Refuse, before sending, an upload that cannot open a ``size`` video."""
    from sora_nb import media

    _, width, height = media.image_info(upload.content)
    try:
        catalog.check_reference(size, upload.media_type, width, height)
    except catalog.CatalogError as exc:
        raise errors.InvalidRequestError(f"Not sent: {exc}", param=exc.param) from None
