"""The media folder's characters: each one's name, the clip it was made from, a thumbnail, and
its id on every server that made it.

A character is the folder's, not a server's: its clip is kept in
``characters/<name>/clip.mp4`` beside a thumbnail, and the ledger records its id on each server
(the bundled server, a gateway...), so a notebook connected elsewhere makes it there from the
same clip, and a replayed lesson finds it again with no server at all.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field

from sora_nb import media
from sora_nb.runs.ledger import Ledger

CHARACTERS_DIR = "characters"


class CharacterError(ValueError):
    """A character cannot be made or found as asked; the message says what to do."""


class CharacterRecord(BaseModel):
    """One character of the folder: its name, clip, thumbnail and id per server."""

    model_config = ConfigDict(frozen=True)

    name: str
    #: The clip and its thumbnail, relative to the media folder.
    clip: str
    thumbnail: str
    clip_sha256: str
    consent: bool = False
    created_at: float = Field(default_factory=time.time)
    #: Server (its base URL, or "local") -> the character's id there.
    ids: dict[str, str] = Field(default_factory=dict)

    def id_on(self, server: str) -> str | None:
        """Its id on ``server``, if that server made it."""
        return self.ids.get(server.rstrip("/"))

    def path(self, media_dir: Path, what: str = "clip") -> Path:
        """Where its ``clip`` or ``thumbnail`` is on disk."""
        return media_dir / (self.clip if what == "clip" else self.thumbnail)


class Cast:
    """The characters recorded in one media folder's ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    @property
    def media_dir(self) -> Path:
        return self.ledger.media_dir

    def all(self) -> list[CharacterRecord]:
        """Every character, in the order they were made."""
        rows = self.ledger.read("SELECT * FROM characters ORDER BY created_at, name")
        return [self._record(row) for row in rows]

    def get(self, name: str) -> CharacterRecord | None:
        """The character called ``name`` (any case), or None."""
        rows = self.ledger.read(
            "SELECT * FROM characters WHERE lower(name) = lower(?)", (name.strip(),)
        )
        return self._record(rows[0]) if rows else None

    def keep(self, name: str, clip: bytes, *, consent: bool = False) -> CharacterRecord:
        """Keep a new character's clip and thumbnail in the folder and record it."""
        folder = PurePosixPath(CHARACTERS_DIR, _slug(name))
        clip_rel, thumb_rel = folder / "clip.mp4", folder / "thumbnail.webp"
        media.write_atomic(self.media_dir / clip_rel, clip)
        media.thumbnail_from_video(self.media_dir / clip_rel, self.media_dir / thumb_rel)
        record = CharacterRecord(
            name=name,
            clip=clip_rel.as_posix(),
            thumbnail=thumb_rel.as_posix(),
            clip_sha256=hashlib.sha256(clip).hexdigest(),
            consent=consent,
        )
        self.record(record)
        return record

    def record(self, record: CharacterRecord) -> None:
        """Write a character and its ids (what a bundle brings along); ids are added to any
        it has already."""
        self.ledger.write(
            "INSERT OR IGNORE INTO characters (name, clip, clip_sha256, thumbnail, consent,"
            " created_at) VALUES (?,?,?,?,?,?)",
            (
                record.name,
                record.clip,
                record.clip_sha256,
                record.thumbnail,
                int(record.consent),
                record.created_at,
            ),
        )
        for server, ident in record.ids.items():
            self.remember(record.name, server, ident)

    def remember(self, name: str, server: str, character_id: str) -> None:
        """Note the character's id on ``server``."""
        self.ledger.write(
            "INSERT OR REPLACE INTO character_ids (name, server, character_id, created_at)"
            " VALUES (?,?,?,?)",
            (name, server.rstrip("/"), character_id, time.time()),
        )

    def _record(self, row: sqlite3.Row) -> CharacterRecord:
        name = row["name"]
        ids = self.ledger.read(
            "SELECT server, character_id FROM character_ids WHERE name = ?", (name,)
        )
        return CharacterRecord(
            name=name,
            clip=row["clip"],
            thumbnail=row["thumbnail"],
            clip_sha256=row["clip_sha256"],
            consent=bool(row["consent"]),
            created_at=row["created_at"],
            ids={r["server"]: r["character_id"] for r in ids},
        )


def check_name(name: str) -> str:
    """A character's name as a prompt writes it: 1 to 80 characters with a letter in it."""
    cleaned = " ".join(str(name).split())
    if not cleaned or len(cleaned) > 80 or not re.search(r"\w", cleaned):
        raise CharacterError(
            f"A character's name is the word the prompt will use for it, 1 to 80 characters "
            f"(like Maya); {name!r} will not do."
        )
    return cleaned


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.").lower()
    return (slug or "character")[:60] + "-" + hashlib.sha256(name.encode()).hexdigest()[:6]
