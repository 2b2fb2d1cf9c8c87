"""A create's last frame and source video: read, checked and placed where each engine reads them.

The options table carries them as paths (``last_image``, ``video``); here they become uploads,
checked before anything is sent (a last frame of the video's size, a source that is a video),
and go out as each dialect's own fields (:mod:`sora_nb.catalog.source_media` says which):

- vLLM-Omni: the first and last frames as two ``image_reference`` data URLs (it takes no
  ``input_reference`` beside them), a source video as the ``input_reference`` file;
- SGLang Diffusion: a source video as the ``input_reference`` file (``video/mp4``);
- the bundled server: ``last_image`` and ``video`` file parts beside ``input_reference``.
"""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sora_nb.api import errors
from sora_nb.api.dialects import Dialect
from sora_nb.api.references import image_type
from sora_nb.api.sending import Files
from sora_nb.api.types import ImageRef, ReferenceFile
from sora_nb.catalog.options import Options

__all__ = ["SOURCE_WIRES", "Sources", "place", "read_sources"]

#: The options that are files, by wire name: never sent as text fields.
SOURCE_WIRES = frozenset({"last_image", "video"})
_VIDEO_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime"}


@dataclass(frozen=True)
class VideoUpload:
    """A source video read and checked: what goes out as the file part."""

    filename: str
    content: bytes
    media_type: str


@dataclass(frozen=True)
class Sources:
    """A create's last frame and source video, read; ``rest`` is its other options."""

    rest: Options
    last: ReferenceFile | None = None
    video: VideoUpload | None = None

    def check_size(self, size: str | None) -> None:
        """Refuse a last frame that is not exactly ``size``, before sending."""
        if self.last is None or size is None:
            return
        from sora_nb import media

        _, width, height = media.image_info(self.last.content)
        if f"{width}x{height}" != size.strip().lower():
            raise errors.InvalidRequestError(
                f"Not sent: the last frame is {width}x{height} but the video is {size}; they "
                f"must match exactly. Crop and resize it to {size} (a session's fit=True, or "
                "%%sora --fit, does).",
                param="last_image",
            )


async def read_sources(options: Options, *, has_first: bool) -> Sources:
    """The last frame and source video of ``options`` read from their files, or an
    InvalidRequestError (one line, what to do) before anything is sent."""
    rest = options.replace(last_image=None, video=None)
    last = video = None
    if options.last_image is not None:
        if not has_first:
            raise errors.InvalidRequestError(
                "Not sent: a last frame needs a first frame too; give input_reference (--image "
                "FIRST.png --last-image LAST.png).",
                param="last_image",
            )
        data, name = await _read(options.last_image, "last frame", "last_image")
        last = ReferenceFile(filename=name, content=data, media_type=_image(name, data))
    if options.video is not None:
        if has_first:
            raise errors.InvalidRequestError(
                "Not sent: a source video and a first frame do not go together; give the video "
                "alone (its frames are the start) or the image alone.",
                param="video",
            )
        data, name = await _read(options.video, "source video", "video")
        video = VideoUpload(name, data, _video_type(name, data))
    return Sources(rest, last, video)


def place(
    dialect: Dialect,
    sources: Sources,
    upload: ReferenceFile | None,
    image: ImageRef | None,
) -> tuple[dict[str, Any], Files, ReferenceFile | None]:
    """(fields to add, file parts to add, the input_reference upload left) for ``dialect``."""
    fields: dict[str, Any] = {}
    files: Files = []
    if sources.last is not None:
        if dialect.name == "vllm-omni":
            # vLLM-Omni refuses input_reference beside image_reference: both frames go as
            # data URLs, in order (its FLF2V model reads image as [first, last]).
            first = image.image_url if image is not None else _data_url(upload)
            refs = [{"image_url": first}, {"image_url": _data_url(sources.last)}]
            fields["image_reference"] = json.dumps(refs)
            upload = None
        else:
            last = sources.last
            files.append(("last_image", (last.filename, last.content, last.media_type)))
    if sources.video is not None:
        part = "video" if dialect.name not in ("vllm-omni", "sglang") else "input_reference"
        video = sources.video
        files.append((part, (video.filename, video.content, video.media_type)))
    return fields, files, upload


def _data_url(upload: ReferenceFile | None) -> str:
    if upload is None:  # pragma: no cover - read_sources asks for a first frame
        raise errors.InvalidRequestError("Not sent: the first frame is missing.", param="image")
    encoded = base64.b64encode(upload.content).decode("ascii")
    return f"data:{upload.media_type};base64,{encoded}"


async def _read(value: str, what: str, param: str) -> tuple[bytes, str]:
    path = Path(value).expanduser()
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise errors.InvalidRequestError(
            f"Not sent: cannot read the {what} {str(path)!r} ({exc.strerror}); check the path.",
            param=param,
        ) from None
    return data, path.name


def _image(name: str, data: bytes) -> Any:
    try:
        return image_type(name, data)
    except errors.InvalidRequestError as exc:
        raise errors.InvalidRequestError(
            str(exc).replace("the input_reference", "the last frame"), param="last_image"
        ) from None


def _video_type(name: str, data: bytes) -> str:
    """The media type of a source video, or the refusal for a file that is not one."""
    from sora_nb import media

    try:
        info = media.probe(data)
    except Exception:  # PyAV's errors for bytes that are no container at all vary by kind
        info = None
    if info is None or info.width <= 0 or info.frame_count <= 0:
        raise errors.InvalidRequestError(
            f"Not sent: the source video {name!r} is not a video sora_nb can read; give an MP4 "
            "(or a take: --video TAKE).",
            param="video",
        )
    return _VIDEO_TYPES.get(Path(name).suffix.lower(), "video/mp4")
