"""The research tools from a notebook: metrics into the grid, pairwise votes into a ranking."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sora_nb.notebook import api
from sora_nb.notebook.display import widget_for
from sora_nb.runs.grid import GridRun
from sora_nb.server import ServerSettings

PROMPT = (
    "Medium shot of a runner on a foggy morning trail; natural camera shake; warm sunrise "
    "light filtering through trees; soft footsteps and birdsong."
)


@pytest.fixture
def run(tmp_path: Path) -> Iterator[GridRun]:
    api.reset()
    api.configure(
        media_dir=tmp_path / "media",
        bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0),
    )
    yield api.grid(PROMPT, {"length": ["short", "long"]}, takes=2)
    api.reset()


def test_measure_fills_the_table_the_ledger_and_the_grid(run: GridRun) -> None:
    grid = widget_for(run, api.session())
    table = api.measure()
    rows = table.to_dict("records") if hasattr(table, "to_dict") else table
    assert len(rows) == 4 and all(row["motion"] is not None for row in rows)
    stored = api.session().ledger.get(run.takes[0].id)
    assert stored is not None and "motion" in stored.metrics
    assert all("motion" in cell.metrics and "LUFS" in cell.metrics for cell in grid.cells)


def test_pairwise_votes_rank_the_axis_values(run: GridRun) -> None:
    judge = api.judge()
    assert judge.pair is not None and "Which is better?" in judge.question.value
    for _ in range(8):
        left, right = judge.pair
        long_side = "left" if "length=long" in _cell_of(run, left) else "right"
        short_long = {"length=long" in _cell_of(run, t) for t in (left, right)}
        judge.vote(long_side if short_long == {True, False} else "tie")
    assert judge.standings_text().startswith("8 votes. length: long > short")
    judge.undo()
    assert judge.standings_text().startswith("7 votes.")


def _cell_of(run: GridRun, take: object) -> str:
    for cell in run.plan.cells:
        if any(t is take for t in run.cell_takes(cell.index)):
            return ", ".join(f"{k}={v}" for k, v in cell.labels.items())
    raise AssertionError("take not in run")
