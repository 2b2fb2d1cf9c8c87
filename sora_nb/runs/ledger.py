"""The ledger: a SQLite record of every request and take, beside the files it describes.

WAL mode and short transactions let two kernels (or a kernel and a script) share one media
folder without losing rows. The API key is never written here: only the server's base URL.
The tables and their migration are in :mod:`sora_nb.runs.ledger_schema`."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sora_nb import media
from sora_nb.catalog import options as options_table
from sora_nb.catalog import source_media
from sora_nb.runs import take as take_module
from sora_nb.runs.cost import Spending
from sora_nb.runs.ledger_schema import JSON_COLUMNS, MUTABLE, SCHEMA, SCHEMA_VERSION, migrate
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.take import Take, TakeFailure

LEDGER_NAME = "ledger.sqlite3"


class LedgerError(RuntimeError):
    """The ledger cannot be opened or written; the message says what to do."""


def request_key(request: VideoRequest, server: str) -> str:
    """The key of a request regardless of its take number (all takes of one cell share it)."""
    return request.with_take(1).cache_key(server)


class Ledger:
    """Every request and take in one media folder, safe to share between processes."""

    def __init__(self, media_dir: Path | str) -> None:
        self.media_dir = Path(media_dir)
        self.path = self.media_dir / LEDGER_NAME
        try:
            media.make_private_folder(self.media_dir)
        except OSError as exc:
            raise LedgerError(
                f"Cannot create the media folder {self.media_dir}: {exc.strerror}. "
                "Choose a writable folder with media_dir=... or SORA_NB_HOME."
            ) from None
        if not os.access(self.media_dir, os.W_OK):
            raise LedgerError(
                f"The media folder {self.media_dir} is not writable. "
                "Choose a writable folder with media_dir=... or SORA_NB_HOME."
            )
        self._lock = threading.RLock()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        # Two kernels opening a new ledger at once race to switch it to WAL and create the
        # schema; SQLite's busy timeout does not cover every step of that, so a "locked"
        # answer is retried for a while. Anything else means the file is not a ledger.
        deadline = time.monotonic() + 30
        delay = 0.01
        # A new ledger starts as an empty file private to the user (0600); SQLite gives its
        # WAL and shared-memory files the same mode.
        if not self.path.exists():
            with contextlib.suppress(FileExistsError):  # made meanwhile by another kernel
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        while True:
            db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            try:
                db.row_factory = sqlite3.Row
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("PRAGMA foreign_keys=ON")
                db.executescript(SCHEMA)
                migrate(db)
                # A file damaged past its first page opens fine and fails on the first read:
                # check it now, so the user hears about it here, in one clear sentence.
                verdict = db.execute("PRAGMA quick_check").fetchone()
                if verdict is None or verdict[0] != "ok":
                    db.close()
                    raise self._unreadable(verdict[0] if verdict else "no answer to a check")
                return db
            except sqlite3.OperationalError as exc:
                db.close()
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or time.monotonic() > deadline:
                    raise self._unreadable(exc) from None
            except sqlite3.DatabaseError as exc:
                db.close()
                raise self._unreadable(exc) from None
            time.sleep(delay)
            delay = min(0.5, delay * 2)

    def _unreadable(self, exc: object) -> LedgerError:
        return LedgerError(
            f"The ledger {self.path} cannot be read ({exc}). Move it aside (for example to "
            f"{LEDGER_NAME}.broken) and sora_nb will start a new one; the video files under "
            f"{self.media_dir} are untouched."
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Hold the lock, and turn SQLite's errors into a LedgerError that says what to do."""
        with self._lock:
            try:
                yield
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise LedgerError(
                        f"The ledger {self.path} is busy: another kernel or script held it "
                        f"for more than 30 s ({exc}). Try again when that work is done."
                    ) from None
                raise self._unreadable(exc) from None
            except sqlite3.DatabaseError as exc:
                raise self._unreadable(exc) from None

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._guard():
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # -- writing ---------------------------------------------------------------------------

    def insert(self, take: Take) -> None:
        """Record a new take (and its request, once) in one transaction."""
        req = take.request
        rkey = request_key(req, take.server)
        now = time.time()
        with self._tx() as db:
            parent = req.parent
            cast = [m.model_dump() for m in req.characters]
            parent_id = self._parent_id(db, req)
            # Options with a column of their own (schema 1's six); all are in request_json too.
            columns = [option.name for option in options_table.OPTIONS if option.column]
            names = [
                "request_key", "server", "model", "size", "seconds", "prompt", "prompt_json",
                "reference_sha256", "remix_of", "created_at", *columns, "parent_kind",
                "parent_take", "parent_job", "characters_json",
            ]  # fmt: skip
            db.execute(
                f"INSERT OR IGNORE INTO requests ({', '.join(names)})"
                f" VALUES ({','.join('?' * len(names))})",
                (
                    rkey,
                    take.server,
                    req.model,
                    req.size,
                    req.seconds,
                    req.prompt,
                    json.dumps(req.prompt_json) if req.prompt_json is not None else None,
                    req.reference.sha256 if req.reference else None,
                    req.remix_of,
                    now,
                    # The take's own seed is in its request_json; the cell's first seed here.
                    *(getattr(req.options, name) for name in columns),
                    req.kind if req.kind != "create" else None,
                    parent.take if parent else None,
                    parent.job if parent else req.remix_of,
                    json.dumps(cast) if cast else None,
                ),
            )
            db.execute(
                "INSERT INTO takes (id, key, request_key, take_no, request_json, server, status,"
                " progress, job_id, estimated_cost, cost, created_at, submitted_at,"
                " completed_at, updated_at, folder, rating, note, metrics_json, parent_id,"
                " parent_kind, would_cost)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    take.id,
                    take.key,
                    rkey,
                    req.take,
                    req.model_dump_json(),
                    take.server,
                    take.status,
                    take.progress,
                    take.job_id,
                    take.estimated_cost,
                    take.cost,
                    take.created_at,
                    take.submitted_at,
                    take.completed_at,
                    now,
                    take.folder,
                    take.rating,
                    take.note,
                    json.dumps(take.metrics),
                    parent_id,
                    req.kind if req.kind != "create" else None,
                    take.would_cost,
                ),
            )
            db.execute(
                "INSERT INTO events VALUES (?,?,?,?)", (take.id, now, take.status, take.progress)
            )

    @staticmethod
    def _parent_id(db: sqlite3.Connection, request: VideoRequest) -> str | None:
        """The take a request derives from, when this folder holds it."""
        if (source := source_media.lineage(request.parent, request.options.video)) is not None:
            return source
        job = request.parent.job if request.parent is not None else request.remix_of
        if job is None:
            return None
        row = db.execute(
            "SELECT id FROM takes WHERE job_id = ? ORDER BY created_at DESC LIMIT 1", (job,)
        ).fetchone()
        return str(row["id"]) if row is not None else None

    def update(self, take_id: str, **changes: Any) -> None:
        """Change a take's row; a status or progress change also adds to its timeline."""
        unknown = set(changes) - MUTABLE
        if unknown:
            raise ValueError(f"cannot update take fields {sorted(unknown)}")
        columns: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "error":
                err = (
                    value
                    if value is None or isinstance(value, TakeFailure)
                    else TakeFailure(**value)
                )
                columns["error_code"] = err.code if err else None
                columns["error_message"] = err.message if err else None
            elif name in JSON_COLUMNS:
                columns[JSON_COLUMNS[name]] = None if value is None else json.dumps(value)
            else:
                columns[name] = value
        now = time.time()
        columns["updated_at"] = now
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self._tx() as db:
            cursor = db.execute(
                f"UPDATE takes SET {assignments} WHERE id = ?", (*columns.values(), take_id)
            )
            if cursor.rowcount != 1:
                raise LedgerError(f"take {take_id} is not in the ledger {self.path}")
            if "status" in changes or "progress" in changes:
                row = db.execute(
                    "SELECT status, progress FROM takes WHERE id = ?", (take_id,)
                ).fetchone()
                db.execute(
                    "INSERT INTO events VALUES (?,?,?,?)",
                    (take_id, now, row["status"], row["progress"]),
                )

    # -- reading ---------------------------------------------------------------------------

    def _take(self, row: sqlite3.Row) -> Take:
        error = (
            TakeFailure(code=row["error_code"], message=row["error_message"] or "")
            if row["error_code"]
            else None
        )
        take = Take(
            id=row["id"],
            key=row["key"],
            request=VideoRequest.model_validate_json(row["request_json"]),
            server=row["server"],
            status=row["status"],
            progress=row["progress"],
            job_id=row["job_id"],
            error=error,
            estimated_cost=row["estimated_cost"],
            cost=row["cost"],
            would_cost=row["would_cost"],
            created_at=row["created_at"],
            submitted_at=row["submitted_at"],
            completed_at=row["completed_at"],
            folder=row["folder"],
            rating=row["rating"],
            note=row["note"],
            metrics=json.loads(row["metrics_json"] or "{}"),
            gpu_seconds=row["gpu_seconds"],
            peak_memory_mb=row["peak_memory_mb"],
            seconds_per_step=row["seconds_per_step"],
            stage_durations=json.loads(row["stages_json"]) if row["stages_json"] else None,
            duration_s=row["duration_s"],
            server_metrics=json.loads(row["server_metrics_json"] or "null"),
        )
        return take.attach(self.media_dir, self)

    def _select(self, where: str = "", params: tuple[Any, ...] = (), tail: str = "") -> list[Take]:
        with self._guard():
            rows = self._db.execute(f"SELECT * FROM takes {where} {tail}", params).fetchall()
        return [self._take(row) for row in rows]

    def get(self, take_id: str) -> Take | None:
        """The take with this id, or None."""
        found = self._select("WHERE id = ?", (take_id,))
        return found[0] if found else None

    def find_job(self, job_id: str) -> Take | None:
        """The take that holds the server job ``job_id``, or None."""
        found = self._select("WHERE job_id = ?", (job_id,), "ORDER BY created_at DESC LIMIT 1")
        return found[0] if found else None

    def latest(self, key: str) -> Take | None:
        """The newest attempt at the cell with this cache key, or None."""
        found = self._select("WHERE key = ?", (key,), "ORDER BY created_at DESC LIMIT 1")
        return found[0] if found else None

    def unfinished(self) -> list[Take]:
        """Takes whose jobs may still be running (a resume finishes them)."""
        return self._select(
            "WHERE status IN ('pending', 'queued', 'in_progress')", (), "ORDER BY created_at"
        )

    def history(self, limit: int | None = None) -> list[Take]:
        """Takes, newest first."""
        tail = "ORDER BY created_at DESC" + (f" LIMIT {int(limit)}" if limit else "")
        return self._select("", (), tail)

    def timeline(self, take_id: str) -> list[tuple[float, str, int]]:
        """(time, status, progress) for each change of a take, oldest first."""
        with self._guard():
            rows = self._db.execute(
                "SELECT at, status, progress FROM events WHERE take_id = ? ORDER BY at, rowid",
                (take_id,),
            ).fetchall()
        return [(row["at"], row["status"], row["progress"]) for row in rows]

    def spent(self, since: float | None = None) -> float:
        """Dollars recorded for completed takes (since a time, when given)."""
        with self._guard():
            row = self._db.execute(
                "SELECT COALESCE(SUM(cost), 0) FROM takes WHERE status = 'completed'"
                " AND COALESCE(completed_at, updated_at) >= ?",
                (since or 0.0,),
            ).fetchone()
        return float(row[0])

    def spending(self, since: float | None = None) -> Spending:
        """What completed takes (since a time, when given) were charged, and apart from that
        what the free ones would have cost on hosted models and the GPU seconds taken."""
        with self._guard():
            row = self._db.execute(
                "SELECT COALESCE(SUM(cost), 0), COUNT(*),"
                " SUM(CASE WHEN cost = 0 THEN 1 ELSE 0 END), COALESCE(SUM(would_cost), 0),"
                " COALESCE(SUM(gpu_seconds), 0) FROM takes WHERE status = 'completed'"
                " AND COALESCE(completed_at, updated_at) >= ?",
                (since or 0.0,),
            ).fetchone()
        return Spending(
            charged=float(row[0]),
            takes=int(row[1]),
            free_takes=int(row[2] or 0),
            would_have_cost=float(row[3]),
            gpu_seconds=float(row[4]),
        )

    def committed(self, since: float | None = None) -> float:
        """Dollars expected for takes sent but not finished yet (their catalog estimates)."""
        with self._guard():
            row = self._db.execute(
                "SELECT COALESCE(SUM(estimated_cost), 0) FROM takes WHERE status IN"
                " ('pending', 'queued', 'in_progress') AND created_at >= ?",
                (since or 0.0,),
            ).fetchone()
        return float(row[0])

    def gpu_seconds(self, server: str, request: VideoRequest) -> tuple[float | None, int]:
        """(mean GPU seconds, how many takes) of finished takes of this server, model, size and
        length (frames, steps and step cache too, when set): what a plan expects a new take to
        cost."""
        where = ["r.server = ?", "r.model = ?", "r.size = ?", "r.seconds = ?"]
        params: list[Any] = [server, request.model, request.size, request.seconds]
        for name in ("num_frames", "steps"):
            value = getattr(request.options, name)
            where.append(f"r.{name} IS ?")
            params.append(value)
        # A step cache changes the time a take takes: only takes with the same one count.
        where.append("COALESCE(json_extract(t.request_json, '$.options.step_cache'), 'none') = ?")
        params.append(request.options.step_cache or "none")
        query = (
            "SELECT AVG(t.gpu_seconds), COUNT(t.gpu_seconds) FROM takes t JOIN requests r"
            " ON t.request_key = r.request_key WHERE t.status = 'completed' AND "
            + " AND ".join(where)
        )
        with self._guard():
            row = self._db.execute(query, params).fetchone()
        count = int(row[1])
        return (float(row[0]) if count else None), count

    def attempts(self, key: str) -> int:
        """How many takes were ever started for the cell with this cache key."""
        with self._guard():
            row = self._db.execute("SELECT COUNT(*) FROM takes WHERE key = ?", (key,)).fetchone()
        return int(row[0])

    def children(self, take_id: str) -> list[Take]:
        """The takes made from this one (its remixes, extensions and edits), oldest first."""
        return self._select("WHERE parent_id = ?", (take_id,), "ORDER BY created_at")

    def parent(self, take: Take) -> Take | None:
        """The take this one remixes, extends or edits, when this folder holds it."""
        with self._guard():
            row = self._db.execute(
                "SELECT parent_id FROM takes WHERE id = ?", (take.id,)
            ).fetchone()
            parent_id = row["parent_id"] if row is not None else None
            if parent_id is None:
                parent_id = self._parent_id(self._db, take.request)
        return self.get(parent_id) if parent_id else None

    def chain(self, take: Take) -> list[Take]:
        """The take's lineage, from the first video to the take itself: every remix,
        extension and edit it came from, in order."""
        found = [take]
        seen = {take.id}
        while (parent := self.parent(found[0])) is not None and parent.id not in seen:
            found.insert(0, parent)
            seen.add(parent.id)
        return found

    def read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Rows of a query (for modules that keep their own tables here: characters)."""
        with self._guard():
            return self._db.execute(sql, params).fetchall()

    def write(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        """Run one statement in its own transaction."""
        with self._tx() as db:
            db.execute(sql, params)

    def count(self) -> int:
        with self._guard():
            return int(self._db.execute("SELECT COUNT(*) FROM takes").fetchone()[0])


# How a take opens its folder's ledger: take.py cannot name this module, which imports it.
take_module.open_ledger = Ledger

__all__ = ["LEDGER_NAME", "SCHEMA_VERSION", "Ledger", "LedgerError", "request_key"]
