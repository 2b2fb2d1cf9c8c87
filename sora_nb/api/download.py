"""Stream a download to disk: a temporary file beside the target, checked, then renamed.

An interrupted download, a short body or a wrong media type leaves nothing at the target. The
bytes are checked against what was asked for: the declared ``Content-Type``, or for an untyped
body (``application/octet-stream``) the first bytes themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import tempfile
from pathlib import Path

import httpx

from sora_nb.api import errors

#: Bytes per read while downloading: memory stays flat however large the video.
CHUNK_SIZE = 256 * 1024
#: Content types that say nothing about the bytes; those are sniffed instead.
GENERIC_TYPES = ("", "application/octet-stream", "binary/octet-stream")


async def stream_to_file(
    response: httpx.Response, target: Path, variant: str, expected: str, what: str
) -> None:
    """Write the body to a temporary file beside ``target``, check it, then rename it there."""
    declared = response.headers.get("content-type", "").split(";")[0].strip().lower()
    generic = declared in GENERIC_TYPES
    if not generic and declared != expected:
        raise wrong_type(declared, expected, variant, what)
    length = response.headers.get("content-length")
    # Content-Length counts the bytes on the wire: decoded bytes differ if the server encoded.
    encoded = response.headers.get("content-encoding", "identity").strip().lower() != "identity"
    written = 0

    def received() -> int:
        # Raw bytes read can run ahead of bytes written (the chunker buffers); a body httpx
        # had in memory already (a MockTransport's) counts as written but not as downloaded.
        return (
            response.num_bytes_downloaded
            if encoded
            else max(written, response.num_bytes_downloaded)
        )

    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        # mkstemp makes the file private (0600); the video should get the usual permissions.
        os.chmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as out:
            head = b""
            try:
                async for chunk in response.aiter_bytes(CHUNK_SIZE):
                    if generic and len(head) < 16:
                        head += chunk[: 16 - len(head)]
                        if len(head) >= 16:
                            _check_sniffed(head, expected, variant, what)
                    # Writes of page-cache-sized chunks return in microseconds: no thread.
                    out.write(chunk)
                    written += len(chunk)
            except httpx.RequestError as exc:
                raise _incomplete(what, received(), length, exc) from exc
            if generic and len(head) < 16:
                _check_sniffed(head, expected, variant, what)
            if length is not None and length.isdigit() and received() != int(length):
                raise _incomplete(what, received(), length, None)
            out.flush()
            # The file is the record of a paid-for take: make it durable before it appears.
            await asyncio.to_thread(os.fsync, out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def wrong_type(received: str, expected: str, variant: str, what: str) -> Exception:
    """The error for content of another media type than the one asked for."""
    return errors.UnexpectedContentTypeError(
        f"Asked for the {variant} ({expected}) with {what} but the server sent {received}; "
        "nothing was saved. Some gateways ignore the variant and always send the video: "
        "derive the thumbnail or spritesheet from the video instead.",
        expected=expected,
        received=received,
        variant=variant,
    )


@functools.cache
def _umask() -> int:
    # Read, not set-and-restore: os.umask() is process-wide and other threads create files.
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def _sniff(head: bytes) -> str | None:
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    return None


def _check_sniffed(head: bytes, expected: str, variant: str, what: str) -> None:
    # An untyped body (application/octet-stream) is accepted when its bytes are what we asked.
    found = _sniff(head)
    if found != expected:
        raise wrong_type(found or "unrecognised bytes", expected, variant, what)


def _incomplete(
    what: str, got: int, length: str | None, exc: BaseException | None
) -> errors.IncompleteDownloadError:
    of = f" of {length}" if length else ""
    why = f" ({type(exc).__name__})" if exc is not None else ""
    return errors.IncompleteDownloadError(
        f"The download of {what} stopped after {got}{of} bytes{why}; nothing was saved. "
        f"{errors.IncompleteDownloadError.advice}"
    )
