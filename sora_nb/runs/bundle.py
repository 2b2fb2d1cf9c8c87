"""Record/replay bundles: takes (files and ledger rows) packed to travel and replay offline.

A bundle is a folder or a zip holding ``bundle.json`` (a manifest: every take's ledger record
and the SHA-256 of each of its files) beside the files themselves, laid out as in a media
folder (``takes/<id>/video.mp4``, ``refs/<sha256>.png``). Importing one into any media folder
makes those takes cache hits again, so a notebook replays them with no server at all: teaching
material outlives a provider's shutdown.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from sora_nb.media import write_atomic
from sora_nb.runs.characters import Cast, CharacterRecord
from sora_nb.runs.files import SIDECAR
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.source_prep import stored
from sora_nb.runs.take import FILE_NAMES, Take

MANIFEST = "bundle.json"
FORMAT = "sora_nb.bundle/1"


class BundleError(ValueError):
    """A bundle cannot be written or read as asked; the message says what to do."""


class BundleEntry(BaseModel):
    """One take in a bundle: its ledger record and the checksum of every file it carries."""

    take: dict[str, Any]
    files: dict[str, str] = Field(default_factory=dict)  # relative path -> sha256


class CharacterEntry(BaseModel):
    """One character in a bundle: its record (name, id per server) and its files' checksums."""

    character: dict[str, Any]
    files: dict[str, str] = Field(default_factory=dict)


class Manifest(BaseModel):
    """``bundle.json``: what a bundle holds, readable without sora_nb."""

    format: str = FORMAT
    created_at: float = Field(default_factory=time.time)
    takes: list[BundleEntry]
    #: The characters its takes feature (bundles written before characters have none).
    characters: list[CharacterEntry] = Field(default_factory=list)


def export_bundle(takes: Iterable[Take], destination: Path | str) -> Path:
    """Write ``takes`` (with their files) to a bundle folder, or a zip if the name ends .zip.

    Only completed takes travel: a running or failed take has nothing to replay. Each take
    brings the takes it was made from (the video it extends, edits or remixes, and theirs)
    and the characters it features (their clips, thumbnails and ids), so a replayed lesson
    keeps its chains and its cast. The bundle appears whole or not at all (it is assembled
    aside, then moved into place).
    """
    target = Path(destination).expanduser()
    if target.exists():
        raise BundleError(f"{target} already exists; choose a new name or remove it first.")
    if not target.parent.is_dir():
        raise BundleError(
            f"The folder {target.parent} does not exist; create it first or choose another path."
        )
    chosen = _with_lineage([take for take in takes if take.ok])
    if not chosen:
        raise BundleError(
            "No completed takes to export: a bundle carries finished videos. "
            "Pass takes whose status is 'completed'."
        )
    entries: list[BundleEntry] = []
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".bundle-") as tmp:
        staging = Path(tmp) / "bundle"
        for take in chosen:
            entries.append(_stage_take(take, staging))
        cast = [_stage_character(c, chosen[0].media_dir, staging) for c in _cast_of(chosen)]
        manifest = Manifest(takes=entries, characters=cast)
        write_atomic(staging / MANIFEST, manifest.model_dump_json(indent=2).encode())
        if target.suffix == ".zip":
            partial = Path(tmp) / "bundle.zip"
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as archive:
                for path in sorted(staging.rglob("*")):
                    if path.is_file():
                        archive.write(path, path.relative_to(staging).as_posix())
            _place(partial, target)
        else:
            _place(staging, target)
    return target


def _place(made: Path, target: Path) -> None:
    """Move the finished bundle to ``target`` unless something took that name meanwhile (an
    export never replaces a file): a hard link or a rename that refuses to overwrite."""
    taken = BundleError(f"{target} already exists; choose a new name or remove it first.")
    try:
        if made.is_dir():
            os.rename(made, target)  # fails on a file or a folder with anything in it
        else:
            os.link(made, target)  # fails if the name exists
    except FileExistsError:
        raise taken from None
    except OSError:
        if target.exists():
            raise taken from None
        shutil.move(made, target)  # a file system without hard links


def import_bundle(source: Path | str, ledger: Ledger) -> list[Take]:
    """Copy a bundle's takes into ``ledger``'s media folder; return them, ready to replay.

    Every file is checked against its recorded SHA-256 before anything is written; takes
    already in the ledger are left as they are, so importing twice changes nothing.
    """
    path = Path(source).expanduser()
    if not path.exists():
        raise BundleError(f"There is no bundle at {path}; check the path.")
    with tempfile.TemporaryDirectory(dir=ledger.media_dir, prefix=".import-") as tmp:
        root = path
        if path.is_file():
            root = Path(tmp) / "unpacked"
            _unzip(path, root)
        manifest = _read_manifest(root)
        # Check everything before writing anything: a damaged bundle imports nothing.
        for entry in manifest.takes:
            _take_of(entry)
            for rel, digest in entry.files.items():
                _check_file(root, rel, digest)
        records = [_character_of(held) for held in manifest.characters]
        for held in manifest.characters:
            for rel, digest in held.files.items():
                _check_file(root, rel, digest)
        cast = Cast(ledger)
        for record in records:
            mine = cast.get(record.name)
            if mine is not None and mine.clip_sha256 != record.clip_sha256:
                raise BundleError(
                    f"This media folder has its own character called {mine.name}, from another "
                    "clip; import the bundle into a folder of its own (media_dir=...)."
                )
        for record, held in zip(records, manifest.characters, strict=True):
            _copy_files(root, ledger.media_dir, held.files)
            cast.record(record)
        imported: list[Take] = []
        for entry in manifest.takes:
            take = _take_of(entry)
            if ledger.get(take.id) is None:
                _copy_files(root, ledger.media_dir, entry.files)
                ledger.insert(take)
            stored = ledger.get(take.id)
            assert stored is not None  # just inserted, or there already
            imported.append(stored)
    return imported


