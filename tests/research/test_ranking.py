"""Rankings recover a known order from simulated votes."""

from __future__ import annotations

import random

import pytest

from sora_nb.research.judgements import Vote
from sora_nb.research.ranking import Ranked, bradley_terry, elo, rank

STRENGTHS = {"a": 8.0, "b": 4.0, "c": 2.0, "d": 1.0, "e": 0.5}


def simulate(count: int, seed: int, tie_margin: float = 0.0) -> list[Vote]:
    """Votes between random pairs, each won with Bradley-Terry probability from STRENGTHS."""
    rng = random.Random(seed)
    names = list(STRENGTHS)
    votes = []
    for i in range(count):
        left, right = rng.sample(names, 2)
        p_left = STRENGTHS[left] / (STRENGTHS[left] + STRENGTHS[right])
        draw = rng.random()
        winner = "tie" if abs(draw - p_left) < tie_margin else "left" if draw < p_left else "right"
        votes.append(Vote(id=i, at=float(i), left=left, right=right, winner=winner))
    return votes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bradley_terry_recovers_the_true_order_and_roughly_the_strengths(seed: int) -> None:
    ranking = rank(simulate(600, seed))
    assert [r.name for r in ranking] == ["a", "b", "c", "d", "e"]
    assert [r.rank for r in ranking] == [1, 2, 3, 4, 5]
    scores = {r.name: r.score for r in ranking}
    # Neighbours are twice as strong in truth; the fit lands within a factor of about 1.5.
    for strong, weak in zip("abcd", "bcde", strict=True):
        assert 1.3 < scores[strong] / scores[weak] < 3.2
    assert sum(r.comparisons for r in ranking) == 2 * 600


def test_elo_recovers_the_true_order_too() -> None:
    ranking = rank(simulate(1500, 7), method="elo")
    assert [r.name for r in ranking] == ["a", "b", "c", "d", "e"]
    assert ranking[0].rating > 1500 > ranking[-1].rating


def test_ties_count_half_and_a_clean_sweep_stays_finite() -> None:
    ranking = rank(simulate(800, 5, tie_margin=0.05))
    assert [r.name for r in ranking] == ["a", "b", "c", "d", "e"]
    assert sum(r.ties for r in ranking) > 0
    # One variant won all its three votes: the prior keeps its strength finite, and still first.
    sweep = bradley_terry([("x", "y", 1.0)] * 3)
    assert sweep["x"] > sweep["y"] and sweep["x"] < 100


def test_votes_within_one_group_are_skipped_and_unvoted_items_sit_in_the_middle() -> None:
    votes = [
        Vote(id=1, at=1, left="t1", right="t2", winner="left"),  # both "short": skipped
        Vote(id=2, at=2, left="t1", right="t3", winner="left"),
        Vote(id=3, at=3, left="t3", right="t2", winner="right"),
    ]
    group = {"t1": "short", "t2": "short", "t3": "long"}.get
    ranking = rank(votes, group, items=["short", "long", "medium"])
    assert [r.name for r in ranking] == ["short", "medium", "long"]
    assert ranking[1].comparisons == 0 and ranking[1].score == pytest.approx(1.0, rel=0.3)
    assert ranking[0].wins == 2 and ranking[2].losses == 2


def test_elo_and_bradley_terry_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="score"):
        bradley_terry([("a", "b", 2.0)])
    assert elo([]) == {}
    assert bradley_terry([]) == {}


def test_intervals_narrow_with_votes_and_say_when_two_cannot_be_separated() -> None:
    from sora_nb.research.ranking import separation_text

    def votes(n: int, n_won: int) -> list[Vote]:
        return [
            Vote(
                id=i,
                at=0.0,
                left="long",
                right="short",
                winner="left" if i < n_won else "right",
            )
            for i in range(n)
        ]

    few = rank(votes(3, 3))
    many = rank(votes(60, 45))
    for ranking in (few, many):
        assert all(r.low is not None and r.high is not None for r in ranking)
        assert all((r.low or 0) <= r.score <= (r.high or 0) for r in ranking)

    def spread(ranking: list[Ranked]) -> float:
        (long,) = (r for r in ranking if r.name == "long")
        assert long.low is not None and long.high is not None
        return long.high / long.low

    assert spread(many) < spread(few) / 2
    # Three wins in three votes are too few to tell long from short; 45 of 60 are not.
    assert [r.clear_of_next for r in few] == [False, None]
    assert [r.clear_of_next for r in many] == [True, None]
    assert separation_text(few).startswith("long ≈ short (long ")
    assert "3 votes" in separation_text(few)
    assert separation_text(few).endswith("too few votes to separate long from short)")
    assert separation_text(many).startswith("long > short (")
    assert "too few" not in separation_text(many)
    # Elo has no interval here, and says nothing about separation.
    assert {(r.low, r.high, r.clear_of_next) for r in rank(votes(3, 3), method="elo")} == {
        (None, None, None)
    }
