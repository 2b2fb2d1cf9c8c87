"""Modules stay small: no file in sora_nb/ or js/src/ is over 450 lines unless it is one of the
tables allowed to be long (a vocabulary is one job however many words it holds)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 450

# Data, not logic: each is a single table a reader scans, and splitting it would scatter it.
LONG_TABLES = {
    "sora_nb/prompt/vocabulary.py": "the prompt language's words, one table per clause",
}


def sources() -> list[Path]:
    files = [*(ROOT / "sora_nb").rglob("*.py"), *(ROOT / "js" / "src").rglob("*.js")]
    return sorted(f for f in files if "static" not in f.relative_to(ROOT).parts)


def test_no_module_is_over_450_lines_unless_it_is_a_table() -> None:
    long = {
        rel: n
        for f in sources()
        if (n := len(f.read_text(encoding="utf-8").splitlines())) > LIMIT
        and (rel := f.relative_to(ROOT).as_posix()) not in LONG_TABLES
    }
    assert not long, f"over {LIMIT} lines, split by job: {long}"


def test_the_allowed_tables_exist() -> None:
    # A stale entry would let a renamed file grow unchecked.
    assert sources(), "no sources found: the test is looking in the wrong place"
    for rel in LONG_TABLES:
        assert (ROOT / rel).is_file(), f"{rel} is allowed to be long but no longer exists"
