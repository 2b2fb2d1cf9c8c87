"""Results as tidy tables, metrics cached in the ledger, and CSV / JSON that read back."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sora_nb.research import metrics
from sora_nb.research.judgements import Vote, Votes
from sora_nb.research.metrics import METRIC_COLUMNS, MetricsError, take_metrics
from sora_nb.research.results import (
    grid_records,
    grid_results,
    history_records,
    history_results,
    results_for,
    write_csv,
    write_json,
)
from sora_nb.runs.grid import GridRun
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.take import Take
from tests.research.conftest import Studio


def test_metrics_are_measured_once_and_kept_in_the_ledger(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    take = studio.run.takes[0]
    first = take_metrics(take, studio.ledger)
    assert first.frames == 96 and first.cuts == 0 and first.loudness_lufs is not None
    reopened = Ledger(studio.ledger.media_dir)
    try:
        stored = reopened.get(take.id)
        assert stored is not None and stored.metrics["version"] == metrics.METRICS_VERSION

        # Asked again (even from a fresh ledger), nothing is decoded: the cache answers.
        def refuse(path: object) -> None:
            raise AssertionError("measured again")

        monkeypatch.setattr(metrics, "measure", refuse)
        assert take_metrics(stored, reopened) == first
        # A reading from an older definition of the metrics is measured again.
        monkeypatch.undo()
        stored.update(metrics={**stored.metrics, "version": 0})
        assert take_metrics(stored, reopened) == first
    finally:
        reopened.close()
    failed = take.model_copy(update={"status": "failed", "metrics": {}})
    with pytest.raises(MetricsError, match="only completed takes"):
        take_metrics(failed, studio.ledger)


def test_grid_results_have_axes_words_cost_timings_metrics_and_votes(studio: Studio) -> None:
    run = studio.run
    a, b = run.takes[0], run.takes[3]
    votes = [
        Vote(id=1, at=1, left=a.id, right=b.id, winner="left"),
        Vote(id=2, at=2, left=b.id, right=a.id, winner="tie"),
    ]
    records = grid_records(run, ledger=studio.ledger, measure=True, votes=votes)
    assert len(records) == 4
    assert list(records[0])[:3] == ["length", "sr", "cell"]
    assert [(r["length"], r["sr"]) for r in records] == [
        ("short", "dusk"),
        ("short", "noon"),
        ("long", "dusk"),
        ("long", "noon"),
    ]
    assert [r["words"] for r in records] == [c.word_count for c in run.plan.cells]
    assert records[2]["words"] > records[0]["words"]
    for record in records:
        assert record["status"] == "completed" and record["cost"] == pytest.approx(0.4)
        assert record["elapsed_s"] is not None and record["queued_s"] is not None
        assert all(record[name] is not None for name in METRIC_COLUMNS)
        assert record["motion"] > 0 and -60 < record["loudness_lufs"] < 0
    assert (records[0]["wins"], records[0]["ties"]) == (1, 1)
    assert (records[3]["losses"], records[3]["ties"]) == (1, 1)
    assert records[1]["wins"] == records[1]["losses"] == 0


def test_tables_are_always_dataframes(studio: Studio) -> None:
    frame = grid_results(studio.run)
    assert type(frame) is pd.DataFrame
    assert list(frame.columns[:2]) == ["length", "sr"] and len(frame) == 4
    assert "sharpness" in frame.columns
    history = history_results(studio.ledger, n=None)
    assert type(history) is pd.DataFrame and len(history) == len(studio.run.takes)
    assert type(results_for(studio.run)) is pd.DataFrame
    # A table with no rows is still a table (the columns a caller selects may be missing).
    ledger = Ledger(studio.ledger.media_dir / "empty")
    try:
        empty = history_results(ledger, n=None)
    finally:
        ledger.close()
    assert type(empty) is pd.DataFrame and len(empty) == 0


def test_pandas_loads_only_when_a_table_is_made() -> None:
    probe = (
        "import sys\n"
        "import sora_nb\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "sora_nb.load_ipython_extension(InteractiveShell.instance())\n"
        "import sora_nb.research.results\n"
        "print('pandas' in sys.modules)\n"
        "sora_nb.research.results.table([{'a': 1}])\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    assert out == ["False", "True"]


def test_csv_and_json_exports_read_back_with_awkward_text(studio: Studio, tmp_path: Path) -> None:
    records = grid_records(studio.run)
    records[0]["note"] = 'said "hello", then\nleft; <b>bold</b>'
    path = write_csv(records, tmp_path / "results.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4 and rows[0]["note"] == records[0]["note"]
    assert rows[0]["length"] == "short" and float(rows[0]["cost"]) == pytest.approx(0.4)
    assert rows[2]["rating"] == ""  # None is an empty cell, not the word None

    frame = grid_results(studio.run)
    frame.loc[0, "cost"] = float("nan")
    out = write_json(frame, tmp_path / "results.json", axes={"length": ["short", "long"]})
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["axes"] == {"length": ["short", "long"]}
    assert len(data["rows"]) == 4 and data["rows"][0]["cost"] is None
    assert data["rows"][1]["take_id"] == studio.run.takes[1].id


def test_history_is_newest_first_with_prompts(studio: Studio) -> None:
    records = history_records(studio.ledger, n=2)
    assert len(records) == 2
    assert records[0]["created_at"] >= records[1]["created_at"]
    assert records[0]["prompt"] and records[0]["words"] > 0


def test_results_for_a_run_find_its_ledger_votes_and_metrics(studio: Studio) -> None:
    run = studio.run
    with Votes(studio.ledger) as votes:
        before = {t.id: 0 for t in run.takes}
        for vote in votes.all(run.takes):
            if vote.winner != "tie":
                before[vote.left if vote.winner == "left" else vote.right] += 1
        votes.record(run.takes[3], run.takes[0], "left")
    records = results_for(run, measure=True).to_dict("records")
    wins = {r["take_id"]: r["wins"] for r in records}
    assert wins[run.takes[3].id] == before[run.takes[3].id] + 1
    assert all(r["sharpness"] is not None for r in records)
    # Takes built by hand, attached to no media folder, still give a table (without votes).
    loose = GridRun(run.plan, [Take.model_validate(t.model_dump()) for t in run.takes])
    assert list(results_for(loose)["take_id"]) == [t.id for t in run.takes]
