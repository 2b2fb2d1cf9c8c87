"""Grid: every take of a comparison in one widget, on one shared clock, labelled by what varies."""

from __future__ import annotations

import html
import math
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import anywidget
import ipywidgets
import traitlets

from sora_nb import media
from sora_nb.notebook.widgets._base import (
    describe_take,
    error_text,
    esm_path,
    read_file,
    static_figure,
    word_count,
)
from sora_nb.runs.take import Take

if TYPE_CHECKING:
    from sora_nb.runs.grid import GridRun

#: ``callback(cell_index, take_id, rating, note)``; rating is 1 (up), -1 (down) or None.
RateCallback = Callable[[int, str, "int | None", str], Any]
#: Columns and rows of the spritesheets sora_nb writes (frames evenly spaced, row by row).
DEFAULT_SPRITE_GRID = (media.SPRITESHEET_COLUMNS, media.SPRITESHEET_ROWS)


class CellMedia(ipywidgets.Widget):  # type: ignore[misc]
    """One cell's binary files, as its own model so a finished take sends only its own bytes."""

    video = traitlets.Bytes(b"", help="The MP4 bytes (empty until the take completes).").tag(
        sync=True
    )
    spritesheet = traitlets.Bytes(b"", help="JPEG grid of frames, for hover-scrub.").tag(sync=True)
    sprite_columns = traitlets.Int(DEFAULT_SPRITE_GRID[0]).tag(sync=True)
    sprite_rows = traitlets.Int(DEFAULT_SPRITE_GRID[1]).tag(sync=True)


def _cell_data(take: Take, label: str, metrics: str = "") -> dict[str, Any]:
    """The JSON a cell shows: status, progress and error, plus what identifies it."""
    return {
        "label": label,
        "metrics": metrics,
        "take_id": take.id,
        "status": take.status,
        "progress": int(take.progress),
        "error": error_text(take),
        "seconds": int(take.request.seconds),
        "words": word_count(take.request.prompt),
        "model": take.request.model,
        "size": take.request.size,
    }


def _header(text: str, words: int | None = None) -> dict[str, Any]:
    return {"text": text} if words is None else {"text": text, "words": words}


