"""Grid: every take of a comparison in one widget, on one shared clock, labelled by what varies."""

from __future__ import annotations

import html
import math
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import anywidget
import traitlets

from sora_nb import media
from sora_nb.notebook.nomath import no_math
from sora_nb.notebook.widgets._base import (
    describe_take,
    error_text,
    esm_path,
    static_figure,
    video_seconds,
    word_count,
)
from sora_nb.notebook.widgets._callbacks import Callbacks
from sora_nb.notebook.widgets._files import ChunkSender, describe
from sora_nb.notebook.widgets.state import CellState, Feedback, Header, MediaFile
from sora_nb.notebook.widgets.traits import ModelDict, ModelList
from sora_nb.runs.take import FILE_NAMES, Take

if TYPE_CHECKING:
    from sora_nb.runs.grid import GridRun

#: ``callback(cell_index, take_id, rating, note)``; rating is 1 (up), -1 (down) or None.
RateCallback = Callable[[int, str, "int | None", str], Any]
#: Columns and rows of the spritesheets sora_nb writes (frames evenly spaced, row by row).
DEFAULT_SPRITE_GRID = (media.SPRITESHEET_COLUMNS, media.SPRITESHEET_ROWS)


def _cell_files(take: Take) -> dict[str, MediaFile]:
    """Where a cell's poster, spritesheet and (once complete) video lie: never their bytes."""
    variants = ("thumbnail", "spritesheet", "video") if take.ok else ("thumbnail", "spritesheet")
    found = {variant: describe(take, variant) for variant in variants}
    return {variant: file for variant, file in found.items() if file}


def _cell_data(take: Take, label: str, metrics: str = "", *, blind: bool = False) -> CellState:
    """What a cell shows: status, progress and error, what identifies it, and its files.

    ``blind``: nothing in the page's state tells the cells apart beyond the label given (no
    word count, model or metrics), so not even the page's source gives a judge away.
    """
    return CellState(
        label=label,
        metrics="" if blind else metrics,
        take_id=take.id,
        status=take.status,
        progress=max(0, min(100, int(take.progress))),
        error=error_text(take),
        seconds=video_seconds(take),
        words=0 if blind else word_count(take.request.prompt),
        model="" if blind else take.request.model,
        size=take.request.size,
        files=_cell_files(take),
        prompt=take.request.prompt,
        mine=take.request.mine if take.request.enhancement is not None else "",
    )


def _header(text: str, words: int | None = None) -> Header:
    return Header(text=text, words=words)


