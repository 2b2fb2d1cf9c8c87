"""A create's ``input_reference``: read from an uploaded file, an object with a base64 data URL
(in JSON or as a multipart field), and checked to be an image of the video's size."""

from __future__ import annotations

import base64
import binascii
import io
import json

from sora_nb import catalog
from sora_nb.server.errors import invalid
from sora_nb.server.forms import Body
from sora_nb.server.type_errors import wrong_type

_IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def read_reference(body: Body) -> tuple[bytes | None, str | None]:
    """The reference image of a create and its declared media type, or ``(None, None)``."""
    ref = body.fields.get("input_reference")
    if body.multipart and isinstance(ref, str):
        # A reference object can travel as a JSON text field in a multipart body.
        try:
            ref = json.loads(ref)
        except ValueError:
            raise invalid(
                "input_reference must be an image file or an object like "
                '{"image_url": "data:image/png;base64,..."}.',
                param="input_reference",
            ) from None
    if body.file is not None:
        if ref is not None:
            raise invalid(
                "Send input_reference once: a file or an object, not both.", param="input_reference"
            )
        return body.file[0], body.file[1]
    if ref is None:
        return None, None
    if not isinstance(ref, dict):
        raise invalid(
            "input_reference must be an object with exactly one of image_url or file_id.",
            param="input_reference",
            code="invalid_type",
        )
    unknown = sorted(set(ref) - {"image_url", "file_id"})
    if unknown:
        raise invalid(
            f"Unknown parameter: 'input_reference.{unknown[0]}'.",
            param=f"input_reference.{unknown[0]}",
            code="unknown_parameter",
        )
    if ("image_url" in ref) == ("file_id" in ref):
        raise invalid(
            "input_reference needs exactly one of image_url or file_id.",
            param="input_reference",
        )
    if "file_id" in ref:
        raise invalid(
            f"No file with id {str(ref['file_id'])[:60]!r}: this bundled server has no Files API; "
            "upload the image as input_reference or send it as a data URL.",
            param="input_reference.file_id",
            code="file_not_found",
        )
    url = ref["image_url"]
    if not isinstance(url, str):
        raise wrong_type("input_reference.image_url", url)
    if not url.startswith("data:"):
        raise invalid(
            "This server runs offline and cannot fetch image URLs; send the image as a data "
            "URL (data:image/png;base64,...) or upload it as a file.",
            param="input_reference.image_url",
        )
    head, sep, data = url.partition(",")
    if not sep or not head.endswith(";base64"):
        raise invalid(
            "input_reference.image_url must be a base64 data URL like "
            "data:image/png;base64,iVBOR...",
            param="input_reference.image_url",
        )
    try:
        content = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(
            "input_reference.image_url is not valid base64.", param="input_reference.image_url"
        ) from None
    return content, head[len("data:") : -len(";base64")].lower()


def check_reference(content: bytes, size: str) -> None:
    """A 400 unless ``content`` is a JPEG, PNG or WebP image exactly the video's ``size``."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format or ""
            width, height = image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        kind, width, height = "", 0, 0
    media_type = _IMAGE_FORMATS.get(kind)
    if media_type is None:
        raise invalid(
            "Invalid input_reference: unsupported image format. Use a JPEG, PNG or WebP image.",
            param="input_reference",
            code="unsupported_file_format",
        )
    want_w, want_h = catalog.parse_size(size)
    if (width, height) != (want_w, want_h):
        raise invalid(
            f"Inpaint image must match the requested width and height (the image is "
            f"{width}x{height}, the video is {size}).",
            param="input_reference",
            code="invalid_image_dimensions",
        )
