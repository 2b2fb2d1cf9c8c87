"""What a cell shows: the plan and its cost before running, live progress, tables, results.

Everything a user typed is escaped before it reaches HTML. Live updates go to one display id
per run, so background work updates its own output and never prints into other cells.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Sequence
from typing import Any

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
        return f"<table class='sora-nb-table'>{caption}<tr>{head}</tr>{body}</table>"


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
    _publish({"text/plain": plain, "text/html": f"<div class='sora-nb-plan'>{body}</div>"})


def status_line(take: Take) -> str:
    """One take's state in words: status, progress, elapsed time and cost."""
    cost = "cost unknown" if take.estimated_cost is None else f"~${take.estimated_cost:.2f}"
    if take.cached:
        return f"{take.id}: from the ledger (nothing sent)"
    if take.status == "completed":
        return f"{take.id}: completed in {take.elapsed:.1f} s, {cost}"
    if take.error is not None:
        return f"{take.id}: {take.status}: {take.error.message}"
    return f"{take.id}: {take.status} {take.progress}% after {take.elapsed:.0f} s, {cost}"


def show_run(run: GridRun) -> Any:
    """Show a run's progress in place as it goes; the player or grid once takes are ready."""
    display_id = f"sora-nb-{id(run)}-{time.monotonic_ns()}"
    lock = threading.Lock()

    def bundle() -> dict[str, str]:
        lines = [status_line(take) for take in run.takes]
        body = "<br>".join(html.escape(line) for line in lines)
        return {"text/plain": "\n".join(lines), "text/html": f"<div>{body}</div>"}

    def refresh(_: Take) -> None:
        with lock:
            _publish(bundle(), display_id, update=True)

    _publish(bundle(), display_id)
    for take in run.takes:
        take.on_change(refresh)
    return None