class Grid(anywidget.AnyWidget):
    """Many takes in one widget: headers naming what varies, a shared clock, ratings and notes.

    ``Grid(takes, columns=3)`` lays the takes out row by row; ``Grid.from_run(run)`` labels the
    rows and columns with a grid run's axes. Ratings and notes come back through ``on_rate``.
    Videos stream from the Jupyter server (or, where there is none, from the kernel in chunks
    for the cells on screen); the widget's state holds where they are, never their bytes.
    """

    _esm = esm_path("grid.js")

    cells = ModelList(
        CellState, help="Per cell, in display order: label, status, progress, error and files."
    )
    row_labels = ModelList(Header, help="Row headers: text, and words on a length axis.")
    col_labels = ModelList(Header, help="Column headers: text, and words on a length axis.")
    row_title = traitlets.Unicode("", help="What varies down the rows.").tag(sync=True)
    col_title = traitlets.Unicode("", help="What varies across the columns.").tag(sync=True)
    columns = traitlets.Int(1, help="Cells per row.").tag(sync=True)
    page_labels = traitlets.List(
        traitlets.Unicode(), help="One label per page (a third axis); empty for one page."
    ).tag(sync=True)
    page_title = traitlets.Unicode("", help="What varies from page to page.").tag(sync=True)
    page = traitlets.Int(0, help="The page shown (only its cells load media).").tag(sync=True)
    sprite_grid = traitlets.List(
        traitlets.Int(), default_value=list(DEFAULT_SPRITE_GRID), help="Spritesheet columns, rows."
    ).tag(sync=True)
    previews = traitlets.Dict(
        help="The newest live preview (a small JPEG) of each cell still rendering, by cell "
        "index (as a string), where the server makes them; the video replaces it."
    ).tag(sync=True)
    loop = traitlets.Bool(True, help="Loop the shared clock.").tag(sync=True)
    speed = traitlets.Float(1.0, help="Shared playback rate.").tag(sync=True)
    feedback = ModelDict(Feedback, help="Ratings and notes, by cell index (as a string).")
    error = traitlets.Unicode(
        "", help="What went wrong in the kernel for this grid (a failing on_rate callback)."
    ).tag(sync=True)
    blind = traitlets.Bool(
        False,
        help="A blind judgement: no A/B, ratings, notes or enlarged view; labels are whatever "
        "the cells are given (the judge gives Left and Right).",
    ).tag(sync=True)
    cover = traitlets.List(
        traitlets.Float(min=0.0, max=0.5),
        default_value=[0.0, 0.0],
        minlen=2,
        maxlen=2,
        help="Fractions of each frame's height to cover, top and bottom, where a server burns "
        "captions in (0: none).",
    ).tag(sync=True)

    def __init__(
        self,
        takes: Sequence[Take] = (),
        *,
        columns: int | None = None,
        labels: Sequence[str] | None = None,
        row_labels: Sequence[str | dict[str, Any] | Header] | None = None,
        col_labels: Sequence[str | dict[str, Any] | Header] | None = None,
        row_title: str = "",
        col_title: str = "",
        page_labels: Sequence[str] | None = None,
        page_title: str = "",
        sprite_grid: tuple[int, int] = DEFAULT_SPRITE_GRID,
        **kwargs: Any,
    ) -> None:
        """Show ``takes`` row by row in ``columns`` columns (default: as square as possible).

        With ``page_labels``, the takes split evenly into that many pages, shown one at a time.
        """
        takes = list(takes)
        if labels is not None and len(labels) != len(takes):
            raise ValueError(
                f"Grid got {len(takes)} takes but {len(labels)} labels: give one each."
            )
        pages = len(page_labels) if page_labels else 1
        if len(takes) % pages:
            raise ValueError(
                f"Grid got {len(takes)} takes for {pages} pages: give each page as many."
            )
        per_page = len(takes) // pages
        ncols = columns or (len(col_labels) if col_labels else math.ceil(math.sqrt(per_page or 1)))
        if ncols < 1:
            raise ValueError(f"columns must be at least 1, got {columns}.")
        super().__init__(**kwargs)
        self._takes = takes
        self._labels = list(labels) if labels is not None else [t.id for t in takes]
        self._rate_callbacks = Callbacks("on_rate")
        # Set while feedback follows a take rated from Python: no on_rate echo back to it.
        self._from_takes = False
        #: Each take's rating and note when last seen, to tell a new one given from Python.
        self._judged = [(t.rating, t.note) for t in takes]
        self._metrics: dict[int, str] = {}
        self._chunks = ChunkSender(self, self._file_for)
        # Takes may report from several runner threads; cell updates must not interleave.
        self._lock = threading.Lock()
        with self.hold_sync():
            self.columns = ncols
            self.col_labels = [_as_header(x) for x in col_labels] if col_labels else []
            self.row_labels = [_as_header(x) for x in row_labels] if row_labels else []
            self.row_title = row_title
            self.col_title = col_title
            self.page_labels = list(page_labels) if page_labels else []
            self.page_title = page_title
            self.sprite_grid = list(sprite_grid)
            self.cells = [
                _cell_data(t, lbl, blind=self.blind)
                for t, lbl in zip(takes, self._labels, strict=True)
            ]
            self.feedback = _feedback_of(takes)
        self._unfollow = [take.on_change(self._on_take_change) for take in takes]
        self.on_msg(self._handle_message)

    @classmethod
    def from_run(cls, run: GridRun, **kwargs: Any) -> Grid:
        """A grid of a planned run: columns from its first axis, rows from the second, pages
        from the third. Several takes per cell go down the rows (``medium · take 2``), so a
        row is never wider than the axis. Headers on a ``length`` axis carry word counts.
        """
        plan = run.plan
        axes = plan.axes
        per = plan.takes
        shape = [len(axis.values) for axis in axes] + [1] * (3 - len(axes))
        ncols, nrows, npages = shape

        def words_at(axis_pos: int, value_index: int) -> int | None:
            if axes[axis_pos].kind != "length":
                return None
            for cell in plan.cells:
                if cell.coords[axis_pos] == value_index:
                    return cell.word_count
            return None

        by_coords = {
            tuple(cell.coords) + (0,) * (3 - len(cell.coords)): cell for cell in plan.cells
        }
        takes: list[Take] = []
        labels: list[str] = []
        for p in range(npages):
            for r in range(nrows):
                for k in range(per):
                    for c in range(ncols):
                        cell = by_coords[(c, r, p)]
                        take = run.cell_takes(cell.index)[k]
                        named = ", ".join(f"{name}={value}" for name, value in cell.labels.items())
                        takes.append(take)
                        labels.append(f"{named}, take {k + 1}" if per > 1 else named)
        col_labels = [
            _header(_named(axes[0].name, value), words_at(0, j))
            for j, value in enumerate(axes[0].values)
        ]
        row_labels: list[Header] = []
        if len(axes) > 1 or per > 1:
            for r in range(nrows):
                value = _named(axes[1].name, axes[1].values[r]) if len(axes) > 1 else ""
                words = words_at(1, r) if len(axes) > 1 else None
                for k in range(per):
                    take_text = f"take {k + 1}" if per > 1 else ""
                    text = " · ".join(part for part in (value, take_text) if part)
                    row_labels.append(_header(text, words))
        row_title = " · ".join(
            part
            for part in (axes[1].name if len(axes) > 1 else "", "take" if per > 1 else "")
            if part
        )
        return cls(
            takes,
            columns=ncols,
            labels=labels,
            col_labels=col_labels,
            row_labels=row_labels,
            col_title=axes[0].name,
            row_title=row_title,
            page_labels=[_named(axes[2].name, v) for v in axes[2].values] if axes[2:] else None,
            page_title=axes[2].name if len(axes) > 2 else "",
            **kwargs,
        )

    @property
    def takes(self) -> list[Take]:
        """The takes shown, cell by cell (page by page, row by row)."""
        return list(self._takes)

    def show_metrics(self, summaries: dict[str, str]) -> None:
        """Show a one-line metrics summary (keyed by take id) after each cell's label."""
        with self._lock:
            for index, take in enumerate(self._takes):
                if take.id in summaries:
                    self._metrics[index] = summaries[take.id]
            self.cells = [
                _cell_data(t, self._labels[i], self._metrics.get(i, ""), blind=self.blind)
                for i, t in enumerate(self._takes)
            ]

    def on_rate(self, callback: RateCallback, remove: bool = False) -> Callable[[], None]:
        """Call ``callback(cell_index, take_id, rating, note)`` when a user rates or annotates a
        cell; rating is 1 for thumbs up, -1 for thumbs down, None when cleared. ``remove=True``
        unsubscribes it; so does the function returned. A callback that fails shows in the
        grid's error line (and the others still run)."""
        return self._rate_callbacks.register(callback, remove)

    def close(self) -> None:
        """Close the widget and stop following its takes (they then forget this grid)."""
        # getattr: ipywidgets also closes a widget whose __init__ failed half way.
        for unfollow in getattr(self, "_unfollow", []):
            unfollow()
        self._unfollow = []
        super().close()

    def _on_take_change(self, take: Take) -> None:
        # Runs on the runner's thread: update only the cells showing this take.
        with self._lock:
            cells = list(self.cells)
            for index, shown in enumerate(self._takes):
                if shown is take:
                    cells[index] = _cell_data(
                        take, self._labels[index], self._metrics.get(index, ""), blind=self.blind
                    )
            self.cells = cells
            previews = dict(self.previews)
            for index, shown in enumerate(self._takes):
                if shown is take:
                    if take.preview and not take.done:
                        previews[str(index)] = take.preview
                    else:
                        previews.pop(str(index), None)
            if previews != self.previews:
                self.previews = previews
            # A rating or note given from Python (``rate(ledger, take, "up")``) shows on the
            # buttons too; it is not sent back to on_rate, which is for the page's clicks. Only
            # a take whose rating or note changed is copied: a status update leaves a rating
            # clicked in the page (that no callback wrote to the take) as it is.
            feedback = dict(self.feedback)
            for index, shown in enumerate(self._takes):
                now = (shown.rating, shown.note)
                if shown is not take or self._judged[index] == now:
                    continue
                self._judged[index] = now
                feedback.pop(str(index), None)
                feedback.update(_feedback_of([shown], first=index))
            if feedback != self.feedback:
                self._from_takes = True
                try:
                    self.feedback = feedback
                finally:
                    self._from_takes = False

    def _file_for(self, key: str) -> Path | None:
        """The file behind a ``"cell/variant"`` key this grid handed out, else None."""
        index, _, variant = key.partition("/")
        if not index.isdigit() or variant not in FILE_NAMES:
            return None
        cell = int(index)
        if cell >= len(self._takes) or variant not in self.cells[cell].files:
            return None
        return self._takes[cell].path(variant)

    def _handle_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        self._chunks.handle(content)

    @traitlets.validate("page")
    def _valid_page(self, proposal: dict[str, Any]) -> int:
        pages = max(1, len(self.page_labels))
        page = int(proposal["value"])
        if not 0 <= page < pages:
            raise traitlets.TraitError(
                f"page is a number from 0 to {pages - 1} for this grid, not {page}."
            )
        return page

    @traitlets.observe("feedback")
    def _feedback_changed(self, change: dict[str, Any]) -> None:
        if self._from_takes:
            return
        old: dict[str, Feedback] = change["old"] or {}
        new: dict[str, Feedback] = change["new"] or {}
        problems = []
        for key, entry in new.items():
            if old.get(key) == entry or not key.isdigit():
                continue
            index = int(key)
            if index >= len(self._takes):
                continue
            take_id = self._takes[index].id
            problems.append(self._rate_callbacks(index, take_id, entry.rating, entry.note))
        self.error = "; ".join(p for p in problems if p)

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
                static_figure(t, label if self.blind else f"{label}: {describe_take(t)}")
                for t, label in zip(self._takes, self._labels, strict=True)
            ]
            data["text/html"] = (
                f"<div>{''.join(figures)}</div>" if figures else no_math(html.escape(repr(self)))
            )
        return bundle


def _feedback_of(takes: Sequence[Take], first: int = 0) -> dict[str, Feedback]:
    """The ratings and notes the takes carry, by cell index (as a string) from ``first``."""
    return {
        str(i): Feedback(rating=_thumbs(t.rating), note=t.note or "")
        for i, t in enumerate(takes, start=first)
        if t.rating is not None or t.note
    }


def _named(axis: str, value: str) -> str:
    """A header that says what it is: a bare number (a seed, a step count) gets its axis's
    name, ``seed 3`` or ``steps 16``; a word (``long``, ``sora-2``) says it already."""
    try:
        float(value)
    except ValueError:
        return value
    return f"{axis} {value}"


def _thumbs(rating: int | None) -> Literal[1, -1] | None:
    return 1 if rating == 1 else -1 if rating == -1 else None


def _as_header(entry: str | dict[str, Any] | Header) -> Header | dict[str, Any]:
    # A dict is checked by the trait, with a message naming what is wrong with it.
    return _header(entry) if isinstance(entry, str) else entry
