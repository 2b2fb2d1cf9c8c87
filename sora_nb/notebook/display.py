"""What a cell shows: the plan and its cost before running, live progress, tables, results,
and the registration that shows a Take as a Player and a GridRun as a Grid anywhere in IPython.

Everything a user typed is escaped before it reaches HTML. Live updates go to one display id
per run, so background work updates its own output and never prints into other cells. Only the
standard library is imported at module level: ``%load_ext sora_nb`` registers the formatters
from here and must stay fast.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.runs.grid import GridPlan, GridRun
    from sora_nb.runs.session import Session
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
        from sora_nb.notebook.nomath import no_math

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


def plan_summary(plan: GridPlan, session: Any, *, cache: bool = True) -> str:
    """The line a cell shows before running: what will be sent and what it costs
    (``cache=False``: everything is sent again, nothing comes from the ledger)."""
    from sora_nb.runs.adapter_gate import apart_note

    estimate = session.estimate(plan.requests, cache=cache)
    total = len(plan.requests)
    # Counted by take: a take post-processed on the kernel is new without a render of its own.
    planned = session.runner.plan(plan.requests, cache=cache)
    stored = sum(1 for take in planned if take.cached or take.job_id is not None)
    # Only a plan with adapters asks what the server is (it was asked when planned).
    adapters = any(request.options.loras for request in plan.requests)
    note = (
        apart_note(plan.requests, session.server_info(strict=False).dialect) if adapters else None
    )
    apart = f"; {note}" if note else ""
    if not stored:
        return plan.describe(estimate) + apart
    if stored == total:
        return f"{plan.describe()}; all in the ledger already: nothing to send, $0.00{apart}"
    new = total - stored
    sending = f"sending {new}"
    if estimate.takes != new:  # some are made here, by post-processing a rendered take
        sending = f"making {new} ({estimate.takes} to render, post-processed on this machine)"
    return (
        f"{plan.describe()}; {stored} in the ledger already, {sending}: "
        f"{estimate.price_text()}{apart}"
    )


def show_plan(plan: GridPlan, session: Any, *, dry_run: bool, cache: bool = True) -> None:
    """Show the count and cost before running; a dry run also shows every cell's request,
    lint and prompt as sent."""
    from sora_nb.prompt import lint, parse

    summary = plan_summary(plan, session, cache=cache)
    lines = [("Dry run, nothing sent: " if dry_run else "") + summary]
    first = plan.cells[0]
    request = first.requests[0]
    if request.parent is not None:
        lines.append(_lineage_line(request, session))
    rewrites = {r.enhancement for r in plan.requests if r.enhancement is not None}
    if rewrites:
        lines.append(_rewrites_line(rewrites))
    if dry_run:
        from sora_nb.catalog import loras as lora_text

        # Every cell as it will be sent, so the rungs of a length axis can be read before
        # anything is spent; a cell whose prompt repeats an earlier one says which.
        first_with: dict[str, int] = {}
        for number, cell in enumerate(plan.cells, start=1):
            request = cell.requests[0]
            if len(plan.cells) > 1:
                where = ", ".join(f"{axis}={value}" for axis, value in cell.labels.items())
                lines.append(f"Cell {number} of {len(plan.cells)} ({where}):")
            knobs = "".join(
                f" {name}={lora_text.text(value) if name == 'loras' else value}"
                for name, value in request.knobs().items()
            )
            lines.append(
                f"Request: model={request.model} size={request.size} seconds={request.seconds}"
                f"{knobs} ({cell.word_count} words)"
            )
            if cell.prompt in first_with:
                lines.append(f"Prompt: the same as cell {first_with[cell.prompt]}'s.")
                continue
            first_with[cell.prompt] = number
            cast = [m.name for m in request.characters] if request.kind == "create" else []
            for issue in lint(parse(cell.prompt), seconds=request.seconds, characters=cast):
                lines.append(f"Lint: {issue}")
            lines.append(
                ("Prompt (enhanced):\n" if request.enhancement else "Prompt:\n") + cell.prompt
            )
            if request.enhancement is not None:
                lines.append("Your words (kept with the take):\n" + request.mine)
    else:
        # A character the prompt does not name may not be kept: said before every run. (An
        # extension or edit sends no characters: its video keeps those of its source.)
        for cell in plan.cells:
            sent = cell.requests[0].kind == "create"
            cast = [m.name for m in cell.requests[0].characters] if sent else []
            for issue in lint(cell.prompt, characters=cast) if cast else ():
                if issue.code in ("character-not-named", "too-many-cast"):
                    lines.append(f"Lint: {issue}")
    plain = "\n".join(lines)
    body = "<br>".join(html.escape(line).replace("\n", "<br>") for line in lines)
    from sora_nb.notebook.nomath import no_math

    # The plan line is where prices show ("about $3.60 ... $0.00"): never typeset as maths.
    _publish({"text/plain": plain, "text/html": no_math(body, classes="sora-nb-plan")})


def _rewrites_line(rewrites: set[Any]) -> str:
    """Who rewrote the prompts, and what the rewrites cost when they were asked."""
    first = next(iter(rewrites))
    costs = [r.cost for r in rewrites]
    price = "price unknown" if None in costs else f"${sum(costs):.4f} when asked"
    count = f"{len(rewrites)} rewrite" + ("" if len(rewrites) == 1 else "s")
    return f"Prompt enhanced by {first.model} at {first.endpoint}: {count}, {price}."


def _lineage_line(request: Any, session: Any) -> str:
    """What a derived request starts from, and the chain it makes."""
    from sora_nb.runs.chains import video_seconds

    parent = request.parent
    source = session.ledger.get(parent.take) if parent.take else None
    if source is None:
        return f"{parent.kind.capitalize()} of job {parent.job or parent.take}."
    chain = [*source.chain(), request]
    steps = len(chain)
    return (
        f"{parent.kind.capitalize()} of {source.id} ({source.request.prompt[:40]!r}): the chain "
        f"will have {steps} steps and last {video_seconds(chain)} s."
    )


def show_chain_plan(plan: Any, *, dry_run: bool) -> None:
    """Show a shot-by-shot chain before anything is sent: its steps, length and whole cost,
    and any character the prompts do not name."""
    from sora_nb.prompt import lint

    lines = [("Dry run, nothing sent: " if dry_run else "") + plan.describe()]
    for number, request in enumerate(plan.requests, start=1):
        lines.append(f"Step {number}: {request.prompt.splitlines()[-1][:90]}")
    first = plan.requests[0]
    for issue in lint(first.prompt, characters=[m.name for m in first.characters]):
        if issue.code in ("character-not-named", "too-many-cast"):
            lines.append(f"Lint: {issue}")
    plain = "\n".join(lines)
    body = "<br>".join(html.escape(line) for line in lines)
    _publish({"text/plain": plain, "text/html": f"<div class='sora-nb-plan'>{body}</div>"})


def continuity(run: GridRun) -> Table:
    """The continuity readings at the joins of a run's extended takes, as a table."""
    from sora_nb.research.joins import continuity_records

    rows = [
        {key: value for key, value in row.items() if key != "prompt"}
        for row in continuity_records(run.takes)
    ]
    return table(rows, title="Continuity at the joins (1 = the same colours / layout)")


