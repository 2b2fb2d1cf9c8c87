"""Which is better? Two takes from different cells side by side, one vote, then the next pair.

Judging is blind by default: the two takes play on one shared clock (the grid's) with nothing
that tells them apart (no prompt, labels, word counts or cell names, and the bands where the
bundled animatic burns its captions covered), each on a side drawn by the round's seed. Votes
go to the ledger's ``votes`` table with the sides as shown, the seed and whether it was blind.
The ranking (Bradley-Terry, with 95% intervals) stays hidden while judging blind until asked.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets

from sora_nb.notebook.widgets import Grid
from sora_nb.research.judgements import Votes, next_pair
from sora_nb.research.ranking import Method, rank_axis, rank_cells, rankings, separation_text
from sora_nb.runs.grid import GridRun
from sora_nb.runs.request import LOCAL_SERVER
from sora_nb.runs.take import Take

if TYPE_CHECKING:  # pragma: no cover - annotations only; pandas loads when a table is made
    import pandas as pd

#: Where the bundled server's animatic burns text into its frames, as fractions of the frame's
#: height from the top and from the bottom: the shot caption ("SHOT 1/2 · WIDE · 24 mm ·
#: PUSH-IN", which gives a longer prompt away) and the "OFFLINE ANIMATIC · model · seed" mark
#: at the top (8% of the height; two rows on a narrow frame, 14%), the subtitles of spoken lines
#: (three rows: 27%) and the timecode at the bottom. tests/notebook/test_judge_bands.py checks
#: them against the renderer's own caption layout at every sora-2 size.
ANIMATIC_BANDS = (0.15, 0.3)
Cover = tuple[float, float] | Literal["auto"] | None


class PairwiseJudge(ipywidgets.VBox):  # type: ignore[misc]
    """Ask "which is better?" about the least-compared pair of cells of a grid run, repeatedly.

    ``judge.vote("left" | "right" | "tie")`` does what the buttons do, for scripts and tests;
    ``judge.seed`` replays the round's sides (``sora_nb.judge(run, seed=...)``).
    """

    def __init__(
        self,
        run: GridRun,
        votes: Votes,
        *,
        blind: bool = True,
        seed: int | None = None,
        cover: Cover = "auto",
    ) -> None:
        checked = _checked(cover)  # before anything: a widget half made fails again as it goes
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"seed is a whole number (a round's, to replay it); got {seed!r}.")
        self.run = run
        self.votes = votes
        self.blind = blind
        self.seed = seed if seed is not None else secrets.randbelow(1_000_000)
        self.cover = checked
        self.pair: tuple[Take, Take] | None = None
        self.grid: Grid | None = None
        self.question = ipywidgets.Label()
        self.view = ipywidgets.Box(layout=ipywidgets.Layout(width="100%"))
        self.standings = ipywidgets.Label()
        self._revealed = not blind
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
        self.reveal_button = ipywidgets.Button(
            description="Show the ranking",
            tooltip="The ranking so far; seeing it while judging can sway the next votes",
            layout=ipywidgets.Layout(display="" if blind else "none"),
        )
        self.reveal_button.on_click(lambda _b: self.reveal())
        row = ipywidgets.HBox([*buttons, undo, self.reveal_button])
        row.layout.flex_flow = "row wrap"
        super().__init__([self.question, self.view, row, self.standings])
        self._next()

    def vote(self, winner: str) -> None:
        """Record the shown pair's winner (``left``, ``right`` or ``tie``) and show the next."""
        if self.pair is None:
            return
        left, right = self.pair
        self.votes.record(left, right, winner, seed=self.seed, blind=self.blind)  # type: ignore[arg-type]
        self._next()

    def undo(self) -> None:
        """Take back the most recent vote."""
        self.votes.undo()
        self._next()

    def reveal(self) -> None:
        """Show the ranking under the buttons from now on (a blind round hides it at first)."""
        self._revealed = True
        self.reveal_button.layout.display = "none"
        self.standings.value = self._standings_line()

    def rankings(self, *, method: Method = "bradley-terry") -> pd.DataFrame:
        """The votes so far ranked per axis value and per cell, as a pandas DataFrame (with
        each score's 95% interval and whether it is clear of the next row)."""
        return rankings(self.run, self.votes.all(self.run.takes), method=method)

    def standings_text(self) -> str:
        """The current ranking: per axis value when the grid has axes, else per cell, each
        with its interval and votes, saying where there are too few votes to separate two."""
        recorded = self.votes.all(self.run.takes)
        if not recorded:
            return "No votes yet."
        lines = []
        for axis in self.run.plan.axes:
            ranked = rank_axis(self.run, recorded, axis.name)
            lines.append(f"{axis.name}: {separation_text(ranked)}")
        if not lines:
            lines.append(separation_text(rank_cells(self.run, recorded)))
        return f"{len(recorded)} votes. " + "; ".join(lines)

    def close(self) -> None:
        """Close the widget and the pair's players."""
        grid = getattr(self, "grid", None)  # ipywidgets also closes one whose __init__ failed
        if grid is not None:
            grid.close()
        super().close()

    def _standings_line(self) -> str:
        if self._revealed:
            return self.standings_text()
        count = len(self.votes.all(self.run.takes))
        return f"{count} vote{'' if count == 1 else 's'} so far (round seed {self.seed})."

    def _next(self) -> None:
        self.pair = next_pair(self.run, self.votes, seed=self.seed)
        if self.grid is not None:
            self.grid.close()
            self.grid = None
        if self.pair is None:
            self.question.value = "Pairwise votes need at least two completed cells."
            self.view.children = ()
        else:
            left, right = self.pair
            if self.blind:
                self.question.value = "Which is better, left or right? (Play runs both together.)"
                labels = ["Left", "Right"]
            else:
                self.question.value = (
                    f"Which is better? {_where(self.run, left)} or {_where(self.run, right)}"
                )
                labels = [f"Left {_where(self.run, left)}", f"Right {_where(self.run, right)}"]
            self.grid = Grid(
                [left, right],
                columns=2,
                labels=labels,
                blind=self.blind,
                cover=list(_bands(self.cover, self.pair)),
                layout=ipywidgets.Layout(width="100%"),
            )
            self.view.children = (self.grid,)
        self.standings.value = self._standings_line()


