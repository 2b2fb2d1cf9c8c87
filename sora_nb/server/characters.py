"""Characters: ``POST /videos/characters`` and ``GET /videos/characters/{id}``, kept in a folder.

A character is made from a 2 to 4 second clip, 16:9 or 9:16, with a name of 1 to 80 characters
(the spec's rules, checked here with its kind of 400s). Its look is read from the clip
(:mod:`sora_nb.server.cameo`) and kept beside it in ``<media_dir>/characters/<id>/``, so a
restarted server still knows every character it made. A clip that looks like a real person's
face is refused unless made with ``consent`` set (a simulation, see
:mod:`sora_nb.server.guardrails`).
"""

from __future__ import annotations

import io
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import BaseModel, ConfigDict

from sora_nb import catalog, media
from sora_nb.server.cameo import ClipUnreadable, read_clip
from sora_nb.server.errors import APIError, invalid
from sora_nb.server.forms import Body, no_files_but
from sora_nb.server.guardrails import face_refusal
from sora_nb.server.renderers.base import Cameo

#: The ids this server gives characters.
ID_PATTERN = re.compile(r"char_[0-9a-f]{32}")
NAME_MAX = 80
_FIELDS = frozenset({"name", "consent"})
_STRICT_FIELDS = frozenset({"name"})


class CharacterRecord(BaseModel):
    """What the server keeps of one character (``character.json``)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    name: str
    created_at: float
    consent: bool = False
    palette: list[tuple[int, int, int]]
    outline: list[tuple[float, float] | None]
    aspect: float
    bands: list[float] = []
    idempotency_key: str | None = None

    def cameo(self) -> Cameo:
        """The character as the renderer draws it."""
        return Cameo(
            name=self.name,
            palette=tuple(self.palette),
            outline=tuple(self.outline),
            aspect=self.aspect,
            bands=tuple(self.bands),
        )

    def resource(self) -> dict[str, Any]:
        """The character as the API shows it (``VideoCharacterResource``)."""
        return {"id": self.id, "name": self.name, "created_at": int(self.created_at)}


class CharacterStore:
    """Every character of one server folder: made from clips, looked up by id."""

    def __init__(self, media_dir: Path, clock: Callable[[], float]) -> None:
        self.root = media_dir / "characters"
        self.root.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._lock = threading.Lock()
        self._by_id: dict[str, CharacterRecord] = {}
        self._by_key: dict[str, str] = {}
        for path in sorted(self.root.glob("char_*/character.json")):
            try:
                record = CharacterRecord.model_validate_json(path.read_bytes())
            except ValueError:
                continue
            if record.id == path.parent.name:
                self._by_id[record.id] = record
                if record.idempotency_key:
                    self._by_key[record.idempotency_key] = record.id

    def create(
        self, body: Body, *, strict: bool, idempotency_key: str | None
    ) -> tuple[CharacterRecord, bool]:
        """A new character from a checked body and True, or for a repeated idempotency key
        the one that key made and False."""
        key = f"character:{idempotency_key}" if idempotency_key else None
        with self._lock:
            if key is not None and key in self._by_key:
                return self._by_id[self._by_key[key]], False
        name, clip, consent = check_character(body, strict=strict)
        try:
            reading = read_clip(clip, name)
        except ClipUnreadable as exc:
            raise invalid(str(exc), param="video", code="invalid_video") from None
        refusal = face_refusal(reading.skin_share, reading.fill, consent=consent)
        if refusal is not None:
            raise invalid(refusal, param="video", code="moderation_blocked")
        cameo = reading.cameo
        record = CharacterRecord(
            id=f"char_{secrets.token_hex(16)}",
            name=name,
            created_at=self._clock(),
            consent=consent,
            palette=list(cameo.palette),
            outline=list(cameo.outline),
            aspect=cameo.aspect,
            bands=list(cameo.bands),
            idempotency_key=key,
        )
        folder = self.root / record.id
        media.write_atomic(folder / "clip.mp4", clip)
        media.write_atomic(folder / "thumbnail.webp", _webp(reading.still))
        media.write_atomic(folder / "character.json", record.model_dump_json(indent=1).encode())
        with self._lock:
            self._by_id[record.id] = record
            if key is not None:
                self._by_key[key] = record.id
        return record, True

    def get(self, ident: str) -> CharacterRecord:
        """The character with this id, or the 404 for an id this server never gave."""
        with self._lock:
            record = self._by_id.get(ident) if ID_PATTERN.fullmatch(ident) else None
        if record is None:
            raise APIError(
                404,
                f"Character with id '{_printable(ident)}' not found.",
                param="character_id",
                code="character_not_found",
            )
        return record

    def cameos(self, ids: Iterable[str], *, param: str = "characters") -> tuple[Cameo, ...]:
        """The looks of these characters, or a 400 naming the first unknown id."""
        found = []
        for index, ident in enumerate(ids):
            try:
                found.append(self.get(ident).cameo())
            except APIError:
                raise invalid(
                    f"No character with id '{_printable(ident)}' on this server; make it with "
                    "POST /videos/characters first (ids are per server).",
                    param=f"{param}[{index}].id",
                    code="character_not_found",
                ) from None
        return tuple(found)


def check_character(body: Body, *, strict: bool) -> tuple[str, bytes, bool]:
    """(name, clip, consent) from a character body, or the 400 for what is wrong with it."""
    for given in body.fields:
        if given not in (_STRICT_FIELDS if strict else _FIELDS):
            raise invalid(f"Unknown parameter: '{given}'.", param=given, code="unknown_parameter")
    no_files_but(body, "video")
    if not body.multipart:
        raise invalid(
            "A character is made from an uploaded clip: send multipart/form-data with a 'video' "
            "file and a 'name'.",
            param="video",
            code="unsupported_content_type",
        )
    name = body.fields.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid(
            "Missing required parameter: 'name' (1 to 80 characters, the word prompts will use).",
            param="name",
            code="missing_required_parameter",
        )
    if len(name) > NAME_MAX:
        raise invalid(
            f"Invalid 'name': string too long. Expected a string with maximum length "
            f"{NAME_MAX}, but got a string with length {len(name)} instead.",
            param="name",
            code="string_above_max_length",
        )
    upload = body.files.get("video")
    if upload is None:
        raise invalid(
            "Missing required parameter: 'video' (a 2 to 4 second clip, as a file).",
            param="video",
            code="missing_required_parameter",
        )
    clip = upload[0]
    try:
        info = media.probe(clip)
    except ValueError:
        raise invalid(
            "Invalid 'video': the file is not a readable video. Send an MP4 of 2 to 4 seconds.",
            param="video",
            code="unsupported_file_format",
        ) from None
    try:
        catalog.check_character_clip(info.width, info.height, info.duration)
    except catalog.CatalogError as exc:
        raise invalid(f"Invalid 'video': {exc}", param="video", code="invalid_video") from None
    consent = str(body.fields.get("consent", "false")).strip().lower()
    if consent not in ("true", "false", "1", "0"):
        raise invalid(f"Invalid 'consent': {consent[:20]!r}. Send true or false.", param="consent")
    return name.strip(), clip, consent in ("true", "1")


def _webp(pixels: Any) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, format="WEBP", quality=80)
    return buffer.getvalue()


def _printable(text: str) -> str:
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return cleaned if len(cleaned) <= 80 else cleaned[:77] + "..."