def show_metrics(run: GridRun, summaries: dict[str, str]) -> None:
    """Put a metrics line (by take id) under each cell of the grids showing ``run``."""
    from sora_nb.notebook.widgets.views import show_metrics as put

    put(run, summaries)


def widget_for(result: Take | GridRun, session: Any = None) -> Any:
    """The widget that shows a result: a Player for one take, a Grid for several (the open
    one again when the result is shown again)."""
    from sora_nb.notebook.widgets.views import widget_for as make

    return make(result, session)


def register_formatters(ipython: Any, session: Callable[[], Session] | None = None) -> None:
    """Show a Take as a Player and a GridRun as a Grid wherever IPython displays them.

    Registered by name, so nothing more of sora_nb is imported until such a result is shown;
    ``session`` gives the session the widgets save ratings to and send remixes through (the
    kernel's session by default).
    """

    def as_widget(result: Any, include: Any = None, exclude: Any = None) -> Any:
        from sora_nb.notebook import kernel

        widget = widget_for(result, (session or kernel.session)())
        return widget._repr_mimebundle_(include=include, exclude=exclude)

    formatter = ipython.display_formatter.mimebundle_formatter
    formatter.for_type_by_name("sora_nb.runs.take", "Take", as_widget)
    formatter.for_type_by_name("sora_nb.runs.grid", "GridRun", as_widget)


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
