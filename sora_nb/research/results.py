"""Results as tidy tables: one row per take, with axes, words, cost, timings, metrics, judgements.

``grid_results(run)``, ``results_for(run)`` and ``history_results(ledger)`` always return a
pandas DataFrame (pandas is imported when the first table is made, not before, so ``import
sora_nb`` and ``%load_ext`` stay fast). ``*_records`` give the same rows as plain dicts, and
``write_csv`` / ``write_json`` take records or a DataFrame out of the notebook.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sora_nb import media
from sora_nb.catalog import loras as lora_text
from sora_nb.prompt import word_count
from sora_nb.research.judgements import Vote, Votes
from sora_nb.research.metrics import METRIC_COLUMNS, cached, measure_takes
from sora_nb.research.speedups import SPEEDUP_COLUMNS, against_uncached, uncached
from sora_nb.runs.grid import GridRun
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.take import Take

if TYPE_CHECKING:  # pragma: no cover - annotations only; pandas loads when a table is made
    import pandas as pd

Record = dict[str, Any]


def take_record(take: Take) -> Record:
    """A take's own columns: ids, request, status, cost, timings, ratings and cached metrics."""
    queued = (
        round(take.submitted_at - take.created_at, 3) if take.submitted_at is not None else None
    )
    record: Record = {
        "take_id": take.id,
        "take": take.request.take,
        "model": take.request.model,
        "size": take.request.size,
        "seconds": take.request.seconds,
        "words": word_count(take.request.prompt),
        "status": take.status,
        "seed": take.request.options.seed,
        "steps": take.request.options.steps,
        "guidance": take.request.options.guidance,
        "frames": take.request.options.num_frames,
        # The adapters as written on the %%sora line (ghibli:0.8+grain:0.3), None for none.
        "lora": lora_text.text(loras) if (loras := take.request.options.loras) else None,
        "step_cache": take.request.options.step_cache,
        # What the server charged, and where it charged nothing, what the hosted model
        # would have cost: never added to what was spent.
        "cost": take.cost,
        "estimated_cost": take.estimated_cost,
        "would_cost": take.would_cost,
        # Self-hosted engines' cost: the GPU time, memory and step time the server reported.
        "gpu_s": take.gpu_seconds,
        "s_per_step": take.seconds_per_step,
        "peak_mem_mb": take.peak_memory_mb,
        # The time of each stage, where the server timed them (seconds).
        **stage_columns(take),
        "created_at": take.created_at,
        "queued_s": queued,
        "elapsed_s": round(take.elapsed, 3) if take.done else None,
        "rating": take.rating,
        "note": take.note,
        "error": take.error.message if take.error else None,
        # Lineage and cast: what it was made from, and who is in it.
        "kind": take.request.kind,
        "parent": _parent_of(take),
        "characters": ", ".join(m.name for m in take.request.characters) or None,
    }
    found = cached(take)
    row = found.row() if found is not None else dict.fromkeys(METRIC_COLUMNS)
    record.update(row)
    return record


#: The stages the bundled server times, as results columns.
STAGE_COLUMNS = ("text_encoding_s", "denoising_s", "vae_decode_s", "encoding_s")


def stage_columns(take: Take) -> Record:
    """A take's stage times as columns (``denoising_s``...), an engine's own stages too."""
    stages = take.stage_durations or {}
    columns: Record = dict.fromkeys(STAGE_COLUMNS)
    for stage, seconds in stages.items():
        columns[f"{stage}_s"] = seconds
    return columns


def _parent_of(take: Take) -> str | None:
    parent = take.request.parent
    if parent is not None:
        return parent.take or parent.job
    return take.request.remix_of