class Grid(anywidget.AnyWidget):
    """Many takes in one widget: headers naming what varies, a shared clock, ratings and notes.

    ``Grid(takes, columns=3)`` lays the takes out row by row; ``Grid.from_run(run)`` labels the
    rows and columns with a grid run's axes. Ratings and notes come back through ``on_rate``.
    """

    _esm = esm_path("grid.js")

    cells = traitlets.List(traitlets.Dict(), help="Per cell: label, status, progress...").tag(
        sync=True
    )
    media = traitlets.List(traitlets.Instance(CellMedia), help="Per-cell video bytes.").tag(
        sync=True, **ipywidgets.widget_serialization
    )
    row_labels = traitlets.List(
        traitlets.Dict(), help="Row headers: text, and words on a length axis."
    ).tag(sync=True)
    col_labels = traitlets.List(
        traitlets.Dict(), help="Column headers: text, and words on a length axis."
    ).tag(sync=True)
    row_title = traitlets.Unicode("", help="What varies down the rows.").tag(sync=True)
    col_title = traitlets.Unicode("", help="What varies across the columns.").tag(sync=True)
    loop = traitlets.Bool(True, help="Loop the shared clock.").tag(sync=True)
    speed = traitlets.Float(1.0, help="Shared playback rate.").tag(sync=True)
    feedback = traitlets.Dict(
        help='Per cell index (as a string): {"rating": 1 | -1 | None, "note": str}.'
    ).tag(sync=True)

    def __init__(
        self,
        takes: Sequence[Take] = (),
        *,
        columns: int | None = None,
        labels: Sequence[str] | None = None,
        row_labels: Sequence[str | dict[str, Any]] | None = None,
        col_labels: Sequence[str | dict[str, Any]] | None = None,
        row_title: str = "",
        col_title: str = "",
        sprite_grid: tuple[int, int] = DEFAULT_SPRITE_GRID,
        **kwargs: Any,
    ) -> None:
        """Show ``takes`` row by row in ``columns`` columns (default: as square as possible)."""
        takes = list(takes)
        if labels is not None and len(labels) != len(takes):
            raise ValueError(
                f"Grid got {len(takes)} takes but {len(labels)} labels: give one each."
            )
        ncols = columns or (
            len(col_labels) if col_labels else math.ceil(math.sqrt(len(takes) or 1))
        )
        if ncols < 1:
            raise ValueError(f"columns must be at least 1, got {columns}.")
        super().__init__(**kwargs)
        self._takes = takes
        self._labels = list(labels) if labels is not None else [t.id for t in takes]
        self._rate_callbacks: list[RateCallback] = []
        self._loaded: set[int] = set()
        self._metrics: dict[int, str] = {}
        # Takes may report from several runner threads; cell updates must not interleave.
        self._lock = threading.Lock()
        with self.hold_sync():
            self.col_labels = [_as_header(x) for x in col_labels] if col_labels else []
            self.row_labels = [_as_header(x) for x in row_labels] if row_labels else []
            if not self.col_labels and len(takes) > ncols:
                # Without headers the front end still needs the column count.
                self.col_labels = [_header(f"{j + 1}") for j in range(ncols)]
            self.row_title = row_title
            self.col_title = col_title
            self.media = [
                CellMedia(sprite_columns=sprite_grid[0], sprite_rows=sprite_grid[1]) for _ in takes
            ]
            self.cells = [_cell_data(t, lbl) for t, lbl in zip(takes, self._labels, strict=True)]
            self.feedback = {
                str(i): {"rating": t.rating, "note": t.note or ""}
                for i, t in enumerate(takes)
                if t.rating is not None or t.note
            }
        for index, take in enumerate(takes):
            self._load_media(index, take)
            take.on_change(self._on_take_change)

    @classmethod
    def from_run(cls, run: GridRun, **kwargs: Any) -> Grid:
        """A grid of a planned run: columns from its first axis, rows from the second.

        Several takes per cell sit side by side; a third axis stacks its pages as more rows.
        Headers on a ``length`` axis carry the word count of that rung's prompt.
        """
        plan = run.plan
        axes = plan.axes
        per = plan.takes
        col_axis = axes[0]
        ncols = len(col_axis.values)
        nrows = len(plan.cells) // ncols

        def words_at(axis_pos: int, value_index: int) -> int | None:
            if axes[axis_pos].kind != "length":
                return None
            for cell in plan.cells:
                if cell.coords[axis_pos] == value_index:
                    return cell.word_count
            return None

        col_labels = []
        for j, value in enumerate(col_axis.values):
            for k in range(per):
                text = value if per == 1 else f"{value} · take {k + 1}"
                col_labels.append(_header(text, words_at(0, j)))
        row_labels: list[dict[str, Any]] = []
        for r in range(nrows if len(axes) > 1 else 0):
            cell = plan.cells[r * ncols]
            parts = [cell.labels[a.name] for a in axes[1:]]
            row_labels.append(_header(" / ".join(reversed(parts)), words_at(1, cell.coords[1])))
        takes: list[Take] = []
        labels: list[str] = []
        for cell in plan.cells:
            for take in run.cell_takes(cell.index):
                takes.append(take)
                labels.append(", ".join(f"{k}={v}" for k, v in cell.labels.items()))
        return cls(
            takes,
            columns=ncols * per,
            labels=labels,
            col_labels=col_labels,
            row_labels=row_labels,
            col_title=col_axis.name,
            row_title=" / ".join(a.name for a in reversed(axes[1:])),
            **kwargs,
        )

    @property
    def takes(self) -> list[Take]:
        """The takes shown, cell by cell."""
        return list(self._takes)

    def show_metrics(self, summaries: dict[str, str]) -> None:
        """Show a one-line metrics summary (keyed by take id) after each cell's label."""
        with self._lock:
            for index, take in enumerate(self._takes):
                if take.id in summaries:
                    self._metrics[index] = summaries[take.id]
            self.cells = [
                _cell_data(t, self._labels[i], self._metrics.get(i, ""))
                for i, t in enumerate(self._takes)
            ]

    def on_rate(self, callback: RateCallback) -> None:
        """Call ``callback(cell_index, take_id, rating, note)`` when a user rates or annotates a
        cell; rating is 1 for thumbs up, -1 for thumbs down, None when cleared."""
        self._rate_callbacks.append(callback)

    def _on_take_change(self, take: Take) -> None:
        # Runs on the runner's thread: update only the cells showing this take.
        with self._lock:
            for index, shown in enumerate(self._takes):
                if shown is take:
                    cells = list(self.cells)
                    metrics = self._metrics.get(index, "")
                    cells[index] = _cell_data(take, self._labels[index], metrics)
                    self.cells = cells
                    self._load_media(index, take)

    def _load_media(self, index: int, take: Take) -> None:
        cell = self.media[index]
        # The small spritesheet goes first, in its own message, so a cell can be scrubbed
        # while its (much larger) video is still on the way.
        if not cell.spritesheet:
            cell.spritesheet = read_file(take, "spritesheet")
        if take.ok and index not in self._loaded:
            data = read_file(take, "video")
            if data:
                cell.video = data
                self._loaded.add(index)

    @traitlets.observe("feedback")
    def _feedback_changed(self, change: dict[str, Any]) -> None:
        old: dict[str, Any] = change["old"] or {}
        new: dict[str, Any] = change["new"] or {}
        for key, entry in new.items():
            if old.get(key) == entry or not key.isdigit():
                continue
            index = int(key)
            if index >= len(self._takes):
                continue
            rating = entry.get("rating")
            rating = rating if rating in (1, -1) else None
            note = str(entry.get("note") or "")
            for callback in list(self._rate_callbacks):
                callback(index, self._takes[index].id, rating, note)

    def __repr__(self) -> str:
        done = sum(1 for t in self._takes if t.done)
        return f"<Grid {len(self._takes)} cells, {done} done>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/plain"] = "\n".join(
                [repr(self), *(f"  {i}: {describe_take(t)}" for i, t in enumerate(self._takes))]
            )
            figures = [
                static_figure(t, f"{label}: {describe_take(t)}")
                for t, label in zip(self._takes, self._labels, strict=True)
            ]
            data["text/html"] = (
                f"<div>{''.join(figures)}</div>" if figures else html.escape(repr(self))
            )
        return bundle


def _as_header(entry: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(entry, str):
        return _header(entry)
    return _header(str(entry.get("text", "")), entry.get("words"))
