"""Issue 24, point 6 (files): a media folder sora_nb creates is private to its user (0700), and
the ledger and every file of a take are 0600, whatever the umask would have given."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from sora_nb.runs.grid import plan_grid
from sora_nb.runs.ledger import Ledger
from tests.research.conftest import run_grid


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems have (022), which used to leave everything readable by all."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("usual_umask")
def test_a_new_media_folder_its_ledger_and_takes_are_private(tmp_path: Path) -> None:
    studio = run_grid(tmp_path / "fresh", plan_grid("A kite over a beach at dusk", [], seconds=4))
    media_dir = tmp_path / "fresh" / "media"
    assert mode(tmp_path / "fresh") == 0o700  # made on the way: private too
    assert mode(media_dir) == 0o700
    ledgers = sorted(media_dir.glob("ledger.sqlite3*"))
    assert media_dir / "ledger.sqlite3" in ledgers
    for path in ledgers:  # the ledger, and SQLite's WAL and shared memory beside it
        assert mode(path) == 0o600, path.name
    (take,) = studio.run.takes
    files = [p for p in take.path("video").parent.iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"video.mp4", "thumbnail.webp", "spritesheet.jpg"}
    for path in files:
        assert mode(path) == 0o600, path.name
    jobs = tmp_path / "fresh" / "server" / "jobs"
    assert mode(jobs) == 0o700 and mode(jobs.parent) == 0o700
    studio.ledger.close()


@pytest.mark.usefixtures("usual_umask")
def test_a_folder_the_user_made_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    ledger = Ledger(shared)
    try:
        assert mode(shared) == 0o755  # the user's choice, not ours to change
        assert mode(shared / "ledger.sqlite3") == 0o600
    finally:
        ledger.close()