def grid_records(
    run: GridRun,
    *,
    ledger: Ledger | None = None,
    measure: bool = False,
    votes: Sequence[Vote] = (),
) -> list[Record]:
    """One record per take of a grid: the axes' values first, then the take's columns.

    With ``measure=True`` (and the grid's ``ledger``) takes not yet measured are measured now
    and the readings cached; otherwise metric columns are empty until measured. With
    ``votes``, each take's pairwise wins, losses and ties are counted too.
    """
    if measure:
        if ledger is None:
            raise ValueError("measure=True needs the ledger the grid's takes are recorded in.")
        measure_takes(run.takes, ledger)
    tally = _tally(votes)
    # A grid that varies the step cache: each cached take against its uncached twin.
    cached_takes = not all(uncached(take) for take in run.takes)
    speedups = against_uncached(run.takes) if cached_takes else {}
    records: list[Record] = []
    for cell in run.plan.cells:
        for take in run.cell_takes(cell.index):
            record: Record = {**cell.labels, "cell": cell.index}
            record.update(take_record(take))
            record["words"] = cell.word_count
            record["prompt"] = cell.prompt
            if cached_takes:
                record.update(speedups.get(take.id, dict.fromkeys(SPEEDUP_COLUMNS)))
            if votes:
                record.update(tally.get(take.id, {"wins": 0, "losses": 0, "ties": 0}))
            records.append(record)
    return records


#: The columns a person reads first in a history, in this order.
HISTORY_COLUMNS = (
    "when",
    "take_id",
    "prompt",
    "words",
    "model",
    "size",
    "seconds",
    "status",
    "rating",
    "cost",
    "gpu_s",
)


def history_records(
    ledger: Ledger, n: int | None = None, *, all_columns: bool = True
) -> list[Record]:
    """The newest ``n`` takes in a media folder (all with None), one record each, newest first:
    the columns a person reads first (:data:`HISTORY_COLUMNS`: ``when`` is the local time the
    take was made), then the rest. ``all_columns=False`` leaves out columns empty in every row
    and ``created_at`` (epoch seconds: ``when`` shows it as a person reads it).
    """
    records = []
    for take in ledger.history(n):
        record = take_record(take)
        record["prompt"] = take.request.prompt
        record["when"] = dt.datetime.fromtimestamp(round(take.created_at)).astimezone()
        first = {name: record[name] for name in HISTORY_COLUMNS}
        records.append(first | {k: v for k, v in record.items() if k not in first})
    if not all_columns:
        filled = {key for record in records for key, value in record.items() if _filled(value)}
        filled.discard("created_at")
        records = [{k: v for k, v in r.items() if k in filled} for r in records]
    return records


def history_view(records: Sequence[Record]) -> list[Record]:
    """History records as a person reads them: the columns of :data:`HISTORY_COLUMNS` that
    have a value somewhere, the time to the second, the prompt shortened with its word count."""
    rows = []
    for record in records:
        row: Record = {name: record.get(name) for name in HISTORY_COLUMNS if name != "words"}
        when = row.get("when")
        if isinstance(when, dt.datetime):
            row["when"] = when.strftime("%Y-%m-%d %H:%M:%S")
        row["take"] = row.pop("take_id", None)
        row["prompt"] = _short(str(record.get("prompt") or ""), record.get("words"))
        rows.append({k: row[k] for k in ("when", "take", *row) if k in row})
    filled = {key for row in rows for key, value in row.items() if _filled(value)}
    return [{k: v for k, v in row.items() if k in filled} for row in rows]


