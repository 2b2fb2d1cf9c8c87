"""Which is better? Two takes from different cells side by side, one vote, then the next pair.

Votes go to the ledger's ``votes`` table; the ranking of every axis value (short versus long,
say) is recomputed after each vote, Bradley–Terry style, and shown as plain text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets

from sora_nb.notebook.widgets import Player
from sora_nb.research.judgements import Votes, next_pair
from sora_nb.research.ranking import Method, rank_axis, rank_cells, rankings
from sora_nb.runs.grid import GridRun
from sora_nb.runs.take import Take

if TYPE_CHECKING:  # pragma: no cover - annotations only; pandas loads when a table is made
    import pandas as pd


class PairwiseJudge(ipywidgets.VBox):  # type: ignore[misc]
    """Ask "which is better?" about the least-compared pair of cells of a grid run, repeatedly.

    ``judge.vote("left" | "right" | "tie")`` does what the buttons do, for scripts and tests.
    """

    def __init__(self, run: GridRun, votes: Votes) -> None:
        self.run = run
        self.votes = votes
        self.pair: tuple[Take, Take] | None = None
        self.question = ipywidgets.Label()
        self.players = ipywidgets.HBox()
        self.standings = ipywidgets.Label()
        buttons = []
        for text, winner in (
            ("◀ Left is better", "left"),
            ("Tie", "tie"),
            ("Right is better ▶", "right"),
        ):
            button = ipywidgets.Button(description=text)
            button.on_click(lambda _b, w=winner: self.vote(w))
            buttons.append(button)
        undo = ipywidgets.Button(description="Undo last vote")
        undo.on_click(lambda _b: self.undo())
        super().__init__(
            [self.question, self.players, ipywidgets.HBox([*buttons, undo]), self.standings]
        )
        self._next()

    def vote(self, winner: str) -> None:
        """Record the shown pair's winner (``left``, ``right`` or ``tie``) and show the next."""
        if self.pair is None:
            return
        left, right = self.pair
        self.votes.record(left, right, winner)  # type: ignore[arg-type]
        self._next()

    def undo(self) -> None:
        """Take back the most recent vote."""
        self.votes.undo()
        self._next()

    def rankings(self, *, method: Method = "bradley-terry") -> pd.DataFrame:
        """The votes so far ranked per axis value and per cell, as a pandas DataFrame."""
        return rankings(self.run, self.votes.all(self.run.takes), method=method)

    def standings_text(self) -> str:
        """The current ranking: per axis value when the grid has axes, else per cell."""
        recorded = self.votes.all(self.run.takes)
        if not recorded:
            return "No votes yet."
        lines = []
        for axis in self.run.plan.axes:
            ranked = rank_axis(self.run, recorded, axis.name)
            lines.append(f"{axis.name}: " + " > ".join(r.name for r in ranked))
        if not lines:
            lines.append(" > ".join(r.name for r in rank_cells(self.run, recorded)))
        return f"{len(recorded)} votes. " + "; ".join(lines)

    def _next(self) -> None:
        self.pair = next_pair(self.run, self.votes)
        if self.pair is None:
            self.question.value = "Pairwise votes need at least two completed cells."
            self.players.children = ()
        else:
            left, right = self.pair
            self.question.value = (
                f"Which is better? {_where(self.run, left)} or {_where(self.run, right)}"
            )
            self.players.children = (Player.from_take(left), Player.from_take(right))
        self.standings.value = self.standings_text()


def _where(run: GridRun, take: Take) -> str:
    for cell in run.plan.cells:
        if any(t is take for t in run.cell_takes(cell.index)):
            labels = ", ".join(f"{k}={v}" for k, v in cell.labels.items())
            return f"({labels or 'cell ' + str(cell.index + 1)}, take {take.request.take})"
    return f"({take.id})"


def judge(run: GridRun, ledger: Any) -> PairwiseJudge:
    """A pairwise-vote widget for ``run`` whose votes are kept in ``ledger``'s media folder."""
    return PairwiseJudge(run, Votes(ledger))
