"""Characters, extensions and edits: the Videos API's continuity endpoints (March 2026).

``POST /videos/characters`` makes a character from a 2 to 4 second clip (16:9 or 9:16), which a
create then features by id (``characters=[...]``, two at most, each named in the prompt);
``POST /videos/extensions`` continues a completed video by 4 to 20 seconds (six times at most,
120 s in all); ``POST /videos/edits`` reworks a completed video with a prompt (remix is the
legacy form). OpenAI's API and LiteLLM's proxy have them; the engines (vLLM-Omni, SGLang,
FastVideo) do not, and a client that knows it speaks to one refuses before sending.
:class:`ContinuityEndpoints` is the part of :class:`~sora_nb.api.client.VideosClient` that
sends them.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pydantic import ValidationError

from sora_nb import catalog
from sora_nb.api import errors
from sora_nb.api.dialects import Dialect
from sora_nb.api.knowledge import ServerKnowledge
from sora_nb.api.params import invalid_params, video_id_of
from sora_nb.api.sending import Files, Sender
from sora_nb.api.types import (
    CHARACTER_NAME_MAX,
    EXTENSION_SECONDS,
    MAX_CHARACTERS,
    MAX_EXTENDED_SECONDS,
    Character,
    CharacterRef,
    EditVideoParams,
    ExtendVideoParams,
    Video,
    VideoRef,
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


class ContinuityEndpoints:
    """Characters, extensions and edits: the part of ``VideosClient`` that sends them."""

    # Set by VideosClient.__init__.
    _send: Sender
    _known: ServerKnowledge
    check_requests: bool

    async def create_character(
        self,
        video: ClipInput,
        name: str,
        *,
        consent: bool = False,
        model: str | None = None,
        idempotency_key: str | None = None,
    ) -> Character:
        """Make a character from a 2 to 4 second clip (16:9 or 9:16) and return it: its ``id``
        goes in ``create(characters=[...])``, its ``name`` in the prompt.

        ``consent=True`` says the person filmed agreed to be a character: sora_nb's bundled
        server refuses a clip of a face without it (a simulation of the service's rule, see
        ``sora_nb.server.guardrails``); it is sent only when True. Through LiteLLM's proxy
        ``model`` names the deployment that makes it (the one it serves, when it serves one);
        the id it answers carries that deployment, so later creates reach the same server.
        """
        self._refuse_unless("characters", "make characters")
        check_name(name)
        dialect = await self._known.knowing()
        upload = await read_clip(video, check=self.check_requests)
        files: Files = [("name", (None, name, None))]
        if dialect.name == "litellm":
            # LiteLLM routes a character by this field; without it the proxy sends the clip
            # to api.openai.com, whatever its configuration says.
            files.append(("target_model_names", (None, await self._deployment(model), None)))
        if consent:
            files.append(("consent", (None, "true", None)))
        files.append(("video", (upload.filename, upload.content, upload.media_type)))
        return await self._send.call(
            Character, "POST", "/videos/characters", files=files, idempotency_key=idempotency_key
        )

    async def get_character(self, character_id: str | Character) -> Character:
        """A character by its id (what ``create_character`` answered)."""
        self._refuse_unless("characters", "look up characters")
        ident = character_id.id if isinstance(character_id, Character) else character_id
        if not isinstance(ident, str) or not ident.strip():
            raise errors.InvalidRequestError(
                f"A character id is a non-empty string like 'char_123', not {ident!r}.",
                param="character_id",
            )
        path = "/videos/characters/" + quote(ident, safe="")
        return await self._send.call(Character, "GET", path)

    async def extend(
        self,
        video: str | Video | os.PathLike[str],
        *,
        prompt: str,
        seconds: int | str,
        idempotency_key: str | None = None,
    ) -> Video:
        """Start a job that continues a completed video by ``seconds`` (4, 8, 12, 16 or 20)
        where its last frame ends; the new job's video is the whole stitched video (its
        ``seconds`` the total). A video grows by six extensions at most, to 120 s. ``video``
        is a job (its id), or a ``Path`` to an MP4 to upload."""
        self._refuse_unless("extensions", "extend a video")
        secs = extension_seconds(seconds)
        if isinstance(video, os.PathLike):
            return await self._upload("extensions", video, prompt, secs, idempotency_key)
        ident = video_id_of(video)
        if isinstance(video, Video) and video.seconds and video.seconds.isdigit():
            total = int(video.seconds) + int(secs)
            if total > MAX_EXTENDED_SECONDS:
                raise errors.InvalidRequestError(
                    f"Not sent: video {ident} lasts {video.seconds} s; {secs} s more makes "
                    f"{total} s, past the {MAX_EXTENDED_SECONDS} s an extended video may last.",
                    param="seconds",
                )
        try:
            params = ExtendVideoParams(video=VideoRef(id=ident), prompt=prompt, seconds=secs)
        except ValidationError as exc:
            raise invalid_params(exc) from None
        made = await self._send.call(
            Video,
            "POST",
            "/videos/extensions",
            json=params.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        self._known.learn_from(made)
        return made

    async def edit(
        self,
        video: str | Video | os.PathLike[str],
        *,
        prompt: str,
        idempotency_key: str | None = None,
    ) -> Video:
        """Start a job that reworks a completed video with ``prompt``: the same scene, with
        what the prompt changes (the successor of remix). ``video`` is a job (its id), or a
        ``Path`` to an MP4 to upload."""
        self._refuse_unless("edits", "edit a video")
        if isinstance(video, os.PathLike):
            return await self._upload("edits", video, prompt, None, idempotency_key)
        try:
            params = EditVideoParams(video=VideoRef(id=video_id_of(video)), prompt=prompt)
        except ValidationError as exc:
            raise invalid_params(exc) from None
        made = await self._send.call(
            Video,
            "POST",
            "/videos/edits",
            json=params.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        self._known.learn_from(made)
        return made

    async def _upload(
        self,
        route: str,
        video: os.PathLike[str],
        prompt: str,
        seconds: str | None,
        idempotency_key: str | None,
    ) -> Video:
        """An extension or edit of a video sent as a file (a form, as the spec allows)."""
        if not prompt or not prompt.strip() or len(prompt) > 32_000:
            raise errors.InvalidRequestError(
                "Not sent: the prompt should be 1 to 32000 characters.", param="prompt"
            )
        path = Path(os.fspath(video)).expanduser()
        try:
            content = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise errors.InvalidRequestError(
                f"Cannot read the video {str(path)!r} ({exc.strerror}); check the path.",
                param="video",
            ) from None
        files: Files = [("prompt", (None, prompt, None))]
        if seconds is not None:
            files.append(("seconds", (None, seconds, None)))
        files.append(("video", (path.name, content, "video/mp4")))
        made = await self._send.call(
            Video, "POST", f"/videos/{route}", files=files, idempotency_key=idempotency_key
        )
        self._known.learn_from(made)
        return made

    async def _deployment(self, model: str | None) -> str:
        """The model a gateway should make a character with: the one named, or the one it
        serves; an InvalidRequestError when it serves several and none is named."""
        if model:
            return model
        info = await self._known.detect()
        if len(info.models) == 1:
            return info.models[0]
        served = ", ".join(info.models) or "none listed"
        raise errors.InvalidRequestError(
            f"Not sent: the {info.dialect.title} makes a character with one of its models "
            f"({served}); name it: create_character(..., model='sora-2').",
            param="model",
        )

    def _refuse_unless(self, feature: str, doing: str) -> None:
        dialect: Dialect | None = self._known.dialect
        if dialect is not None and not getattr(dialect, feature):
            raise unsupported(dialect, feature, doing)


def unsupported(dialect: Dialect, feature: str, doing: str) -> errors.UnsupportedError:
    """The refusal, before sending, for a continuity endpoint the server lacks."""
    return errors.UnsupportedError(
        f"Not sent: the {dialect.title} cannot {doing} (it has no /videos/{feature} route; "
        "OpenAI's API and LiteLLM's proxy in front of it do). Connect to one of those, or "
        "to sora_nb's bundled server.",
        feature=feature,
    )