def _short(prompt: str, words: Any, limit: int = 60) -> str:
    """ "A lighthouse on a rocky point at golden… (24 words)"."""
    text = " ".join(prompt.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return f"{text} ({words} words)" if words is not None else text


def _filled(value: Any) -> bool:
    return (
        value is not None and value != "" and not (isinstance(value, float) and math.isnan(value))
    )


def table(records: Sequence[Record]) -> pd.DataFrame:
    """Records as a pandas DataFrame, columns in first-seen order (an empty frame for none)."""
    import pandas as pd

    return pd.DataFrame(list(records), columns=_columns(records) or None)


def grid_results(
    run: GridRun,
    *,
    ledger: Ledger | None = None,
    measure: bool = False,
    votes: Sequence[Vote] = (),
) -> pd.DataFrame:
    """A grid's results as a tidy DataFrame: one row per take."""
    return table(grid_records(run, ledger=ledger, measure=measure, votes=votes))


def results_for(run: GridRun, *, measure: bool = False) -> pd.DataFrame:
    """A grid's results with everything its media folder knows: cached metrics, ratings and
    the pairwise votes between its takes (``measure=True`` measures what is not measured yet).

    It needs only the run, finding the ledger beside its takes; ``Study.results()`` calls it.
    """
    return table(run_records(run, measure=measure))


def run_records(run: GridRun, *, measure: bool = False) -> list[Record]:
    """The rows of :func:`results_for` as plain dicts."""
    folder = media_dir_of(run)
    if folder is None:
        return grid_records(run)
    ledger = Ledger(folder)
    try:
        with Votes(ledger) as book:
            votes = book.all(run.takes)
        return grid_records(run, ledger=ledger, measure=measure, votes=votes)
    finally:
        ledger.close()


def history_results(
    ledger: Ledger, n: int | None = 20, *, all_columns: bool = False
) -> pd.DataFrame:
    """The media folder's newest ``n`` takes (all with None) as a tidy DataFrame, newest first:
    the columns a person reads first, then the others that have a value (every column with
    ``all_columns=True``)."""
    return table(history_records(ledger, n, all_columns=all_columns))


def write_csv(rows: Any, path: Path | str) -> Path:
    """Write records (or a DataFrame) as UTF-8 CSV with a header row; empty cells for None, and
    text a spreadsheet would run as a formula kept as text (:func:`spreadsheet_safe`)."""
    records = _records(rows)
    columns = _columns(records)
    out = io.StringIO()
    # CRLF rows (RFC 4180): the csv module then quotes a note with a line break of either kind.
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writerow({column: spreadsheet_safe(column) for column in columns})
    for record in records:
        writer.writerow({k: spreadsheet_safe(_csv_value(v)) for k, v in record.items()})
    target = Path(path)
    media.write_atomic(target, out.getvalue().encode("utf-8"))
    return target


def write_json(rows: Any, path: Path | str, **extra: Any) -> Path:
    """Write records (or a DataFrame) as JSON: ``{"rows": [...], **extra}``, NaN as null."""
    payload = {**extra, "rows": [_clean(r) for r in _records(rows)]}
    target = Path(path)
    text = json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False, default=str)
    media.write_atomic(target, text.encode("utf-8"))
    return target


def media_dir_of(run: GridRun) -> Path | None:
    """The media folder a run's takes live in (None for takes not attached to one)."""
    for take in run.takes:
        try:
            return take.media_dir
        except RuntimeError:  # a take not attached to a media folder (built by hand)
            continue
    return None


def _tally(votes: Iterable[Vote]) -> dict[str, dict[str, int]]:
    tally: dict[str, dict[str, int]] = {}
    for vote in votes:
        for take_id, side in ((vote.left, "left"), (vote.right, "right")):
            row = tally.setdefault(take_id, {"wins": 0, "losses": 0, "ties": 0})
            if vote.winner == "tie":
                row["ties"] += 1
            elif vote.winner == side:
                row["wins"] += 1
            else:
                row["losses"] += 1
    return tally


def _records(rows: Any) -> list[Record]:
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):
        records: list[Record] = rows.to_dict(orient="records")
        return records
    return [dict(r) for r in rows]


def _columns(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every key in first-seen order (records may differ: a history mixes grids)."""
    return list(dict.fromkeys(key for record in records for key in record))


#: What makes a spreadsheet read a cell as a formula (OWASP's list on CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """``value``, or for text a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+1``,
    ``@SUM``, a leading tab ...) the same text after a ``'``, so it opens as the words written."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _clean(record: Mapping[str, Any]) -> Record:
    return {
        key: None if isinstance(value, float) and math.isnan(value) else value
        for key, value in record.items()
    }
