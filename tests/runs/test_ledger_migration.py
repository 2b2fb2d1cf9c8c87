"""A ledger written before the open-model settings existed opens, migrates and reads back.

Its schema is the one sora_nb wrote until schema version 1 (no seed, steps... in requests, no
GPU time in takes): the rows it holds must read back whole, and their cache keys still match,
so cells recorded then are answered from disk now.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from sora_nb.runs.ledger import SCHEMA_VERSION, Ledger, request_key
from sora_nb.runs.request import VideoRequest

#: The schema as sora_nb wrote it before version 1 (sora_nb/runs/ledger.py at 4e536c2).
OLD_SCHEMA = """
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
    created_at REAL NOT NULL
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
    metrics_json TEXT NOT NULL DEFAULT '{}'
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
"""


def old_ledger(folder: Path) -> VideoRequest:
    """A media folder whose ledger was written by the old schema, holding one completed take."""
    folder.mkdir(parents=True)
    request = VideoRequest(prompt="A kite over the dunes.", model="sora-2", size="1280x720")
    key = request.cache_key("local")
    with sqlite3.connect(folder / "ledger.sqlite3") as db:
        db.executescript(OLD_SCHEMA)
        db.execute(
            "INSERT INTO requests VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                request_key(request, "local"),
                "local",
                "sora-2",
                "1280x720",
                4,
                request.prompt,
                None,
                None,
                None,
                1.0,
            ),
        )
        db.execute(
            "INSERT INTO takes (id, key, request_key, take_no, request_json, server, status,"
            " progress, job_id, cost, created_at, updated_at, folder, metrics_json)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                "take_old",
                key,
                request_key(request, "local"),
                1,
                json.dumps(
                    {
                        k: v
                        for k, v in request.model_dump(mode="json").items()
                        if k
                        not in ("seed", "negative_prompt", "steps", "guidance", "fps", "num_frames")
                    }
                ),
                "local",
                "completed",
                100,
                "video_1",
                0.4,
                1.0,
                2.0,
                "takes/take_old",
                "{}",
            ),
        )
    return request


def test_an_old_ledger_migrates_and_its_rows_read_back(tmp_path: Path) -> None:
    request = old_ledger(tmp_path / "media")
    ledger = Ledger(tmp_path / "media")
    take = ledger.get("take_old")
    # The bundled server never charged: the catalog price it was recorded at is what the take
    # would have cost on sora-2, apart from the $0 charged.
    assert take is not None and take.status == "completed"
    assert (take.cost, take.estimated_cost, take.would_cost) == (0.0, 0.0, 0.4)
    assert take.request == request and take.request.knobs() == {}
    assert take.gpu_seconds is None and take.peak_memory_mb is None
    assert take.seconds_per_step is None
    # The old cell's key is the key the same cell gets now: it is answered from the ledger.
    assert ledger.latest(request.cache_key("local")) == take
    with sqlite3.connect(tmp_path / "media" / "ledger.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = {row[1] for row in db.execute("PRAGMA table_info(takes)")}
    assert {"gpu_seconds", "peak_memory_mb", "seconds_per_step"} <= columns
    ledger.update("take_old", gpu_seconds=30.0, peak_memory_mb=1024.0, seconds_per_step=0.6)
    back = ledger.get("take_old")
    assert back is not None and (back.gpu_seconds, back.seconds_per_step) == (30.0, 0.6)
    ledger.close()


def test_a_version_1_ledger_gains_the_seconds_per_step(tmp_path: Path) -> None:
    """Schema 1 had the GPU time and memory but not the step time: it gains that column."""
    request = old_ledger(tmp_path / "media")
    with sqlite3.connect(tmp_path / "media" / "ledger.sqlite3") as db:
        for name, kind in (
            ("seed", "INTEGER"),
            ("negative_prompt", "TEXT"),
            ("steps", "INTEGER"),
            ("guidance", "REAL"),
            ("fps", "INTEGER"),
            ("num_frames", "INTEGER"),
        ):
            db.execute(f"ALTER TABLE requests ADD COLUMN {name} {kind}")
        db.execute("ALTER TABLE takes ADD COLUMN gpu_seconds REAL")
        db.execute("ALTER TABLE takes ADD COLUMN peak_memory_mb REAL")
        db.execute("UPDATE takes SET gpu_seconds = 12.5, peak_memory_mb = 2048.0")
        db.execute("PRAGMA user_version = 1")
    ledger = Ledger(tmp_path / "media")
    take = ledger.get("take_old")
    assert take is not None and take.request == request
    assert (take.gpu_seconds, take.peak_memory_mb, take.seconds_per_step) == (12.5, 2048.0, None)
    ledger.update("take_old", seconds_per_step=0.25)
    assert ledger.get("take_old").seconds_per_step == 0.25  # type: ignore[union-attr]
    ledger.close()


def test_two_kernels_opening_an_old_ledger_at_once_both_get_the_new_schema(
    tmp_path: Path,
) -> None:
    old_ledger(tmp_path / "media")
    opened: list[Ledger] = []
    failures: list[BaseException] = []

    def open_it() -> None:
        try:
            opened.append(Ledger(tmp_path / "media"))
        except BaseException as exc:  # pragma: no cover - the assertion below names it
            failures.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == [] and len(opened) == 2
    for ledger in opened:
        assert ledger.get("take_old") is not None
        ledger.close()


def test_knobs_and_gpu_time_are_recorded_in_the_ledger_row(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "media")
    request = VideoRequest(
        prompt="A heron.",
        model="Wan2.2-T2V-A14B",
        size="832x480",
        seed=7,
        steps=30,
        guidance=4.0,
        negative_prompt="blurry",
        fps=16,
        num_frames=81,
    )
    from sora_nb.runs.take import Take

    take = Take(
        id="take_new",
        key=request.cache_key("http://gpu:8000/v1"),
        request=request,
        server="http://gpu:8000/v1",
        folder="takes/take_new",
    ).attach(ledger.media_dir)
    ledger.insert(take)
    ledger.update(
        "take_new",
        status="completed",
        gpu_seconds=95.5,
        peak_memory_mb=30000.0,
        seconds_per_step=3.1,
    )
    with sqlite3.connect(tmp_path / "media" / "ledger.sqlite3") as db:
        row = db.execute(
            "SELECT seed, negative_prompt, steps, guidance, fps, num_frames FROM requests"
        ).fetchone()
    assert row == (7, "blurry", 30, 4.0, 16, 81)
    back = ledger.get("take_new")
    assert back is not None and back.request == request and back.gpu_seconds == 95.5
    assert back.seconds_per_step == 3.1
    assert ledger.gpu_seconds("http://gpu:8000/v1", request) == (95.5, 1)
    ledger.close()


def test_a_version_3_ledger_keeps_a_paid_servers_charge_and_frees_the_bundled_servers(
    tmp_path: Path,
) -> None:
    """Schema 4 keeps what was charged apart from what it would have cost: a paid server's
    take keeps its charge; the bundled server's catalog price moves to would_cost."""
    old_ledger(tmp_path / "media")
    Ledger(tmp_path / "media").close()
    with sqlite3.connect(tmp_path / "media" / "ledger.sqlite3") as db:
        row = db.execute("SELECT * FROM takes WHERE id = 'take_old'").fetchone()
        names = [d[0] for d in db.execute("SELECT * FROM takes").description]
        paid = dict(zip(names, row, strict=True))
        paid.update(id="take_paid", key="k2", server="https://api.openai.com/v1", cost=0.4)
        paid.update(estimated_cost=0.4, would_cost=None)
        db.execute(
            f"INSERT INTO takes ({', '.join(paid)}) VALUES ({', '.join('?' * len(paid))})",
            tuple(paid.values()),
        )
        db.execute("UPDATE takes SET cost = 0.4, estimated_cost = 0.4, would_cost = NULL")
        db.execute("ALTER TABLE takes DROP COLUMN would_cost")
        db.execute("PRAGMA user_version = 3")
    ledger = Ledger(tmp_path / "media")
    local, paid_take = ledger.get("take_old"), ledger.get("take_paid")
    assert local is not None and paid_take is not None
    assert (local.cost, local.would_cost) == (0.0, 0.4)
    assert (paid_take.cost, paid_take.would_cost) == (0.4, None)
    spending = ledger.spending()
    assert (spending.charged, spending.would_have_cost, spending.takes) == (0.4, 0.4, 2)


