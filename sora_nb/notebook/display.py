"""What a cell shows: the plan and its cost before running, live progress, tables, results.

Everything a user typed is escaped before it reaches HTML. Live updates go to one display id
per run, so background work updates its own output and never prints into other cells.
"""

from __future__ import annotations

import html
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from sora_nb.notebook.nomath import no_math
from sora_nb.runs.grid import GridPlan, GridRun
from sora_nb.runs.take import Take


class Table:
    """Rows of records shown as an HTML table in a notebook and as text elsewhere."""

    def __init__(self, rows: Sequence[dict[str, Any]], title: str = "") -> None:
        self.rows = list(rows)
        self.title = title

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.rows[index]

    def columns(self) -> list[str]:
        names: list[str] = []
        for row in self.rows:
            names.extend(k for k in row if k not in names)
        return names

    def __repr__(self) -> str:
        cols = self.columns()
        lines = [self.title] if self.title else []
        lines.append(" | ".join(cols))
        lines.extend(" | ".join(_cell(row.get(c)) for c in cols) for row in self.rows)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        cols = self.columns()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell(row.get(c)))}</td>" for c in cols) + "</tr>"
            for row in self.rows
        )
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return no_math(f"{caption}<tr>{head}</tr>{body}", tag="table", classes="sora-nb-table")


class Text:
    """A one-line message a command returns (shown without quotes)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return self.message


def table(rows: Sequence[dict[str, Any]], title: str = "") -> Table:
    """Records as a table a notebook renders."""
    return Table(rows, title)


def text(message: str) -> Text:
    """A plain message for a notebook cell."""
    return Text(message)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _publish(bundle: dict[str, str], display_id: str | None = None, update: bool = False) -> None:
    from IPython.display import display, update_display

    if update and display_id:
        update_display(bundle, raw=True, display_id=display_id)  # type: ignore[no-untyped-call]
    else:
        display(bundle, raw=True, display_id=display_id)  # type: ignore[no-untyped-call]


def plan_summary(plan: GridPlan, session: Any) -> str:
    """The line a cell shows before running: what will be sent and what it costs."""
    estimate = session.estimate(plan.requests)
    total = len(plan.requests)
    stored = total - estimate.takes
    if not stored:
        return plan.describe()
    if not estimate.takes:
        return f"{plan.describe()}; all in the ledger already: nothing to send, $0.00"
    return (
        f"{plan.describe()}; {stored} in the ledger already, sending {estimate.takes}: "
        f"{estimate.price_text()}"
    )


def show_plan(plan: GridPlan, session: Any, *, dry_run: bool) -> None:
    """Show the count and cost before running; a dry run also shows the prompt, lint, request."""
    from sora_nb.prompt import lint, parse

    summary = plan_summary(plan, session)
    lines = [("Dry run, nothing sent: " if dry_run else "") + summary]
    if dry_run:
        first = plan.cells[0]
        request = first.requests[0]
        lines.append(
            f"Request: model={request.model} size={request.size} seconds={request.seconds}"
            f" ({first.word_count} words)"
        )
        for issue in lint(parse(first.prompt), seconds=request.seconds):
            lines.append(f"Lint: {issue}")
        lines.append("Prompt:\n" + first.prompt)
    plain = "\n".join(lines)
    body = "<br>".join(html.escape(line).replace("\n", "<br>") for line in lines)
    # The plan line is where prices show ("about $3.60 ... $0.00"): never typeset as maths.
    _publish({"text/plain": plain, "text/html": no_math(body, classes="sora-nb-plan")})


#: The grid widgets on show, by the id of their run, so metrics can reach them later (and a
#: run shown again reuses its grid).
_grids: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
#: The players on show, by the id of their take: showing a take again adds a view of the same
#: player instead of another player following the take for as long as the kernel runs.
_players: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()


def show_metrics(run: GridRun, summaries: dict[str, str]) -> None:
    """Put a metrics line (by take id) under each cell of the grids showing ``run``."""
    grid = _grids.get(id(run))
    if grid is not None:
        grid.show_metrics(summaries)


def _open(widget: Any) -> bool:
    return widget is not None and getattr(widget, "comm", None) is not None


def widget_for(result: Take | GridRun, session: Any = None) -> Any:
    """The widget that shows a result: a Player for one take, a Grid for several.

    The widget follows its takes while they run; grid ratings and notes go to the ledger. A
    result shown again gets its open widget back (one more view of it), so displaying a take a
    hundred times leaves one widget following it, not a hundred.
    """
    from sora_nb.notebook.widgets import Grid, Player

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
    if same and _open(shown):
        return shown
    if run.plan.axes:
        grid = Grid.from_run(run)
    else:
        grid = Grid(run.takes, labels=[f"take {t.request.take}" for t in run.takes])
    if session is not None:
        ledger = session.ledger

        def save(index: int, take_id: str, rating: int | None, note: str) -> None:
            ledger.update(take_id, rating=rating, note=note or None)
            grid.takes[index].update(rating=rating, note=note or None)

        grid.on_rate(save)
    _grids[id(run)] = grid
    return grid


class LiveView:
    """A run's widget, displayed once, refreshed once when every take is final.

    The refresh matters for notebooks saved without widget state (nbconvert, GitHub): their
    static fallback then shows the finished takes rather than "queued".
    """

    def __init__(self, run: GridRun, session: Any = None) -> None:
        import threading

        from IPython.display import display

        single = not run.plan.axes and len(run.takes) == 1
        self.run = run
        self.widget = widget_for(run.takes[0] if single else run, session)
        self._lock = threading.Lock()
        # Takes all final already (from the ledger): the first display is the final one, and
        # refreshing it would only make the front end build the widget's view twice.
        self._refreshed = all(take.done for take in run.takes)
        self._unfollow: list[Callable[[], None]] = []
        self._handle = display(self.widget, display_id=True)  # type: ignore[no-untyped-call]
        if not self._refreshed:
            self._unfollow = [take.on_change(self._changed) for take in run.takes]
        self.finish()

    def _changed(self, _take: Take) -> None:
        self.finish()

    def finish(self) -> None:
        """Refresh the output with the final state, once, as soon as every take is final."""
        if self._handle is None or not all(take.done for take in self.run.takes):
            return
        with self._lock:
            if not self._refreshed:
                self._refreshed = True
                self._handle.update(self.widget)
            # Refreshed once: nothing more to follow.
            for unfollow in self._unfollow:
                unfollow()
            self._unfollow = []


def show_run(run: GridRun, session: Any = None) -> LiveView:
    """Display the widget for a run now, so it shows progress live as the takes run."""
    return LiveView(run, session)
