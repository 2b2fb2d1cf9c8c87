"""The research tools from a notebook: metrics into the grid, pairwise votes into a ranking."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sora_nb import media
from sora_nb.notebook import functions, kernel
from sora_nb.notebook.display import widget_for
from sora_nb.research.export import ExportError
from sora_nb.research.study import Study
from sora_nb.runs.grid import GridRun
from sora_nb.server import ServerSettings

PROMPT = (
    "Medium shot of a runner on a foggy morning trail; natural camera shake; warm sunrise "
    "light filtering through trees; soft footsteps and birdsong."
)


@pytest.fixture
def run(tmp_path: Path) -> Iterator[GridRun]:
    kernel.reset()
    functions.configure(
        media_dir=tmp_path / "media",
        bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0),
    )
    yield functions.grid(PROMPT, {"length": ["short", "long"]}, takes=2)
    kernel.reset()


def test_measure_fills_the_table_the_ledger_and_the_grid(run: GridRun) -> None:
    grid = widget_for(run, functions.session())
    table = functions.measure()
    assert type(table) is pd.DataFrame
    rows = table.to_dict("records")
    assert len(rows) == 4 and all(row["motion"] is not None for row in rows)
    stored = functions.session().ledger.get(run.takes[0].id)
    assert stored is not None and "motion" in stored.metrics
    assert all("motion" in cell.metrics and "LUFS" in cell.metrics for cell in grid.cells)


def test_pairwise_votes_rank_the_axis_values(run: GridRun) -> None:
    judge = functions.judge()
    assert judge.pair is not None and judge.blind
    # Blind: nothing on screen or in the page's state tells the two cells apart.
    assert judge.question.value == "Which is better, left or right? (Play runs both together.)"
    assert judge.grid is not None and judge.grid.blind
    assert [cell.label for cell in judge.grid.cells] == ["Left", "Right"]
    assert {(cell.words, cell.model, cell.metrics) for cell in judge.grid.cells} == {(0, "", "")}
    assert judge.grid.cover == [0.15, 0.3]  # the bundled animatic's caption bands
    for _ in range(8):
        left, right = judge.pair
        long_side = "left" if "length=long" in _cell_of(run, left) else "right"
        short_long = {"length=long" in _cell_of(run, t) for t in (left, right)}
        judge.vote(long_side if short_long == {True, False} else "tie")
    # The ranking stays hidden while judging blind, until asked for.
    assert judge.standings.value == f"8 votes so far (round seed {judge.seed})."
    judge.reveal()
    assert judge.standings.value.startswith("8 votes. length: long > short (long ")
    assert "8 votes" in judge.standings.value.partition("(")[2]
    votes = functions.session().ledger
    from sora_nb.research.judgements import Votes

    recorded = Votes(votes).all()
    assert {(v.seed, v.blind) for v in recorded} == {(judge.seed, True)}
    judge.undo()
    assert judge.standings_text().startswith("7 votes.")
    # The rankings as tables: from the judge and from the run itself, the same numbers.
    table = judge.rankings()
    assert type(table) is pd.DataFrame
    assert list(table.columns[:3]) == ["by", "rank", "name"]
    by_length = table[table["by"] == "length"]
    assert list(by_length["name"]) == ["long", "short"] and list(by_length["rank"]) == [1, 2]
    assert list(by_length["comparisons"]) == [7, 7]
    low, high = by_length.iloc[0][["low", "high"]]
    assert low < by_length.iloc[0]["score"] < high
    assert isinstance(run, Study)
    pd.testing.assert_frame_equal(run.rankings(), table)
    assert set(table[table["by"] == "cell"]["name"]) == {"short", "long"}


def test_two_votes_are_too_few_and_a_seed_replays_the_sides(run: GridRun) -> None:
    first = functions.judge(seed=11)
    sides = []
    for winner in ("left", "right"):
        assert first.pair is not None
        sides.append(tuple(t.id for t in first.pair))
        first.vote(winner)
    text = first.standings_text()
    assert text.startswith("2 votes. length: ")
    assert "≈" in text and "too few votes to separate" in text
    # A round replayed with the same seed over the same votes shows the same sides.
    from sora_nb.research.judgements import Votes

    votes = Votes(functions.session().ledger)
    for _ in range(2):
        votes.undo()
    again = functions.judge(seed=11)
    replayed = []
    for winner in ("left", "right"):
        assert again.pair is not None
        replayed.append(tuple(t.id for t in again.pair))
        again.vote(winner)
    assert replayed == sides
    named = functions.judge(blind=False)
    assert named.grid is not None and not named.grid.blind
    assert all(
        cell.label.startswith(("Left (length=", "Right (length=")) for cell in named.grid.cells
    )
    with pytest.raises(ValueError, match="cover is 'auto', None, or"):
        functions.judge(cover=(0.9, 0))
    with pytest.raises(ValueError, match="seed is a whole number"):
        functions.judge(seed="11")  # type: ignore[arg-type]


def test_tables_are_dataframes_before_any_vote_or_measure(run: GridRun) -> None:
    assert isinstance(run, Study)
    assert type(run.results()) is pd.DataFrame and len(run.results()) == 4
    assert type(functions.history()) is pd.DataFrame and len(functions.history()) == 4
    rankings = run.rankings()
    assert type(rankings) is pd.DataFrame and set(rankings["comparisons"]) == {0}


def test_a_run_exports_every_kind_from_python(run: GridRun, tmp_path: Path) -> None:
    assert isinstance(run, Study)
    out = tmp_path / "out"
    made = {
        kind: run.export(kind, out / f"study.{kind}", cell_width=160)
        if kind in ("mp4", "contact")
        else run.export(kind, out / f"study.{kind}")
        for kind in ("csv", "json", "html", "contact", "mp4")
    }
    assert all(path.is_file() and path.stat().st_size > 0 for path in made.values())
    with made["csv"].open(encoding="utf-8") as handle:
        assert [r["take_id"] for r in csv.DictReader(handle)] == [t.id for t in run.takes]
    data = json.loads(made["json"].read_text(encoding="utf-8"))
    assert data["axes"] == {"length": ["short", "long"]} and len(data["rows"]) == 4
    assert media.probe(made["mp4"]).width > 0
    with pytest.raises(ExportError, match="html, mp4, contact, csv, json"):
        run.export("gif", out / "x.gif")


def test_a_take_and_the_last_run_export_through_sora_nb_export(
    run: GridRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    take = run.takes[0]
    video = functions.export(take, "mp4", tmp_path / "take.mp4", cell_width=160)
    assert media.probe(video).duration == pytest.approx(take.request.seconds, abs=0.1)
    record = json.loads(functions.export(take, "json", tmp_path / "take.json").read_text("utf-8"))
    assert [row["take_id"] for row in record["rows"]] == [take.id]
    # Nothing named: the kernel's last run, into ./sora_exports/ with a time-stamped name.
    monkeypatch.chdir(tmp_path)
    table = functions.export(kind="csv")
    assert table.parent == Path("sora_exports") and table.suffix == ".csv"
    assert len(table.read_text(encoding="utf-8").splitlines()) == 1 + len(run.takes)


def _cell_of(run: GridRun, take: object) -> str:
    for cell in run.plan.cells:
        if any(t is take for t in run.cell_takes(cell.index)):
            return ", ".join(f"{k}={v}" for k, v in cell.labels.items())
    raise AssertionError("take not in run")
