"""One entry point for every export of a grid: ``html``, ``mp4``, ``contact``, ``csv``, ``json``.

``%sora export KIND [PATH]``, ``run.export(KIND)`` and ``sora_nb.export(run_or_take, KIND)``
all call :func:`export_run`, which finds the run's ledger and votes beside its takes and hands
them to :func:`export`; without a path, files go to ``./sora_exports/`` beside the notebook
with a time-stamped name. No export replaces a file unless asked (``overwrite=True``): two
exports in one second get two names, and files are private to their user (0600).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, cast, get_args

from sora_nb.research.contact import contact_sheet
from sora_nb.research.judgements import Vote, Votes
from sora_nb.research.mosaic import render_mosaic
from sora_nb.research.report import write_report
from sora_nb.research.results import (
    grid_records,
    history_records,
    media_dir_of,
    write_csv,
    write_json,
)
from sora_nb.runs.grid import GridRun
from sora_nb.runs.ledger import Ledger

ExportKind = Literal["html", "mp4", "contact", "csv", "json"]
KINDS: tuple[str, ...] = get_args(ExportKind)
EXTENSIONS = {"html": ".html", "mp4": ".mp4", "contact": ".png", "csv": ".csv", "json": ".json"}
DEFAULT_FOLDER = Path("sora_exports")


class ExportError(ValueError):
    """An export cannot be made as asked; the message says what to type instead."""


def default_path(kind: str, stem: str = "grid") -> Path:
    """``sora_exports/<stem>-YYYYmmdd-HHMMSS.<ext>`` in the current folder."""
    return DEFAULT_FOLDER / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}{EXTENSIONS[kind]}"


def export(
    run: GridRun,
    kind: str,
    path: Path | str | None = None,
    *,
    ledger: Ledger | None = None,
    votes: Sequence[Vote] = (),
    measure: bool = False,
    overwrite: bool = False,
    **options: Any,
) -> Path:
    """Export a grid as an HTML report, an MP4 mosaic, a contact sheet PNG, CSV or JSON.

    ``measure=True`` (with ``ledger``) measures takes first so tables carry metrics. An
    existing file at ``path`` is replaced only with ``overwrite=True``. ``options`` go to the
    maker: ``audio=``, ``cell_width=``, ``page=``, ``take=`` for the mosaic and contact sheet,
    ``title=`` for the report.
    """
    chosen = _kind(kind)
    with claimed(chosen, path, "grid", overwrite=overwrite) as target:
        if chosen == "html":
            return write_report(run, target, ledger=ledger, measure=measure, votes=votes, **options)
        if chosen == "mp4":
            return render_mosaic(run, target, **options)
        if chosen == "contact":
            contact_sheet(run, target, **options)
            return target
        records = grid_records(run, ledger=ledger, measure=measure, votes=votes)
        if chosen == "csv":
            return write_csv(records, target)
        axes = {axis.name: list(axis.values) for axis in run.plan.axes}
        return write_json(records, target, grid=run.plan.describe(), axes=axes)


def export_run(
    run: GridRun,
    kind: str,
    path: Path | str | None = None,
    *,
    measure: bool = False,
    **options: Any,
) -> Path:
    """Export a run as :func:`export` does, with the ratings, notes, votes and cached metrics
    its media folder holds (found beside its takes); ``measure=True`` measures takes first."""
    folder = media_dir_of(run)
    if folder is None:
        return export(run, kind, path, **options)
    ledger = Ledger(folder)
    try:
        with Votes(ledger) as book:
            votes = book.all(run.takes)
        return export(run, kind, path, ledger=ledger, votes=votes, measure=measure, **options)
    finally:
        ledger.close()


def export_history(
    ledger: Ledger, kind: str, path: Path | str | None = None, *, overwrite: bool = False
) -> Path:
    """Export every take in a media folder (newest first) as ``csv`` or ``json``."""
    chosen = _kind(kind)
    if chosen not in ("csv", "json"):
        raise ExportError(f"History exports as csv or json, not {kind!r}.")
    records = history_records(ledger, None)
    with claimed(chosen, path, "history", overwrite=overwrite) as target:
        return write_csv(records, target) if chosen == "csv" else write_json(records, target)


@contextlib.contextmanager
def claimed(
    kind: str, path: Path | str | None, stem: str, *, overwrite: bool = False
) -> Iterator[Path]:
    """The file an export writes, claimed (created empty, private) so that no other export
    takes its name meanwhile: ``path``, refused if it exists unless ``overwrite``; without a
    path (or with a folder) a time-stamped name, numbered ``-2``, ``-3`` ... when taken. The
    claim is given up if the export fails; the file made is private (0600)."""
    named = path is not None and not Path(path).is_dir()
    target = Path(path or DEFAULT_FOLDER)
    if not named:
        target = target / default_path(kind, stem).name
    if kind == "html" and target.suffix.lower() not in (".html", ".htm"):
        target = target / "report.html"  # a report goes in the folder named
    target.parent.mkdir(parents=True, exist_ok=True)
    if not overwrite:
        target = _claim(target, numbered=not named)
    try:
        yield target
    except BaseException:
        if not overwrite:
            with contextlib.suppress(OSError):
                if target.stat().st_size == 0:
                    target.unlink()
        raise
    with contextlib.suppress(OSError):  # the mosaic's encoder writes with the usual mode
        os.chmod(target, 0o600)


def _claim(target: Path, *, numbered: bool) -> Path:
    for n in range(1, 1000):
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}") if n > 1 else target
        try:
            os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            return candidate
        except FileExistsError:
            if not numbered:
                break
    raise ExportError(
        f"{target} already exists; choose another name, remove it first, or pass "
        "overwrite=True to replace it."
    )


def kind_of(word: str) -> ExportKind | None:
    """The export kind a word names (``html``, ``report``, ``mp4``, ``mosaic``, ``png`` ...), or
    None: lets ``%sora export`` tell ``%sora export csv`` from ``%sora export lesson.zip``."""
    key = word.strip().lower().lstrip(".")
    key = {"png": "contact", "htm": "html", "mosaic": "mp4", "report": "html"}.get(key, key)
    return cast(ExportKind, key) if key in KINDS else None


def _kind(kind: str) -> ExportKind:
    found = kind_of(kind)
    if found is None:
        raise ExportError(f"Export as one of {', '.join(KINDS)}; got {kind!r}.")
    return found
