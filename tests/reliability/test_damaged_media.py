"""Missing or damaged media files: a paid take is fetched again from its job, never paid twice.

A completed take whose video was deleted, cut short or overwritten is not a cache hit (it
cannot be played) and not a reason to pay for a new job either: the job that made it is asked
for its content again. Only when the server no longer has that job does the take say so, and
how to get a new one.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from sora_nb.notebook import functions
from sora_nb.runs.files import files_intact
from sora_nb.runs.ledger import Ledger, LedgerError
from sora_nb.runs.take import Take
from tests.reliability.conftest import Studio


def the_take(studio: Studio) -> Take:
    [take] = functions.session().ledger.history(None)
    return take


def damage_missing(video: Path) -> None:
    video.unlink()


def damage_truncated(video: Path) -> None:
    data = video.read_bytes()
    video.write_bytes(data[: len(data) // 2])  # a copy interrupted half way


def damage_overwritten(video: Path) -> None:
    video.write_bytes(b"<html>this is not a video</html>" * 100)


def damage_empty(video: Path) -> None:
    video.write_bytes(b"")


@pytest.mark.parametrize(
    "damage", [damage_missing, damage_truncated, damage_overwritten, damage_empty]
)
def test_a_damaged_video_is_fetched_again_from_its_job(studio: Studio, damage: object) -> None:
    before = the_take(studio)
    server_copy = studio.server / "jobs" / str(before.job_id) / "video.mp4"
    assert callable(damage)
    damage(before.path("video"))
    assert not files_intact(before)

    studio.cell("--as again")
    again = studio.shell.user_ns["again"]
    assert (again.id, again.job_id, again.status) == (before.id, before.job_id, "completed")
    assert again.path("video").read_bytes() == server_copy.read_bytes()
    assert files_intact(again)
    [bundled] = [app.state.server for app in studio.apps]
    assert bundled.stats.jobs_created == 0  # fetched again, not paid for again
    assert [t.id for t in functions.session().ledger.history(None)] == [before.id]
    assert functions.session().ledger.spent() == before.cost


def test_a_damaged_video_whose_job_is_gone_says_how_to_get_a_new_one(studio: Studio) -> None:
    before = the_take(studio)
    before.path("video").unlink()
    shutil.rmtree(studio.server / "jobs" / str(before.job_id))  # the server forgot it too

    studio.cell("--as lost")
    lost = studio.shell.user_ns["lost"]
    assert (lost.id, lost.status) == (before.id, "expired")
    assert lost.error is not None
    assert "video.mp4 is missing or damaged" in lost.error.message
    assert f"no longer has job {before.job_id}" in lost.error.message
    assert "--no-cache" in lost.error.message
    [bundled] = [app.state.server for app in studio.apps]
    assert bundled.stats.jobs_created == 0
    # The thumbnail and spritesheet that survived are kept.
    assert before.path("thumbnail").is_file() and before.path("spritesheet").is_file()

    studio.cell("--as fresh --no-cache")
    fresh = studio.shell.user_ns["fresh"]
    assert fresh.ok and fresh.id != before.id and bundled.stats.jobs_created == 1


def test_a_remix_of_an_unknown_video_names_it(studio: Studio) -> None:
    studio.cell("--remix video_0123456789abcdef0123456789abcdef --as remix", "The kite lands.")
    remix = studio.shell.user_ns["remix"]
    assert remix.status == "failed" and remix.error is not None
    assert "video_0123456789abcdef0123456789abcdef" in remix.error.message
    assert "None" not in remix.error.message


def test_a_ledger_that_breaks_while_open_says_what_to_do(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "media")
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"SQLite format 3\0" + b"\x5a" * 8000)
    # Stand-in for a file damaged on disk after it was opened (a full disk, a bad sync).
    ledger._db = sqlite3.connect(broken, check_same_thread=False)
    with pytest.raises(LedgerError, match=r"cannot be read \(.*\)\. Move it aside"):
        ledger.history()
    with pytest.raises(LedgerError, match="Move it aside"):
        ledger.spent()


def test_lost_previews_are_derived_again_from_the_video_sending_nothing(studio: Studio) -> None:
    before = the_take(studio)
    before.path("thumbnail").unlink()
    before.path("spritesheet").write_bytes(b"")
    studio.cell("--as again")
    again = studio.shell.user_ns["again"]
    assert again.cached and again.id == before.id
    assert again.path("thumbnail").read_bytes()[8:12] == b"WEBP"
    assert again.path("spritesheet").read_bytes()[:3] == b"\xff\xd8\xff"
    assert studio.requests_sent() == 0
