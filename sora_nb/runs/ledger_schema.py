"""The ledger's tables: the SQL that makes them, the schema's version, and the migration that
brings a ledger written by an older sora_nb up to it (columns and tables are only ever added).

:class:`~sora_nb.runs.ledger.Ledger` runs :data:`SCHEMA` and :func:`migrate` when it opens a
ledger, and changes only the columns of :data:`MUTABLE` after a take's row is written.
"""

from __future__ import annotations

import sqlite3

#: The tables and indexes of a ledger, each made only when it is missing.
SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    request_key TEXT PRIMARY KEY,
    server TEXT NOT NULL,
    model TEXT NOT NULL,
    size TEXT NOT NULL,
    seconds INTEGER NOT NULL,
    prompt TEXT NOT NULL,
    prompt_json TEXT,
    reference_sha256 TEXT,
    remix_of TEXT,
    created_at REAL NOT NULL,
    seed INTEGER,
    negative_prompt TEXT,
    steps INTEGER,
    guidance REAL,
    fps INTEGER,
    num_frames INTEGER
);
CREATE TABLE IF NOT EXISTS takes (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    request_key TEXT NOT NULL REFERENCES requests(request_key),
    take_no INTEGER NOT NULL,
    request_json TEXT NOT NULL,
    server TEXT NOT NULL,
    status TEXT NOT NULL,
    progress INTEGER NOT NULL DEFAULT 0,
    job_id TEXT,
    error_code TEXT,
    error_message TEXT,
    estimated_cost REAL,
    cost REAL,
    created_at REAL NOT NULL,
    submitted_at REAL,
    completed_at REAL,
    updated_at REAL NOT NULL,
    folder TEXT NOT NULL,
    rating INTEGER,
    note TEXT,
    metrics_json TEXT NOT NULL DEFAULT '{}',
    gpu_seconds REAL,
    peak_memory_mb REAL,
    seconds_per_step REAL,
    would_cost REAL
);
CREATE INDEX IF NOT EXISTS takes_by_key ON takes(key, created_at);
CREATE INDEX IF NOT EXISTS takes_by_status ON takes(status);
CREATE TABLE IF NOT EXISTS events (
    take_id TEXT NOT NULL REFERENCES takes(id),
    at REAL NOT NULL,
    status TEXT NOT NULL,
    progress INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_take ON events(take_id, at);
CREATE TABLE IF NOT EXISTS characters (
    name TEXT PRIMARY KEY,
    clip TEXT NOT NULL,
    clip_sha256 TEXT NOT NULL,
    thumbnail TEXT NOT NULL,
    consent INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS character_ids (
    name TEXT NOT NULL REFERENCES characters(name),
    server TEXT NOT NULL,
    character_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (name, server)
);
"""

#: The schema's version (PRAGMA user_version): 1 added the open-model settings to requests and
#: the GPU time and memory to takes; 2 added lineage (each take's parent: the take it remixes,
#: extends or edits) and characters (the folder's characters and their id on each server); 3 the
#: seconds per denoising step to takes; 4 what a take would have cost on the hosted model it
#: names, apart from what was charged (the bundled server's takes were recorded at the
#: catalog's price until then: 4 moves that price to ``would_cost`` and records $0 charged),
#: and the time of each stage (text encoding, denoising, VAE decode, encoding) to takes; 5 the
#: clip's length and the server's own metrics as it reported them (vLLM-Omni's ``duration_s``
#: and ``metrics``) to takes.
#: Older ledgers gain the columns and tables when opened; their rows read back with those empty.
SCHEMA_VERSION = 5
_ADDED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "requests": (
        ("seed", "INTEGER"),
        ("negative_prompt", "TEXT"),
        ("steps", "INTEGER"),
        ("guidance", "REAL"),
        ("fps", "INTEGER"),
        ("num_frames", "INTEGER"),
        ("parent_kind", "TEXT"),
        ("parent_take", "TEXT"),
        ("parent_job", "TEXT"),
        ("characters_json", "TEXT"),
    ),
    "takes": (
        ("gpu_seconds", "REAL"),
        ("peak_memory_mb", "REAL"),
        ("parent_id", "TEXT"),
        ("parent_kind", "TEXT"),
        ("seconds_per_step", "REAL"),
        ("would_cost", "REAL"),
        ("stages_json", "TEXT"),
        ("duration_s", "REAL"),
        ("server_metrics_json", "TEXT"),
    ),
}
#: Take fields kept as JSON text, and their columns.
JSON_COLUMNS = {
    "metrics": "metrics_json",
    "stage_durations": "stages_json",
    "server_metrics": "server_metrics_json",
}
#: Indexes over added columns: made once the columns exist.
_ADDED_INDEXES = ("CREATE INDEX IF NOT EXISTS takes_by_parent ON takes(parent_id)",)

#: Columns a runner may change after the row is written.
MUTABLE = {
    "status",
    "progress",
    "job_id",
    "error",
    "estimated_cost",
    "cost",
    "submitted_at",
    "completed_at",
    "rating",
    "note",
    "metrics",
    "gpu_seconds",
    "peak_memory_mb",
    "seconds_per_step",
    "would_cost",
    "stage_durations",
    "duration_s",
    "server_metrics",
}


def migrate(db: sqlite3.Connection) -> None:
    """Bring a ledger written by an older sora_nb to this schema (columns only ever added)."""
    if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        # Another kernel may have migrated while this one waited for the lock: look again.
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version >= SCHEMA_VERSION:
            db.execute("COMMIT")
            return
        for table, columns in _ADDED_COLUMNS.items():
            have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns:
                if name not in have:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        for index in _ADDED_INDEXES:
            db.execute(index)
        if version < 4:
            # The bundled server never charged: its takes' catalog price is what they would
            # have cost on the hosted model, not money spent.
            db.execute(
                "UPDATE takes SET would_cost = COALESCE(cost, estimated_cost),"
                " cost = CASE WHEN cost IS NULL THEN NULL ELSE 0 END, estimated_cost = 0"
                " WHERE server = 'local' AND would_cost IS NULL"
            )
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
