"""A create's last frame and source video on the bundled server: read from their file parts (or
base64 data URLs in a JSON body), checked, and kept with the job.

The job's knobs name them by content (``sha256:<hex>``), so a renderer that has no such input
refuses them like any knob it lacks, and two creates with other sources are other takes; the
bytes live beside the job (``last_image.bin``, ``video.bin``) for its render.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path

from sora_nb import media
from sora_nb.server.errors import APIError, invalid
from sora_nb.server.forms import Body
from sora_nb.server.input_reference import check_reference
from sora_nb.server.type_errors import wrong_type

__all__ = ["PARTS", "knobs_of", "load", "read_sources", "save"]

#: The file parts (and JSON fields) that carry them.
PARTS = ("last_image", "video")


def read_sources(body: Body, size: str | None) -> dict[str, bytes]:
    """The last frame and source video a create sends, checked: a last frame is an image of the
    video's ``size`` (when known), a source video a video."""
    found: dict[str, bytes] = {}
    for name in PARTS:
        if name in body.files:
            found[name] = body.files[name][0]
        elif body.fields.get(name) is not None:
            found[name] = _data_url(name, body.fields[name])
    if "last_image" in found and size is not None:
        try:
            check_reference(found["last_image"], size)
        except APIError as exc:  # the input_reference's 400, said of the last frame
            raise invalid(
                exc.message.replace("input_reference", "last_image").replace("Inpaint", "Last"),
                param="last_image",
            ) from None
    if "video" in found:
        try:
            info = media.probe(found["video"])
        except Exception:  # PyAV's errors for bytes that are no container vary by kind
            info = None
        if info is None or info.frame_count <= 0:
            raise invalid(
                "Invalid 'video': it is not a video this server can read; send an MP4.",
                param="video",
                code="unsupported_file_format",
            )
    return found


def knobs_of(sources: dict[str, bytes]) -> dict[str, str]:
    """The knobs naming the sources by content, as the job keeps them."""
    return {name: f"sha256:{hashlib.sha256(data).hexdigest()}" for name, data in sources.items()}


def save(directory: Path, sources: dict[str, bytes]) -> None:
    """Keep the sources beside the job, for its render."""
    for name, data in sources.items():
        media.write_atomic(directory / f"{name}.bin", data)


def load(directory: Path, name: str) -> bytes | None:
    """A source kept beside a job, or None."""
    path = directory / f"{name}.bin"
    return path.read_bytes() if path.is_file() else None


def _data_url(name: str, value: object) -> bytes:
    if not isinstance(value, str):
        raise wrong_type(name, value)
    head, sep, data = value.partition(",")
    if not (value.startswith("data:") and sep and head.endswith(";base64")):
        raise invalid(
            f"'{name}' must be a file part, or a base64 data URL like data:image/png;base64,...; "
            "this server runs offline and fetches no URLs.",
            param=name,
        )
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"'{name}' is not valid base64.", param=name) from None
