"""Rankings from pairwise votes: Bradley-Terry (the default) and Elo, per take, cell or axis value.

Bradley-Terry fits one strength per variant so that P(a beats b) = s_a / (s_a + s_b), using all
votes at once (the order they were cast does not matter), by Hunter's (2004) MM iteration. A tie
counts half a win each way. A weak prior (one virtual win and one virtual loss against an
average opponent) keeps a variant that won or lost every vote at a finite strength.

Each Bradley-Terry strength comes with a 95% interval from the fit's own curvature (the
inverse of the observed information at the fit, prior included), and each place in a ranking
says whether it is clear of the next: when the interval of the difference between two
neighbours spans zero there are too few votes to separate them, and the ranking says so.

Elo is offered for people who know it; it depends on the order of the votes and has no
interval here.
"""

from __future__ import annotations

import itertools
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
#: Two-sided 95%: the half-width of an interval in standard errors.
Z95 = 1.959964


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
    #: How many votes this figure rests on.
    comparisons: int
    #: The score's 95% interval (Bradley-Terry only; None for Elo).
    low: float | None = None
    high: float | None = None
    #: Whether the votes put this variant above the next one in the ranking with 95%
    #: confidence (False: too few votes to separate them; None for the last, or for Elo).
    clear_of_next: bool | None = None


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


def bradley_terry_covariance(
    outcomes: Iterable[Outcome],
    strengths: dict[str, float],
    *,
    prior: float = 1.0,
) -> list[list[float]]:
    """The covariance of the log strengths at a fit (rows in ``strengths``' order): the
    inverse of the observed information, prior included, so it is finite with no votes."""
    import numpy as np

    names = list(strengths)
    where = {name: i for i, name in enumerate(names)}
    theta = np.log(np.array([strengths[n] for n in names], dtype=float))
    info = np.zeros((len(names), len(names)))
    for i, t in enumerate(theta):
        p = 1.0 / (1.0 + math.exp(-t))  # the prior's games against a fixed opponent of 1
        info[i, i] += 2 * prior * p * (1 - p)
    for a, b, _score in outcomes:
        i, j = where[a], where[b]
        p = 1.0 / (1.0 + math.exp(theta[j] - theta[i]))
        w = p * (1 - p)
        info[i, i] += w
        info[j, j] += w
        info[i, j] -= w
        info[j, i] -= w
    return [list(row) for row in np.linalg.inv(info)] if names else []


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
    bounds: dict[str, tuple[float | None, float | None]] = {}
    clear: dict[tuple[str, str], bool] = {}
    if method == "bradley-terry":
        scores = bradley_terry(outcomes, names)
        ratings = {n: ELO_BASE + 400 * math.log10(s) for n, s in scores.items()}
        bounds, clear = _intervals(outcomes, scores)
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
    following = dict(itertools.pairwise(order))
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
            low=bounds.get(name, (None, None))[0],
            high=bounds.get(name, (None, None))[1],
            clear_of_next=clear.get((name, following[name])) if name in following else None,
        )
        for place, name in enumerate(order, start=1)
    ]


def _intervals(
    outcomes: Sequence[Outcome], scores: dict[str, float]
) -> tuple[dict[str, tuple[float | None, float | None]], dict[tuple[str, str], bool]]:
    """Each score's 95% interval, and for every ordered pair whether the first is above the
    second with 95% confidence (the interval of their log-strength difference is above 0)."""
    if not scores:
        return {}, {}
    cov = bradley_terry_covariance(outcomes, scores)
    names = list(scores)
    n = len(names)
    bounds: dict[str, tuple[float | None, float | None]] = {}
    for i, name in enumerate(names):
        # The score is relative to the geometric mean: its variance includes the mean's.
        centre = [(1.0 if k == i else 0.0) - 1.0 / n for k in range(n)]
        var = sum(centre[a] * cov[a][b] * centre[b] for a in range(n) for b in range(n))
        spread = Z95 * math.sqrt(max(var, 0.0))
        log_score = math.log(scores[name])
        low, high = math.exp(log_score - spread), math.exp(log_score + spread)
        bounds[name] = (round(low, 4), round(high, 4))
    clear: dict[tuple[str, str], bool] = {}
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i != j:
                var = cov[i][i] + cov[j][j] - 2 * cov[i][j]
                gap = math.log(scores[a]) - math.log(scores[b])
                clear[(a, b)] = gap - Z95 * math.sqrt(max(var, 0.0)) > 0
    return bounds, clear


def separation_text(ranked: Sequence[Ranked]) -> str:
    """A ranking in words, honest about its votes: ``long > short`` where the votes separate
    two neighbours, ``long ≈ short`` where they do not, then each score with its 95% interval
    and the votes behind it, and a plain note when some neighbours cannot be told apart."""
    if not ranked:
        return "nothing to rank"
    order = ranked[0].name
    unclear = []
    for upper, lower in itertools.pairwise(ranked):
        sign = ">" if upper.clear_of_next else "≈"
        order += f" {sign} {lower.name}"
        if not upper.clear_of_next:
            unclear.append(f"{upper.name} from {lower.name}")
    figures = "; ".join(_figure(r) for r in ranked)
    note = f"; too few votes to separate {', '.join(unclear)}" if unclear else ""
    return f"{order} ({figures}{note})"


def _figure(r: Ranked) -> str:
    votes = f"{r.comparisons} vote" + ("" if r.comparisons == 1 else "s")
    if r.low is None or r.high is None:
        return f"{r.name} {r.score:g}, {votes}"
    return f"{r.name} {r.score:.2g} [95% {r.low:.2g}–{r.high:.2g}], {votes}"


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
RANKING_COLUMNS = (
    "by",
    "rank",
    "name",
    "score",
    "low",
    "high",
    "clear_of_next",
    "rating",
    "wins",
    "losses",
    "ties",
    "comparisons",
)


def rankings(
    run: GridRun, votes: Sequence[Vote], *, method: Method = "bradley-terry"
) -> pd.DataFrame:
    """Every axis's ranking, then the cells', as one tidy pandas DataFrame.

    One row per ranked variant: ``by`` (the axis name, or ``cell``), ``rank``, ``name``,
    ``score`` with its 95% interval ``low``..``high``, ``clear_of_next`` (False: too few votes
    to put it above the next row), ``rating``, ``wins``, ``losses``, ``ties`` and
    ``comparisons`` (the votes the row rests on).
    """
    import pandas as pd

    rows: list[dict[str, object]] = []
    for axis in run.plan.axes:
        ranked = rank_axis(run, votes, axis.name, method=method)
        rows.extend({"by": axis.name, **r.model_dump()} for r in ranked)
    rows.extend({"by": "cell", **r.model_dump()} for r in rank_cells(run, votes, method=method))
    return pd.DataFrame(rows, columns=list(RANKING_COLUMNS))
