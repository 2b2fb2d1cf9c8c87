"""A self-contained HTML report of a grid: one file, with its videos in a folder beside it.

It opens from disk in any browser (no server, no network: no CDN, no external fonts or
scripts) and can be zipped and shared. Every user string (prompts, labels, notes) is escaped,
so a prompt that contains markup shows as text.
"""

from __future__ import annotations

import html
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sora_nb import media
from sora_nb.research.judgements import Vote
from sora_nb.research.layout import axis_labels
from sora_nb.research.metrics import METRIC_COLUMNS
from sora_nb.research.ranking import Ranked, rank_axis, rank_cells
from sora_nb.research.results import grid_records
from sora_nb.runs.grid import GridRun
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.take import Take

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1d1d22; background: #fafafa; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.sub { color: #555; margin: 0 0 16px; }
pre.prompt { white-space: pre-wrap; background: #fff; border: 1px solid #ddd; padding: 10px; }
table { border-collapse: collapse; }
table.grid td, table.grid th { padding: 4px; vertical-align: top; }
table.grid th { background: #23252d; color: #f2f2f2; font-weight: 600; }
table.grid video { width: 100%; max-width: 480px; display: block; background: #000; }
.cell { min-width: 200px; }
.caption { font-size: 12px; color: #444; margin-top: 3px; }
.rating-up { color: #137333; font-weight: 600; } .rating-down { color: #b3261e; font-weight: 600; }
.missing { background: #ddd; color: #555; padding: 40px 8px; text-align: center; }
table.data { font-size: 12px; background: #fff; }
table.data th, table.data td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
td, th { mso-number-format: "\\@"; } /* a spreadsheet opening this page reads text as text */
table.data td.num { mso-number-format: General; }
details { margin: 4px 0; }
"""
#: The columns the report's results table shows after the axes, in order.
TABLE_COLUMNS = ("take", "words", "status", "cost", "elapsed_s", "rating", "note", *METRIC_COLUMNS)


def write_report(
    run: GridRun,
    out_path: Path | str,
    *,
    ledger: Ledger | None = None,
    measure: bool = False,
    votes: Sequence[Vote] = (),
    title: str | None = None,
) -> Path:
    """Write ``report.html`` (or ``out_path``) and a ``<name>_files`` folder of videos beside it.

    The report shows the prompt, the grid with headers and playable videos, each take's
    ratings and notes, a results table (with metrics when measured: pass ``ledger`` and
    ``measure=True`` to measure now) and, given ``votes``, rankings per axis and per cell.
    """
    out = Path(out_path)
    if out.suffix.lower() not in (".html", ".htm"):
        out = out / "report.html"
    folder = out.with_name(f"{out.stem}_files")
    folder.mkdir(parents=True, exist_ok=True)
    records = grid_records(run, ledger=ledger, measure=measure, votes=votes)
    assets = _copy_assets(run, folder)
    heading = title or "sora_nb grid report"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # The report needs no script: forbid scripts outright, so even a missed escape in a
        # user string could not run one.
        '<meta http-equiv="Content-Security-Policy" content="script-src \'none\'; '
        "object-src 'none'; connect-src 'none'\">",
        f"<title>{_e(heading)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(heading)}</h1>",
        f'<p class="sub">{_e(run.plan.describe())} · made {_e(time.strftime("%Y-%m-%d %H:%M"))}'
        "</p>",
        _prompt_section(run),
        *_grid_sections(run, assets),
        _rankings(run, votes),
        "<h2>Results</h2>",
        _results_table(records, [a.name for a in run.plan.axes]),
        "</body></html>",
    ]
    media.write_atomic(out, "\n".join(p for p in parts if p).encode("utf-8"))
    return out


def _copy_assets(run: GridRun, folder: Path) -> dict[str, dict[str, str]]:
    """Put each completed take's video and poster in the folder; take id -> relative URLs."""
    assets: dict[str, dict[str, str]] = {}
    for cell in run.plan.cells:
        for take in run.cell_takes(cell.index):
            if take.status != "completed" or not take.video_path.is_file():
                continue
            stem = f"cell{cell.index + 1}_take{take.request.take}"
            found = {"video": _place(take.video_path, folder / f"{stem}.mp4")}
            poster = take.path("thumbnail")
            if poster.is_file():
                found["poster"] = _place(poster, folder / f"{stem}.webp")
            assets[take.id] = {k: f"{quote(folder.name)}/{quote(v)}" for k, v in found.items()}
    return assets


def _place(source: Path, target: Path) -> str:
    """Hard-link (same disk: no copy) or copy ``source`` to ``target``; return its name."""
    if target.exists() and target.stat().st_size == source.stat().st_size:
        return target.name
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
    return target.name


def _prompt_section(run: GridRun) -> str:
    prompts = list(dict.fromkeys(cell.prompt for cell in run.plan.cells))
    if len(prompts) == 1:
        return f'<h2>Prompt</h2><pre class="prompt">{_e(prompts[0])}</pre>'
    rows = []
    for cell in run.plan.cells:
        label = " · ".join(cell.labels.values()) or f"cell {cell.index + 1}"
        rows.append(
            f"<details><summary>{_e(label)} ({cell.word_count} words)</summary>"
            f'<pre class="prompt">{_e(cell.prompt)}</pre></details>'
        )
    return "<h2>Prompts</h2>" + "".join(rows)


def _grid_sections(run: GridRun, assets: dict[str, dict[str, str]]) -> list[str]:
    axes = run.plan.axes
    pages = axis_labels(run.plan, 2) or [""]
    columns = axis_labels(run.plan, 0) or [str(i + 1) for i in range(len(run.plan.cells))]
    rows = axis_labels(run.plan, 1) or [""]
    sections = []
    for p, page in enumerate(pages):
        head = f"<h2>Grid{_e(f' · {axes[2].name} = {page}') if page else ''}</h2>"
        corner = f"{axes[1].name} \\ {axes[0].name}" if len(axes) > 1 else ""
        lines = ['<table class="grid"><tr>']
        if len(axes) > 1:
            lines.append(f"<th>{_e(corner)}</th>")
        lines.extend(f"<th>{_e(value)}</th>" for value in columns)
        lines.append("</tr>")
        for r, row in enumerate(rows):
            lines.append("<tr>")
            if len(axes) > 1:
                lines.append(f"<th>{_e(row)}</th>")
            for c in range(len(columns)):
                cell = _find_cell(run, c, r, p)
                lines.append(f'<td class="cell">{_cell_html(run, cell, assets)}</td>')
            lines.append("</tr>")
        lines.append("</table>")
        sections.append(head + "".join(lines))
    return sections


def _find_cell(run: GridRun, column: int, row: int, page: int) -> int | None:
    if not run.plan.axes:
        return column if column < len(run.plan.cells) else None
    for cell in run.plan.cells:
        coords = (*cell.coords, 0, 0)[:3]
        if coords == (column, row, page):
            return cell.index
    return None


def _cell_html(run: GridRun, index: int | None, assets: dict[str, dict[str, str]]) -> str:
    if index is None:
        return ""
    cell = run.plan.cells[index]
    blocks = []
    for take in run.cell_takes(index):
        found = assets.get(take.id)
        if found:
            poster = f' poster="{_e(found["poster"])}"' if "poster" in found else ""
            blocks.append(
                f'<video src="{_e(found["video"])}"{poster} controls muted loop playsinline '
                f'preload="metadata" aria-label="{_e(_describe(cell.labels, take))}"></video>'
            )
        else:
            blocks.append(f'<div class="missing">{_e(take.status)}</div>')
        blocks.append(f'<div class="caption">{_caption(cell.word_count, take)}</div>')
    return "".join(blocks)


def _describe(labels: dict[str, str], take: Take) -> str:
    named = ", ".join(f"{k} {v}" for k, v in labels.items())
    return f"{named}, take {take.request.take}" if named else f"take {take.request.take}"


def _caption(words: int, take: Take) -> str:
    bits = [f"take {take.request.take}", f"{words} words"]
    if take.cost is not None:
        bits.append(f"${take.cost:.2f}")
    text = " · ".join(_e(b) for b in bits)
    if take.rating == 1:
        text += ' · <span class="rating-up">▲ good</span>'
    elif take.rating == -1:
        text += ' · <span class="rating-down">▼ bad</span>'
    if take.note:
        text += f"<br>{_e(take.note)}"
    if take.error:
        text += f"<br>{_e(take.error.message)}"
    return text


def _rankings(run: GridRun, votes: Sequence[Vote]) -> str:
    if not votes:
        return ""
    parts = [f"<h2>Rankings from {len(votes)} pairwise votes (Bradley–Terry)</h2>"]
    for axis in run.plan.axes:
        parts.append(f"<h3>{_e(axis.name)}</h3>" + _ranking_table(rank_axis(run, votes, axis.name)))
    parts.append("<h3>cells</h3>" + _ranking_table(rank_cells(run, votes)))
    return "".join(parts)


def _ranking_table(ranking: Sequence[Ranked]) -> str:
    records = [r.model_dump() for r in ranking]
    return _data_table(records, list(Ranked.model_fields))


def _results_table(records: Sequence[dict[str, Any]], axes: Sequence[str]) -> str:
    present = {key for record in records for key in record}
    return _data_table(records, [*axes, *(c for c in TABLE_COLUMNS if c in present)])


def _data_table(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    if not records:
        return "<p>No takes.</p>"
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = []
    for record in records:
        cells = []
        for column in columns:
            value = record.get(column)
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            shown = "" if value is None else _number(value) if isinstance(value, float) else value
            cells.append(f"<td{' class=num' if numeric else ''}>{_e(shown)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="data"><tr>{head}</tr>{"".join(body)}</table>'


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)
