"""What the continuity endpoints (March 2026) send, read and checked before sending.

``POST /videos/characters`` makes a character from a 2 to 4 second clip (16:9 or 9:16), which a
create then features by id (``characters=[...]``, two at most, each named in the prompt);
``POST /videos/extensions`` continues a completed video by 4 to 20 seconds (six times at most,
120 s in all); ``POST /videos/edits`` reworks a completed video with a prompt (remix is the
legacy form). OpenAI's API and LiteLLM's proxy have them; the engines (vLLM-Omni, SGLang,
FastVideo) do not, and a client that knows it speaks to one refuses before sending.
:class:`~sora_nb.api.client.VideosClient` sends them; this module reads a character's clip,
checks its name, the characters of a create and an extension's length, and says the refusal.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sora_nb import catalog
from sora_nb.api import errors
from sora_nb.api.dialects import Dialect
from sora_nb.api.types import (
    CHARACTER_NAME_MAX,
    EXTENSION_SECONDS,
    MAX_CHARACTERS,
    Character,
    CharacterRef,
)
from sora_nb.prompt import cast

#: A character to feature: its id, the :class:`Character` a create gave, or a reference.
CharacterInput = str | Character | CharacterRef
#: A clip to make a character from: a path, the file's bytes, or ``(filename, bytes)``.
ClipInput = Path | str | os.PathLike[str] | bytes | tuple[str, bytes]

_CLIP_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime"}


class CharacterNotNamedWarning(UserWarning):
    """A character sent with a prompt that never writes its name: the service may not keep
    it (the guide: "mention each character by name, verbatim, in the prompt")."""


@dataclass(frozen=True)
class ClipUpload:
    """A character clip, read and ready to send as the ``video`` file part."""

    filename: str
    content: bytes
    media_type: str


async def read_clip(video: ClipInput, *, check: bool = True) -> ClipUpload:
    """The clip's bytes and name; with ``check``, refused unless it is a readable video of 2 to
    4 seconds in 16:9 or 9:16 (the server's own rule, checked before the upload)."""
    if isinstance(video, bytes):
        filename, content = "character.mp4", video
    elif isinstance(video, tuple):
        filename, content = video
    else:
        path = Path(os.fspath(video)).expanduser()
        try:
            content = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise errors.InvalidRequestError(
                f"Cannot read the character clip {str(path)!r} ({exc.strerror}); check the path.",
                param="video",
            ) from None
        filename = path.name
    media_type = _CLIP_TYPES.get(Path(filename).suffix.lower(), "video/mp4")
    if check:
        from sora_nb import media

        try:
            info = await asyncio.to_thread(media.probe, content)
        except ValueError:
            raise errors.InvalidRequestError(
                f"Not sent: the character clip {filename!r} is not a readable video; send an "
                "MP4 of 2 to 4 seconds.",
                param="video",
            ) from None
        try:
            catalog.check_character_clip(info.width, info.height, info.duration)
        except catalog.CatalogError as exc:
            raise errors.InvalidRequestError(f"Not sent: {exc}", param="video") from None
    return ClipUpload(filename=filename or "character.mp4", content=content, media_type=media_type)


def check_name(name: str) -> str:
    """A character's display name, 1 to 80 characters, or an InvalidRequestError."""
    if not isinstance(name, str) or not name.strip():
        raise errors.InvalidRequestError(
            "Not sent: a character needs a name (1 to 80 characters), the word the prompt will "
            "use for it, like 'Maya'.",
            param="name",
        )
    if len(name) > CHARACTER_NAME_MAX:
        raise errors.InvalidRequestError(
            f"Not sent: a character's name is at most {CHARACTER_NAME_MAX} characters; "
            f"{name[:20]!r}... has {len(name)}.",
            param="name",
        )
    return name


def character_refs(characters: Iterable[CharacterInput]) -> list[CharacterRef]:
    """The ``characters`` of a create: at most two, each once, as ``{"id": ...}``."""
    refs: list[CharacterRef] = []
    for item in characters:
        ident = item.id if isinstance(item, (Character, CharacterRef)) else item
        if not isinstance(ident, str) or not ident.strip():
            raise errors.InvalidRequestError(
                f"Not sent: a character is given by its id, like 'char_123' (from "
                f"create_character), not {ident!r}.",
                param="characters",
            )
        if any(ref.id == ident for ref in refs):
            raise errors.InvalidRequestError(
                f"Not sent: the character {ident} is listed twice; list each once.",
                param="characters",
            )
        refs.append(CharacterRef(id=ident))
    if len(refs) > MAX_CHARACTERS:
        raise errors.InvalidRequestError(
            f"Not sent: a video features at most {MAX_CHARACTERS} characters; {len(refs)} were "
            "given. Keep two, or make a shot for each pair.",
            param="characters",
        )
    return refs


def warn_unnamed(prompt: str, characters: Iterable[CharacterInput]) -> list[str]:
    """Warn (:class:`CharacterNotNamedWarning`) for each character, known by name, that the
    prompt never names; the names missing are returned."""
    names = [c.name for c in characters if isinstance(c, Character) and c.name]
    absent = cast.missing(prompt, names)
    for name in absent:
        warnings.warn(
            f"The character {name} is not named in the prompt; the service may not keep a "
            f"character the prompt does not name. Write {name} in the prompt, verbatim.",
            CharacterNotNamedWarning,
            stacklevel=3,
        )
    return absent


def extension_seconds(seconds: int | str) -> str:
    """An extension segment's length as the wire wants it ("8"), or an InvalidRequestError."""
    text = str(seconds).strip().removesuffix("s") if not isinstance(seconds, bool) else ""
    if text not in EXTENSION_SECONDS:
        raise errors.InvalidRequestError(
            f"Not sent: an extension adds {', '.join(EXTENSION_SECONDS[:-1])} or "
            f"{EXTENSION_SECONDS[-1]} seconds, not {seconds!r}.",
            param="seconds",
        )
    return text


def unsupported(dialect: Dialect, feature: str, doing: str) -> errors.UnsupportedError:
    """The refusal, before sending, for a continuity endpoint the server lacks."""
    return errors.UnsupportedError(
        f"Not sent: the {dialect.title} cannot {doing} (it has no /videos/{feature} route; "
        "OpenAI's API and LiteLLM's proxy in front of it do). Connect to one of those, or "
        "to sora_nb's bundled server.",
        feature=feature,
    )
