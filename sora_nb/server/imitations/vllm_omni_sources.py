"""vLLM-Omni 0.30.0's image and video references, read as its form parsing reads them.

``image_reference`` is a JSON form field: one ``{"image_url": ...}`` (or ``{"file_id": ...}``,
which it refuses) or a list of them, decoded in order (Wan's first-last-frame model reads
``image: [first, last]``). The ``input_reference`` file is an image, else a video. It takes no
``input_reference`` beside ``image_reference`` or ``video_reference``. Its errors are 400s
worded as its own (``tests/engines/test_vllm_omni_parity.py`` checks them against it). An
``http(s)`` image URL is not fetched here (the imitation runs offline): it fails as a download
that failed does on the engine.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from dataclasses import dataclass
from typing import Any

from sora_nb.server.imitations.engine import EngineError

__all__ = ["References", "decode_references", "image_urls"]

_CONFLICT = (
    "Provide only one of input_reference, image_reference, or video_reference when using "
    "input_reference; image_reference and video_reference may be combined."
)


_NEITHER = "provided content is not a valid image or video"


@dataclass(frozen=True)
class References:
    """The images (in the request's order) and the source video a create sent."""

    images: tuple[bytes, ...] = ()
    video: bytes | None = None


def _refused(message: str) -> EngineError:
    """vLLM's envelope for an HTTPException(400) of vLLM-Omni's form parsing."""
    body = {"error": {"message": message, "type": "Bad Request", "param": None, "code": 400}}
    return EngineError(400, body)


def _json_field(fields: dict[str, str], name: str) -> Any:
    text = fields.get(name)
    if text is None or text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise _refused("Invalid JSON in form field.") from None


def image_urls(fields: dict[str, str], upload: bytes | None) -> list[dict[str, Any]]:
    """The ``image_reference`` items in order ([] when none sent), or vLLM-Omni's 400: bad
    JSON, or an ``input_reference`` file beside it (or beside a ``video_reference``)."""
    parsed = _json_field(fields, "image_reference")
    video_reference = _json_field(fields, "video_reference")  # read only for this check
    if upload is not None and (parsed is not None or video_reference is not None):
        raise _refused(_CONFLICT)
    if parsed is None:
        return []
    items = parsed if isinstance(parsed, list) else [parsed]
    for item in items:
        keys = set(item) if isinstance(item, dict) else set()
        if keys not in ({"image_url"}, {"file_id"}) or not all(
            isinstance(value, str) for value in item.values()
        ):
            # The request model's validation error (pydantic's lead lines, as vLLM words it).
            said = (
                "1 validation error for VideoGenerationRequest\nimage_reference\n"
                '  Input should be {"image_url": ...} or {"file_id": ...}, or a list of them '
                f"[input_value={json.dumps(item)[:60]}]"
            )
            error = {"message": said, "type": "BadRequestError", "param": None, "code": 400}
            raise EngineError(400, {"error": error})
    return items


def decode_references(items: list[dict[str, Any]], upload: bytes | None) -> References:
    """Each image reference and the ``input_reference`` file decoded, in vLLM-Omni's order
    and words (``Invalid image_reference.image_url: ...``), or its 400."""
    images = [_image_item(item) for item in items]
    video = None
    if upload is not None:
        if _is_image(upload):
            images.append(upload)
        elif _is_video(upload):
            video = upload
        else:
            raise _refused(
                "Invalid input_reference: provided content is not a valid image or video."
            )
    return References(tuple(images), video)


def _image_item(item: dict[str, Any]) -> bytes:
    source = "image_reference.image_url"
    if "file_id" in item:
        raise _refused("Invalid image_reference: file_id is not supported yet.")
    url = item["image_url"]
    if url.startswith("data:image"):
        try:
            data = base64.b64decode(url.split(",", 1)[-1])
        except (binascii.Error, ValueError):
            raise _refused(f"Invalid {source}: image data is not valid base64.") from None
        if not _is_image(data):
            raise _refused(f"Invalid {source}: provided content is not a valid image.")
        return data
    if url.startswith(("http://", "https://")):
        raise _refused(f"Invalid {source}: failed to download image.")
    raise _refused(f"Invalid {source}: must be an http(s) URL or data URL.")


def _is_image(data: bytes) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False
    return True


def _is_video(data: bytes) -> bool:
    from sora_nb import media

    try:
        info = media.probe(data)
    except Exception:  # PyAV's errors for bytes that are no container vary by kind
        return False
    return info is not None and info.width > 0 and info.frame_count > 0
