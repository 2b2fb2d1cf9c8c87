"""The take history as a newcomer reads it in JupyterLab: ``%sora history`` and
``sora_nb.history()`` show first the columns a person reads (when, take, the prompt shortened with
its word count, model, size, seconds, status, cost), times as local datetimes, no column that is
empty in every row, and a table that fits the notebook.

The screenshot it keeps (``history.png``) is docs/images/history-after.png; history-before.png is
the same test run on the code before the history was reworked (it fails after the screenshot).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
import playwright.sync_api
import pytest

from tests.browser import Artifacts, wait_for, wait_js
from tests.jupyter import ALL_RAN, Served, run_all, serve
from tests.ui._media import BRIEF_03

NOTEBOOK = "history_test.ipynb"
#: The kernel's time zone: far from UTC, so a time shown in UTC (or as epoch seconds) is caught.
ZONE = "America/Los_Angeles"
KITE = "A red kite over the dunes."
CELLS = [
    "%load_ext sora_nb",
    f"%%sora --seconds 4\n{BRIEF_03}",
    f"%%sora --seconds 8\n{KITE}",
    "%sora history -n 5",
    "import sora_nb\n\nsora_nb.history()",
]
#: What %sora history shows, in this order: nothing else, since the rest is empty in every row.
READ_FIRST = ["when", "take", "prompt", "model", "size", "seconds", "status", "cost"]
#: The rows and header of an output's HTML table, as the page shows them.
TABLE_JS = """(out) => {
  const table = out.querySelector('table');
  const text = (el) => el.textContent.trim();
  const rows = [...table.querySelectorAll('tr')].map((tr) => [...tr.children].map(text));
  const caption = table.querySelector('caption');
  return {caption: caption ? text(caption) : '', rows, width: table.getBoundingClientRect().width,
          room: out.getBoundingClientRect().width};
}"""


@pytest.fixture
def lab(tmp_path: Path, browser_artifacts: Artifacts) -> Iterator[Served]:
    """JupyterLab on loopback serving a notebook that makes two takes and shows the history."""
    root = tmp_path / "root"
    root.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, root / NOTEBOOK)
    with serve("lab", root, tmp_path, browser_artifacts, env={"TZ": ZONE}) as served:
        yield served


@pytest.fixture
def lab_page(
    browser: playwright.sync_api.Browser, browser_artifacts: Artifacts
) -> Iterator[playwright.sync_api.Page]:
    page = browser_artifacts.watch(browser.new_page(viewport={"width": 1280, "height": 1100}))
    yield page
    page.close()


def _output(index: int) -> str:
    return f"document.querySelectorAll('.jp-NotebookPanel .jp-Cell')[{index}]"


def test_history_shows_what_a_person_reads_first_in_local_time(
    lab: Served, lab_page: playwright.sync_api.Page, screenshots: Path
) -> None:
    page = lab_page
    run_all(page, lab, NOTEBOOK, len(CELLS))
    cells = page.locator(".jp-NotebookPanel .jp-Cell")
    magic = cells.nth(3).locator(".jp-OutputArea-output table")
    frame = cells.nth(4).locator(".jp-OutputArea-output table")
    wait_for(magic, "the %sora history table", 90)
    wait_for(frame, "the sora_nb.history() DataFrame", 60)
    wait_js(page, ALL_RAN, "every cell to have run and the kernel to be idle", 60)
    page.evaluate(f"{_output(3)}.scrollIntoView({{block: 'start'}})")
    page.wait_for_timeout(300)  # let the scroll settle before the picture
    top = cells.nth(3).bounding_box()
    bottom = cells.nth(4).bounding_box()
    assert top is not None and bottom is not None
    page.screenshot(
        path=str(screenshots / "history.png"),
        clip={
            "x": top["x"],
            "y": top["y"],
            "width": top["width"],
            "height": min(bottom["y"] + bottom["height"], 1100) - top["y"],
        },
    )

    # %sora history: the caption says what it shows, the columns read first, nothing empty.
    shown = cells.nth(3).locator(".jp-OutputArea-output").evaluate(TABLE_JS)
    assert shown["caption"] == "All 2 takes in this media folder"
    header, *rows = shown["rows"]
    assert header == READ_FIRST
    assert len(rows) == 2
    for column, name in enumerate(header):
        assert any(row[column] for row in rows), f"column {name!r} is empty in every row"
    newest, oldest = (dict(zip(header, row, strict=True)) for row in rows)
    assert newest["prompt"] == f"{KITE} (6 words)"
    assert re.fullmatch(r".{20,61}… \(\d+ words\)", oldest["prompt"])
    assert (newest["seconds"], oldest["seconds"]) == ("8", "4")
    assert {newest["status"], oldest["status"]} == {"completed"}
    assert {newest["cost"], oldest["cost"]} == {"0.00"}  # the offline animatic charges nothing
    # When: the kernel's local time (not UTC, not epoch seconds), to the second.
    now = dt.datetime.now(ZoneInfo(ZONE)).replace(tzinfo=None)
    made = dt.datetime.strptime(newest["when"], "%Y-%m-%d %H:%M:%S")
    assert abs((now - made).total_seconds()) < 600
    assert shown["width"] <= shown["room"]  # fits the notebook: no sideways scrolling

    # sora_nb.history(): the same columns first (the whole prompt and its words), local times,
    # no column empty in every row; the DataFrame keeps the rest (all_columns=True: all).
    table = cells.nth(4).locator(".jp-OutputArea-output").evaluate(TABLE_JS)
    head, *body = table["rows"]
    assert head[1:5] == ["when", "take_id", "prompt", "words"]  # head[0]: the index's column
    assert "created_at" not in head
    assert body[1][3].startswith("A lighthouse keeper climbs the spiral stairs")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d-0[78]:00", body[0][1])
    for column, name in enumerate(head[1:], start=1):
        values = [row[column] for row in body if len(row) == len(head)]
        assert any(v not in ("", "None", "NaN", "NaT") for v in values), f"{name!r} is empty"
