"""Rankings from pairwise votes: Bradley-Terry (the default) and Elo, per take, cell or axis value.

Bradley-Terry fits one strength per variant so that P(a beats b) = s_a / (s_a + s_b), using all
votes at once (the order they were cast does not matter), by Hunter's (2004) MM iteration. A tie
counts half a win each way. A weak prior (one virtual win and one virtual loss against an
average opponent) keeps a variant that won or lost every vote at a finite strength.

Elo is offered for people who know it; it depends on the order of the votes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from sora_nb.research.judgements import Vote
from sora_nb.runs.grid import GridError, GridRun

if TYPE_CHECKING:  # pragma: no cover - annotations only; pandas loads when a table is made
    import pandas as pd

#: One comparison: (a, b, a's score) with 1 a win for a, 0 a loss and 0.5 a tie.
Outcome = tuple[str, str, float]
Method = Literal["bradley-terry", "elo"]
ELO_BASE = 1500.0
ELO_K = 32.0


class Ranked(BaseModel):
    """One variant's place in a ranking, with the votes behind it."""

    model_config = ConfigDict(frozen=True)

    rank: int
    name: str
    #: Bradley-Terry: strength relative to the geometric mean (1.0 = average); Elo: rating.
    score: float
    #: The score on Elo's scale (1500 = average, +400 = ten times the odds of winning).
    rating: float
    wins: float
    losses: float
    ties: int
    comparisons: int


def bradley_terry(
    outcomes: Iterable[Outcome],
    items: Iterable[str] = (),
    *,
    prior: float = 1.0,
    iterations: int = 1000,
    tolerance: float = 1e-10,
) -> dict[str, float]:
    """Fit Bradley-Terry strengths (geometric mean 1) to pairwise outcomes."""
    wins: dict[str, float] = defaultdict(float)
    games: dict[tuple[str, str], float] = defaultdict(float)
    names = list(dict.fromkeys(items))
    for a, b, score in outcomes:
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"an outcome's score is 0, 0.5 or 1 (or between); got {score}")
        for name in (a, b):
            if name not in names:
                names.append(name)
        wins[a] += score
        wins[b] += 1.0 - score
        games[(a, b)] += 1.0
        games[(b, a)] += 1.0
    if not names:
        return {}
    opponents: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (a, b), n in games.items():
        opponents[a].append((b, n))
    strength = dict.fromkeys(names, 1.0)
    for _ in range(iterations):
        updated: dict[str, float] = {}
        for name in names:
            # The prior: `prior` wins and `prior` losses against a fixed opponent of strength 1.
            won = wins[name] + prior
            denominator = 2 * prior / (strength[name] + 1.0)
            for other, n in opponents[name]:
                denominator += n / (strength[name] + strength[other])
            updated[name] = won / denominator if denominator > 0 else 1.0
        change = max(abs(math.log(updated[n] / strength[n])) for n in names)
        strength = updated
        if change < tolerance:
            break
    mean_log = sum(math.log(s) for s in strength.values()) / len(strength)
    return {name: math.exp(math.log(s) - mean_log) for name, s in strength.items()}


def elo(
    outcomes: Iterable[Outcome], items: Iterable[str] = (), *, k: float = ELO_K
) -> dict[str, float]:
    """Elo ratings after playing the outcomes in order, everyone starting at 1500."""
    ratings = dict.fromkeys(items, ELO_BASE)
    for a, b, score in outcomes:
        ra, rb = ratings.setdefault(a, ELO_BASE), ratings.setdefault(b, ELO_BASE)
        expected = 1.0 / (1.0 + 10 ** ((rb - ra) / 400))
        ratings[a] = ra + k * (score - expected)
        ratings[b] = rb - k * (score - expected)
    return ratings


