"""The widget that shows a result: a Player for one take, a Grid for a run, wired to its ledger.

The Studio shows its results with it, and so do the notebook's display functions above.
"""

from __future__ import annotations

import weakref
from typing import Any

from sora_nb.notebook.widgets.grid import Grid
from sora_nb.notebook.widgets.player import Player
from sora_nb.runs.grid import GridRun
from sora_nb.runs.take import Take

#: The grid widgets on show, by the id of their run, so metrics can reach them later (and a
#: run shown again reuses its grid).
_grids: weakref.WeakValueDictionary[int, Grid] = weakref.WeakValueDictionary()
#: The players on show, by the id of their take: showing a take again adds a view of the same
#: player instead of another player following the take for as long as the kernel runs.
_players: weakref.WeakValueDictionary[int, Player] = weakref.WeakValueDictionary()


def _open(widget: Any) -> bool:
    return getattr(widget, "comm", None) is not None


def widget_for(result: Take | GridRun, session: Any = None) -> Player | Grid:
    """The widget that shows a result: a Player for one take, a Grid for several.

    The widget follows its takes while they run; grid ratings and notes go to the ledger. A
    result shown again gets its open widget back (one more view of it), so displaying a take a
    hundred times leaves one widget following it, not a hundred.
    """
    if isinstance(result, Take):
        player = _players.get(id(result))
        if player is not None and _open(player) and player.take is result:
            return player
        player = Player.from_take(result, session=session)
        _players[id(result)] = player
        return player
    run = result
    shown = _grids.get(id(run))
    same = shown is not None and [id(t) for t in shown.takes] == [id(t) for t in run.takes]
    if shown is not None and same and _open(shown):
        return shown
    if run.plan.axes:
        grid = Grid.from_run(run)
    else:
        grid = Grid(run.takes, labels=[f"take {t.request.take}" for t in run.takes])
    if session is not None:
        ledger = session.ledger

        def save(index: int, take_id: str, rating: int | None, note: str) -> None:
            ledger.update(take_id, rating=rating, note=note or None)
            # The grid's own order (takes run down its rows), not the run's.
            grid.takes[index].update(rating=rating, note=note or None)

        grid.on_rate(save)
    _grids[id(run)] = grid
    return grid


def show_metrics(run: GridRun, summaries: dict[str, str]) -> None:
    """Put a metrics line (by take id) under each cell of the grid showing ``run``."""
    grid = _grids.get(id(run))
    if grid is not None:
        grid.show_metrics(summaries)
