"""Judgements: thumbs and notes per take, and pairwise "which is better" votes between takes.

Thumbs and notes live on the take's own ledger row (the grid widget writes them there too).
Pairwise votes live in a ``votes`` table this module adds to the same SQLite file, written in
short transactions so two kernels can vote into one media folder (the ledger runs in WAL mode).
"""

from __future__ import annotations

import hashlib
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
    note TEXT,
    seed INTEGER,
    blind INTEGER
);
CREATE INDEX IF NOT EXISTS votes_by_left ON votes(left_take);
CREATE INDEX IF NOT EXISTS votes_by_right ON votes(right_take);
"""
#: Columns added since the first votes table (a folder voted in before keeps its votes).
_ADDED = {"seed": "INTEGER", "blind": "INTEGER"}


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
    #: The judging round's seed, which chose the sides (None: sides not drawn, or an old vote).
    seed: int | None = None
    #: Whether the judge saw the pair blind (no prompts, labels or captions); None: not said.
    blind: bool | None = None

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
        have = {row[1] for row in self._db.execute("PRAGMA table_info(votes)")}
        for column, kind in _ADDED.items():
            if column not in have:
                self._db.execute(f"ALTER TABLE votes ADD COLUMN {column} {kind}")

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
        self,
        left: Take | str,
        right: Take | str,
        winner: Winner,
        note: str | None = None,
        *,
        seed: int | None = None,
        blind: bool | None = None,
    ) -> Vote:
        """Record that ``left`` beat ``right`` (``winner="left"``), the reverse, or a tie.

        ``left`` and ``right`` are the sides as the judge saw them; ``seed`` (the round's, which
        drew the sides) and ``blind`` are kept with the vote so a round can be replayed.
        """
        a, b = _id(left), _id(right)
        if a == b:
            raise JudgementError("A vote compares two different takes; both sides are " + a)
        if winner not in ("left", "right", "tie"):
            raise JudgementError(f"winner is 'left', 'right' or 'tie'; got {winner!r}.")
        at = time.time()
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO votes (at, left_take, right_take, winner, note, seed, blind)"
                " VALUES (?,?,?,?,?,?,?)",
                (at, a, b, winner, note, seed, None if blind is None else int(blind)),
            )
        return Vote(
            id=int(cursor.lastrowid or 0),
            at=at,
            left=a,
            right=b,
            winner=winner,
            note=note,
            seed=seed,
            blind=blind,
        )

    def undo(self) -> Vote | None:
        """Remove the most recent vote (a mis-click) and return it, or None if there are none."""
        with self._tx() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM votes ORDER BY id DESC LIMIT 1").fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM votes WHERE id = ?", (row[0],))
        return _vote(row)

    def all(self, takes: Iterable[Take | str] | None = None) -> list[Vote]:
        """Every vote, oldest first; with ``takes``, only votes between two of those takes."""
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM votes ORDER BY id").fetchall()
        votes = [_vote(row) for row in rows]
        if takes is None:
            return votes
        wanted = {_id(take) for take in takes}
        return [vote for vote in votes if vote.left in wanted and vote.right in wanted]


def next_pair(
    run: GridRun, votes: Votes | Sequence[Vote], *, seed: int | None = None
) -> tuple[Take, Take] | None:
    """The two completed takes from different cells compared least so far (None if < 2 cells).

    Asking about the least-compared pair first spreads a few votes over every pair, which is
    what a ranking needs. Which take goes on the left alternates; with ``seed`` it is drawn at
    random instead, the same draw for the same seed, pair and number of earlier votes on it,
    so a judging round can be replayed side for side.
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
    times = seen[frozenset((a.id, b.id))]
    if seed is None:
        return (a, b) if times % 2 == 0 else (b, a)
    return (b, a) if side_swapped(seed, a.id, b.id, times) else (a, b)


def side_swapped(seed: int, a: str, b: str, times: int) -> bool:
    """Whether ``b`` goes on the left at the pair's ``times``-th showing in round ``seed``: a
    hashed coin, so it depends on nothing but its arguments (not on their order)."""
    first, second = sorted((a, b))
    digest = hashlib.sha256(f"{seed}:{first}:{second}:{times}".encode()).digest()
    return bool(digest[0] & 1) != (first != a)


def _id(take: Take | str) -> str:
    return take if isinstance(take, str) else take.id


_COLUMNS = "id, at, left_take, right_take, winner, note, seed, blind"


def _vote(row: Sequence[object]) -> Vote:
    return Vote.model_validate(
        {
            "id": row[0],
            "at": row[1],
            "left": row[2],
            "right": row[3],
            "winner": row[4],
            "note": row[5],
            "seed": row[6],
            "blind": None if row[7] is None else bool(row[7]),
        }
    )
