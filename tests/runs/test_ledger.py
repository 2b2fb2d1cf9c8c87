"""The ledger keeps every request and take, survives sharing, and says clearly when it can't."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sora_nb.runs.ledger import Ledger, LedgerError
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.take import Take, TakeFailure


def make_take(prompt: str = "a lighthouse at dusk", take: int = 1, server: str = "local") -> Take:
    request = VideoRequest(prompt=prompt, take=take)
    key = request.cache_key(server)
    return Take(
        id=f"t{key[:11]}", key=key, request=request, server=server, folder=f"takes/t{key[:11]}"
    )


def test_a_take_round_trips_with_its_request(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    take = make_take()
    ledger.insert(take)
    ledger.update(take.id, status="queued", job_id="video_1", submitted_at=10.0)
    ledger.update(take.id, status="in_progress", progress=40)
    ledger.update(take.id, status="completed", progress=100, cost=0.4, completed_at=20.0)
    stored = ledger.get(take.id)
    assert stored is not None
    assert stored.request == take.request
    assert (stored.status, stored.job_id, stored.cost) == ("completed", "video_1", 0.4)
    assert stored.path("video") == tmp_path / take.folder / "video.mp4"
    assert [status for _, status, _ in ledger.timeline(take.id)] == [
        "pending",
        "queued",
        "in_progress",
        "completed",
    ]
    assert ledger.find_job("video_1") == stored
    assert ledger.spent() == pytest.approx(0.4)


def test_failed_takes_keep_the_servers_error(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    take = make_take()
    ledger.insert(take)
    ledger.update(
        take.id, status="failed", error=TakeFailure(code="moderation_blocked", message="no")
    )
    stored = ledger.get(take.id)
    assert stored is not None and stored.error == TakeFailure(
        code="moderation_blocked", message="no"
    )
    assert ledger.unfinished() == []


def test_latest_attempt_wins_and_unfinished_lists_running_jobs(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    first = make_take()
    ledger.insert(first)
    ledger.update(first.id, status="failed", error=TakeFailure(code="server_error", message="x"))
    second = first.model_copy(update={"id": first.id + "b", "created_at": first.created_at + 1})
    ledger.insert(second)
    ledger.update(second.id, status="in_progress", job_id="video_2")
    latest = ledger.latest(first.key)
    assert latest is not None and latest.id == second.id
    assert [t.id for t in ledger.unfinished()] == [second.id]


def test_unknown_fields_and_missing_rows_are_refused(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    with pytest.raises(ValueError, match="prompt"):
        ledger.update("nope", prompt="changed")
    with pytest.raises(LedgerError, match="not in the ledger"):
        ledger.update("nope", status="failed")


def test_the_api_key_column_does_not_exist(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.insert(make_take(server="http://127.0.0.1:9/v1"))
    columns = {
        row[1]
        for table in ("requests", "takes", "events")
        for row in sqlite3.connect(ledger.path).execute(f"PRAGMA table_info({table})")
    }
    assert not any("key" in c and c not in {"key", "request_key"} for c in columns)


def test_a_corrupted_ledger_gets_a_clear_message_and_is_left_alone(tmp_path: Path) -> None:
    broken = tmp_path / "ledger.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError, match=r"Move it aside.*untouched"):
        Ledger(tmp_path)
    assert broken.read_bytes() == b"this is not a database" * 100


def test_an_unusable_media_folder_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(LedgerError, match="Cannot create the media folder"):
        Ledger(blocker / "media")


WRITER = """
import sys
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.take import Take

ledger = Ledger(sys.argv[1])
for n in range(int(sys.argv[3])):
    request = VideoRequest(prompt=f"worker {sys.argv[2]} shot {n}")
    key = request.cache_key("local")
    take = Take(id=f"t{key[:11]}", key=key, request=request, server="local",
                folder=f"takes/t{key[:11]}")
    ledger.insert(take)
    ledger.update(take.id, status="queued", job_id=f"video_{sys.argv[2]}_{n}")
    ledger.update(take.id, status="completed", progress=100, cost=0.1)
"""


def test_processes_writing_at_once_lose_no_rows(tmp_path: Path) -> None:
    # Four kernels that start together also race to create the ledger itself.
    workers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(w), "30"])
        for w in range(4)
    ]
    for worker in workers:
        assert worker.wait(120) == 0
    ledger = Ledger(tmp_path)
    assert ledger.count() == 120
    assert all(t.status == "completed" for t in ledger.history())
    assert ledger.spent() == pytest.approx(12.0)