def test_stage_times_are_kept_and_a_step_cache_is_its_own_kind_of_take(tmp_path: Path) -> None:
    from sora_nb.runs.take import Take

    ledger = Ledger(tmp_path / "media")
    server = "http://gpu:8000/v1"
    plain = VideoRequest(prompt="A heron.", model="Wan2.2-T2V-A14B", size="832x480", seed=7)
    stages = {"text_encoding": 1.5, "denoising": 60.0, "vae_decode": 8.0, "encoding": 0.5}
    for take_id, request, seconds in (
        ("take_plain", plain, 70.0),
        ("take_cached", plain.with_options(step_cache="firstblock:0.1"), 40.0),
    ):
        take = Take(
            id=take_id,
            key=request.cache_key(server),
            request=request,
            server=server,
            folder=f"takes/{take_id}",
        ).attach(ledger.media_dir)
        ledger.insert(take)
        ledger.update(take_id, status="completed", gpu_seconds=seconds, stage_durations=stages)
    back = ledger.get("take_cached")
    assert back is not None and back.stage_durations == stages
    # A plan expects a take's GPU time from earlier takes with the same step cache only.
    assert ledger.gpu_seconds(server, plain) == (70.0, 1)
    assert ledger.gpu_seconds(server, plain.with_options(step_cache="none")) == (70.0, 1)
    assert ledger.gpu_seconds(server, plain.with_options(step_cache="firstblock:0.1")) == (40.0, 1)
    assert ledger.gpu_seconds(server, plain.with_options(step_cache="pab")) == (None, 0)
    ledger.close()
