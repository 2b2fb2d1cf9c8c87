"""Judgements: thumbs and notes per take, and pairwise "which is better" votes between takes.

Thumbs and notes live on the take's own ledger row (the grid widget writes them there too).
Pairwise votes live in a ``votes`` table this module adds to the same SQLite file, written in
short transactions so two kernels can vote into one media folder (the ledger runs in WAL mode).
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from sora_nb.runs.grid import GridRun
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.take import Take

Winner = Literal["left", "right", "tie"]
#: What ``rate`` accepts, and the ledger value each means (the grid widget uses 1 and -1).
THUMBS: dict[str | int, int] = {"up": 1, "down": -1, 1: 1, -1: -1, "+1": 1, "-1": -1}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS votes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    left_take TEXT NOT NULL,
    right_take TEXT NOT NULL,
    winner TEXT NOT NULL CHECK (winner IN ('left', 'right', 'tie')),
    note TEXT
);
CREATE INDEX IF NOT EXISTS votes_by_left ON votes(left_take);
CREATE INDEX IF NOT EXISTS votes_by_right ON votes(right_take);
"""


class JudgementError(ValueError):
    """A rating, note or vote cannot be recorded as given; the message says what to pass."""


def rate(ledger: Ledger, take: Take, rating: str | int | None) -> Take:
    """Give a take a thumbs up (``"up"`` or 1), down (``"down"`` or -1), or clear it (None)."""
    if rating is None:
        value = None
    elif rating in THUMBS:
        value = THUMBS[rating]
    else:
        raise JudgementError(
            f"A rating is 'up' (1), 'down' (-1) or None to clear it; got {rating!r}."
        )
    ledger.update(take.id, rating=value)
    take.update(rating=value)
    return take


def annotate(ledger: Ledger, take: Take, note: str | None) -> Take:
    """Attach a free-text note to a take (an empty string or None clears it)."""
    text = note.strip() if note else None
    ledger.update(take.id, note=text or None)
    take.update(note=text or None)
    return take


class Vote(BaseModel):
    """One pairwise judgement: which of two takes was better, or a tie."""

    model_config = ConfigDict(frozen=True)

    id: int
    at: float
    left: str
    right: str
    winner: Winner
    note: str | None = None

    @property
    def loser(self) -> str | None:
        """The take id that lost, or None for a tie."""
        return {"left": self.right, "right": self.left}.get(self.winner)


class Votes:
    """The pairwise votes recorded in one media folder's ledger file."""

    def __init__(self, ledger: Ledger | Path | str) -> None:
        self.path = ledger.path if isinstance(ledger, Ledger) else Path(ledger)
        self._lock = threading.Lock()
        # A connection of our own: the ledger's is private, and SQLite in WAL mode lets both
        # write the file in turn.
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Votes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def record(
        self, left: Take | str, right: Take | str, winner: Winner, note: str | None = None
    ) -> Vote:
        """Record that ``left`` beat ``right`` (``winner="left"``), the reverse, or a tie."""
        a, b = _id(left), _id(right)
        if a == b:
            raise JudgementError("A vote compares two different takes; both sides are " + a)
        if winner not in ("left", "right", "tie"):
            raise JudgementError(f"winner is 'left', 'right' or 'tie'; got {winner!r}.")
        at = time.time()
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO votes (at, left_take, right_take, winner, note) VALUES (?,?,?,?,?)",
                (at, a, b, winner, note),
            )
        return Vote(id=int(cursor.lastrowid or 0), at=at, left=a, right=b, winner=winner, note=note)

    def undo(self) -> Vote | None:
        """Remove the most recent vote (a mis-click) and return it, or None if there are none."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM votes ORDER BY id DESC LIMIT 1").fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM votes WHERE id = ?", (row[0],))
        return _vote(row)

    def all(self, takes: Iterable[Take | str] | None = None) -> list[Vote]:
        """Every vote, oldest first; with ``takes``, only votes between two of those takes."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM votes ORDER BY id").fetchall()
        votes = [_vote(row) for row in rows]
        if takes is None:
            return votes
        wanted = {_id(take) for take in takes}
        return [vote for vote in votes if vote.left in wanted and vote.right in wanted]


def next_pair(run: GridRun, votes: Votes | Sequence[Vote]) -> tuple[Take, Take] | None:
    """The two completed takes from different cells compared least so far (None if < 2 cells).

    Asking about the least-compared pair first spreads a few votes over every pair, which is
    what a ranking needs; the order within a pair alternates so neither side is favoured.
    """
    done = [take for take in run.takes if take.status == "completed"]
    cell_of = {
        take.id: index for index in range(len(run.plan.cells)) for take in run.cell_takes(index)
    }
    pairs = [(a, b) for a, b in itertools.combinations(done, 2) if cell_of[a.id] != cell_of[b.id]]
    if not pairs:
        return None
    recorded = votes.all(done) if isinstance(votes, Votes) else list(votes)
    seen = Counter(frozenset((vote.left, vote.right)) for vote in recorded)
    a, b = min(pairs, key=lambda pair: seen[frozenset((pair[0].id, pair[1].id))])
    return (a, b) if seen[frozenset((a.id, b.id))] % 2 == 0 else (b, a)


def _id(take: Take | str) -> str:
    return take if isinstance(take, str) else take.id


def _vote(row: Sequence[object]) -> Vote:
    return Vote.model_validate(
        {
            "id": row[0],
            "at": row[1],
            "left": row[2],
            "right": row[3],
            "winner": row[4],
            "note": row[5],
        }
    )