def _bands(cover: Cover, pair: tuple[Take, Take]) -> tuple[float, float]:
    """The caption bands to cover: "auto" covers the animatic's where either take is one."""
    if cover is None:
        return (0.0, 0.0)
    if cover == "auto":
        return ANIMATIC_BANDS if any(_animatic(take) for take in pair) else (0.0, 0.0)
    return cover


def _checked(cover: object) -> Cover:
    if cover is None or cover == "auto":
        return cover
    try:
        top, bottom = (float(x) for x in cover)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        top = bottom = -1.0
    if not (0 <= top <= 0.5 and 0 <= bottom <= 0.5):
        raise ValueError(
            "cover is 'auto', None, or (top, bottom): the fractions of the frame's height to "
            f"cover, each from 0 to 0.5; got {cover!r}."
        )
    return (top, bottom)


def _animatic(take: Take) -> bool:
    """Made by the bundled server's animatic (its open models report GPU seconds)."""
    return take.server == LOCAL_SERVER and take.gpu_seconds is None


def _where(run: GridRun, take: Take) -> str:
    for cell in run.plan.cells:
        if any(t is take for t in run.cell_takes(cell.index)):
            labels = ", ".join(f"{k}={v}" for k, v in cell.labels.items())
            return f"({labels or 'cell ' + str(cell.index + 1)}, take {take.request.take})"
    return f"({take.id})"


def judge(
    run: GridRun,
    ledger: Any,
    *,
    blind: bool = True,
    seed: int | None = None,
    cover: Cover = "auto",
) -> PairwiseJudge:
    """A pairwise-vote widget for ``run`` whose votes are kept in ``ledger``'s media folder."""
    return PairwiseJudge(run, Votes(ledger), blind=blind, seed=seed, cover=cover)