def rank(
    votes: Sequence[Vote],
    group: Callable[[str], str | None] = lambda take_id: take_id,
    *,
    items: Iterable[str] = (),
    method: Method = "bradley-terry",
) -> list[Ranked]:
    """Rank the groups that takes belong to (``group(take_id)``) from the votes between them.

    A vote between two takes of the same group says nothing about the groups and is skipped,
    as is a vote about a take ``group`` maps to None.
    """
    outcomes: list[Outcome] = []
    for vote in votes:
        a, b = group(vote.left), group(vote.right)
        if a is None or b is None or a == b:
            continue
        outcomes.append((a, b, {"left": 1.0, "right": 0.0, "tie": 0.5}[vote.winner]))
    names = list(dict.fromkeys(items))
    if method == "bradley-terry":
        scores = bradley_terry(outcomes, names)
        ratings = {n: ELO_BASE + 400 * math.log10(s) for n, s in scores.items()}
    elif method == "elo":
        ratings = elo(outcomes, names)
        scores = ratings
    else:
        raise ValueError(f"method is 'bradley-terry' or 'elo', not {method!r}")
    tally: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for a, b, score in outcomes:
        for name, mine in ((a, score), (b, 1.0 - score)):
            row = tally[name]
            row[0] += mine if mine != 0.5 else 0.0
            row[1] += 1.0 - mine if mine != 0.5 else 0.0
            row[2] += 1.0 if mine == 0.5 else 0.0
            row[3] += 1.0
    order = sorted(scores, key=lambda n: (-scores[n], n))
    return [
        Ranked(
            rank=place,
            name=name,
            score=round(scores[name], 4),
            rating=round(ratings[name], 1),
            wins=tally[name][0],
            losses=tally[name][1],
            ties=int(tally[name][2]),
            comparisons=int(tally[name][3]),
        )
        for place, name in enumerate(order, start=1)
    ]


def rank_cells(
    run: GridRun, votes: Sequence[Vote], *, method: Method = "bradley-terry"
) -> list[Ranked]:
    """Rank a grid's cells (named by their axis values, like ``short · orbit``) from the votes."""
    names = [_cell_name(run, index) for index in range(len(run.plan.cells))]
    owner = {
        take.id: names[index]
        for index in range(len(run.plan.cells))
        for take in run.cell_takes(index)
    }
    return rank(votes, owner.get, items=names, method=method)


def rank_axis(
    run: GridRun, votes: Sequence[Vote], axis: str, *, method: Method = "bradley-terry"
) -> list[Ranked]:
    """Rank the values of one axis (short against long, say) from votes across its values.

    A vote between two cells that differ on other axes too still counts for this one: with
    votes spread over the grid (see ``next_pair``) the other axes even out.
    """
    found = next((a for a in run.plan.axes if a.name == axis), None)
    if found is None:
        known = ", ".join(a.name for a in run.plan.axes) or "none"
        raise GridError(f"This grid has no axis {axis!r}; its axes are: {known}.")
    owner = {
        take.id: cell.labels[axis] for cell in run.plan.cells for take in run.cell_takes(cell.index)
    }
    return rank(votes, owner.get, items=found.values, method=method)


def _cell_name(run: GridRun, index: int) -> str:
    labels = run.plan.cells[index].labels
    return " · ".join(labels.values()) if labels else f"cell {index + 1}"


#: The columns of a rankings table, in order.
RANKING_COLUMNS = ("by", "rank", "name", "score", "rating", "wins", "losses", "ties", "comparisons")


def rankings(
    run: GridRun, votes: Sequence[Vote], *, method: Method = "bradley-terry"
) -> pd.DataFrame:
    """Every axis's ranking, then the cells', as one tidy pandas DataFrame.

    One row per ranked variant: ``by`` (the axis name, or ``cell``), ``rank``, ``name``,
    ``score``, ``rating``, ``wins``, ``losses``, ``ties`` and ``comparisons``.
    """
    import pandas as pd

    rows: list[dict[str, object]] = []
    for axis in run.plan.axes:
        ranked = rank_axis(run, votes, axis.name, method=method)
        rows.extend({"by": axis.name, **r.model_dump()} for r in ranked)
    rows.extend({"by": "cell", **r.model_dump()} for r in rank_cells(run, votes, method=method))
    return pd.DataFrame(rows, columns=list(RANKING_COLUMNS))