# -- helpers --------------------------------------------------------------------------------


def _with_lineage(takes: list[Take]) -> list[Take]:
    """The takes with every take they were made from, oldest first, each once."""
    found: dict[str, Take] = {}
    for take in takes:
        for step in take.chain():
            if step.ok:
                found.setdefault(step.id, step)
    return sorted(found.values(), key=lambda t: t.created_at)


def _cast_of(takes: list[Take]) -> list[CharacterRecord]:
    names = {m.name for take in takes for m in take.request.characters}
    if not names:
        return []
    cast = Cast(Ledger(takes[0].media_dir))
    records = [cast.get(name) for name in sorted(names)]
    return [record for record in records if record is not None]


def _stage_character(record: CharacterRecord, media_dir: Path, staging: Path) -> CharacterEntry:
    files: dict[str, str] = {}
    for rel in (record.clip, record.thumbnail):
        source = media_dir / rel
        if source.is_file():
            data = source.read_bytes()
            write_atomic(staging / rel, data)
            files[rel] = hashlib.sha256(data).hexdigest()
    return CharacterEntry(character=record.model_dump(mode="json"), files=files)


def _character_of(entry: CharacterEntry) -> CharacterRecord:
    try:
        record = CharacterRecord.model_validate(entry.character)
    except ValidationError as exc:
        raise BundleError(f"A character in the bundle cannot be read: {exc}") from None
    _safe_relative(record.clip)
    _safe_relative(record.thumbnail)
    return record


def _copy_files(root: Path, media_dir: Path, files: dict[str, str]) -> None:
    for rel in files:
        dest = media_dir / _safe_relative(rel)
        if not dest.exists():
            write_atomic(dest, (root / _safe_relative(rel)).read_bytes())


def _stage_take(take: Take, staging: Path) -> BundleEntry:
    files: dict[str, str] = {}
    media_dir = take.media_dir
    wanted = [PurePosixPath(take.folder, name) for name in (*FILE_NAMES.values(), SIDECAR)]
    if take.request.reference is not None:
        wanted.append(PurePosixPath(take.request.reference.path))
    wanted += [PurePosixPath(rel) for rel in stored(take.request.options)]  # frames, a source
    for rel in wanted:
        source = media_dir / rel
        if not source.is_file():
            if rel.name == FILE_NAMES["video"]:
                raise BundleError(
                    f"The video of take {take.id} is missing at {source}; it cannot be "
                    "exported. Run its cell again with --no-cache to make a new take."
                )
            continue
        data = source.read_bytes()
        write_atomic(staging / rel, data)
        files[rel.as_posix()] = hashlib.sha256(data).hexdigest()
    return BundleEntry(take=take.model_dump(mode="json", exclude={"cached"}), files=files)


def _unzip(path: Path, root: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                dest = root / _safe_relative(info.filename)
                dest.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as src, dest.open("wb") as out:
                    shutil.copyfileobj(src, out)
    except zipfile.BadZipFile:
        raise BundleError(
            f"{path} is not a zip bundle (it may be truncated); export it again."
        ) from None


def _read_manifest(root: Path) -> Manifest:
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(
            f"{root} has no {MANIFEST}; it is not a sora_nb bundle "
            "(make one with sora_nb.export_bundle or %sora export)."
        )
    try:
        manifest = Manifest.model_validate_json(manifest_path.read_bytes())
    except (ValidationError, ValueError) as exc:
        raise BundleError(f"{manifest_path} cannot be read ({exc}); export it again.") from None
    if manifest.format != FORMAT:
        raise BundleError(
            f"This bundle is in format {manifest.format!r}; this sora_nb reads {FORMAT!r}. "
            "Upgrade sora_nb, or export the bundle again."
        )
    return manifest


def _take_of(entry: BundleEntry) -> Take:
    try:
        take = Take.model_validate(entry.take)
    except ValidationError as exc:
        raise BundleError(f"A take in the bundle cannot be read: {exc}") from None
    # Later writes (a re-fetch, take.json) go to these paths: they must stay inside.
    _safe_relative(take.folder)
    if take.request.reference is not None:
        _safe_relative(take.request.reference.path)
    for rel in stored(take.request.options):
        _safe_relative(rel)
    return take


def _check_file(root: Path, rel: str, digest: str) -> None:
    path = root / _safe_relative(rel)
    if not path.is_file():
        raise BundleError(f"The bundle lacks {rel}, which its manifest lists; export it again.")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != digest:
        raise BundleError(
            f"{rel} in the bundle is damaged (its checksum does not match the manifest); "
            "nothing was imported. Export the bundle again."
        )


def _safe_relative(rel: str) -> PurePosixPath:
    """A bundle path that stays inside the folder it is unpacked into (no ``..`` or ``/``)."""
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BundleError(f"The bundle names a file outside itself ({rel!r}); refusing it.")
    return path
