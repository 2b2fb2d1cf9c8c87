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

#: The grid widgets on show, by the id of their run, so metrics can reach them later.
_grids: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()


def widget_for(result: Take | GridRun, session: Any = None) -> Player | Grid:
    """The widget that shows a result: a Player for one take, a Grid for several.

    The widget follows its takes while they run; grid ratings and notes go to the ledger.
    """
    if isinstance(result, Take):
        return Player.from_take(result, session=session)
    run = result
    if run.plan.axes:
        grid = Grid.from_run(run)
    else:
        grid = Grid(run.takes, labels=[f"take {t.request.take}" for t in run.takes])
    if session is not None:
        ledger = session.ledger

        def save(index: int, take_id: str, rating: int | None, note: str) -> None:
            ledger.update(take_id, rating=rating, note=note or None)
            run.takes[index].update(rating=rating, note=note or None)

        grid.on_rate(save)
    _grids[id(run)] = grid
    return grid


def show_metrics(run: GridRun, summaries: dict[str, str]) -> None:
    """Put a metrics line (by take id) under each cell of the grid showing ``run``."""
    grid = _grids.get(id(run))
    if grid is not None:
        grid.show_metrics(summaries)
