"""Thumbs, notes and pairwise votes on real takes, kept in the media folder's ledger file."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from sora_nb.research.judgements import JudgementError, Vote, Votes, annotate, next_pair, rate
from sora_nb.research.ranking import rank_axis, rank_cells
from sora_nb.runs.grid import GridError
from sora_nb.runs.ledger import Ledger
from tests.research.conftest import Studio


def test_thumbs_and_notes_reach_the_ledger_and_survive_a_reopen(studio: Studio) -> None:
    first, second = studio.run.takes[:2]
    rate(studio.ledger, first, "up")
    rate(studio.ledger, second, -1)
    annotate(studio.ledger, first, "  nice light <b>really</b> ")
    assert first.rating == 1 and first.note == "nice light <b>really</b>"
    reopened = Ledger(studio.ledger.media_dir)
    try:
        again = reopened.get(first.id)
        assert again is not None and again.rating == 1 and again.note == first.note
        assert (got := reopened.get(second.id)) is not None and got.rating == -1
    finally:
        reopened.close()
    rate(studio.ledger, first, None)
    annotate(studio.ledger, first, "")
    assert first.rating is None and first.note is None
    with pytest.raises(JudgementError, match="'up'"):
        rate(studio.ledger, first, 5)


def test_votes_persist_in_the_ledger_file_and_undo_removes_the_last(studio: Studio) -> None:
    a, b, c = studio.run.takes[:3]
    with Votes(studio.ledger) as votes:
        start = len(votes.all())
        votes.record(a, b, "left")
        votes.record(b.id, c.id, "tie", note="both fine")
    # A second connection (another kernel, say) sees them and adds its own.
    with Votes(studio.ledger.path) as other:
        assert [v.winner for v in other.all()[start:]] == ["left", "tie"]
        mistake = other.record(c, a, "right")
        assert mistake.loser == c.id
        assert other.undo() == mistake
        assert len(other.all()) == start + 2
        assert all({v.left, v.right} <= {a.id, b.id, c.id} for v in other.all([a, b, c])[-2:])
    with Votes(studio.ledger) as votes, pytest.raises(JudgementError, match="two different"):
        votes.record(a, a, "left")


def test_next_pair_asks_about_every_pair_of_cells_before_repeating_one(studio: Studio) -> None:
    asked: list[frozenset[str]] = []
    votes: list[Vote] = []

    for i in range(6):
        pair = next_pair(studio.run, votes)
        assert pair is not None
        left, right = pair
        asked.append(frozenset((left.id, right.id)))
        votes.append(Vote(id=i, at=i, left=left.id, right=right.id, winner="left"))
    every = {frozenset((a.id, b.id)) for a, b in itertools.combinations(studio.run.takes, 2)}
    assert set(asked) == every and len(asked) == 6


def test_votes_rank_the_length_axis_and_the_cells(studio: Studio, tmp_path: Path) -> None:
    # A voter who always prefers the long prompt, and among equals prefers dusk.
    def preference(labels: dict[str, str]) -> tuple[bool, bool]:
        return (labels["length"] == "long", labels["sr"] == "dusk")

    takes = studio.run.takes
    labels = {t.id: c.labels for c in studio.run.plan.cells for t in studio.run.cell_takes(c.index)}
    with Votes(tmp_path / "votes.sqlite3") as votes:
        for _ in range(3):
            for a, b in itertools.combinations(takes, 2):
                la, lb = labels[a.id], labels[b.id]
                better_a = preference(la) > preference(lb)
                votes.record(a, b, "left" if better_a else "right")
        recorded = votes.all()
    by_length = rank_axis(studio.run, recorded, "length")
    assert [r.name for r in by_length] == ["long", "short"]
    assert by_length[0].wins > by_length[0].losses
    cells = rank_cells(studio.run, recorded)
    assert [r.name for r in cells] == ["long · dusk", "long · noon", "short · dusk", "short · noon"]
    with pytest.raises(GridError, match="length, sr"):
        rank_axis(studio.run, recorded, "camera")


def test_a_seed_draws_the_sides_the_same_way_each_time_and_votes_keep_it(studio: Studio) -> None:
    from sora_nb.research.judgements import side_swapped

    draws = [side_swapped(7, "take_a", "take_b", n) for n in range(40)]
    assert draws == [side_swapped(7, "take_a", "take_b", n) for n in range(40)]
    # The coin does not depend on the order the pair is named in, and is not always one side.
    assert [not d for d in draws] == [side_swapped(7, "take_b", "take_a", n) for n in range(40)]
    assert 5 < sum(draws) < 35
    assert draws != [side_swapped(8, "take_a", "take_b", n) for n in range(40)]
    with Votes(studio.ledger) as votes:
        first = next_pair(studio.run, votes, seed=7)
        assert first is not None and first == next_pair(studio.run, votes, seed=7)
        left, right = first
        vote = votes.record(left, right, "left", seed=7, blind=True)
        assert (vote.seed, vote.blind) == (7, True)
        assert (votes.all()[-1].seed, votes.all()[-1].blind) == (7, True)


def test_a_votes_table_from_before_seeds_gains_the_columns_and_keeps_its_votes(
    tmp_path: Path,
) -> None:
    import sqlite3

    path = tmp_path / "ledger.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE votes (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL,"
        " left_take TEXT NOT NULL, right_take TEXT NOT NULL, winner TEXT NOT NULL, note TEXT);"
        "INSERT INTO votes (at, left_take, right_take, winner) VALUES (1.0, 'a', 'b', 'left');"
    )
    db.commit()
    db.close()
    with Votes(path) as votes:
        (old,) = votes.all()
        assert (old.left, old.winner, old.seed, old.blind) == ("a", "left", None, None)
        votes.record("b", "a", "tie", seed=3, blind=False)
        assert [(v.seed, v.blind) for v in votes.all()] == [(None, None), (3, False)]
