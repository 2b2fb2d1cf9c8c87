"""`export(run, kind)`: every format from one call, to a named file or ./sora_exports/."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sora_nb import media
from sora_nb.research.export import ExportError, export, export_history, kind_of
from tests.research.conftest import Studio


def test_every_kind_lands_in_sora_exports_by_default(
    studio: Studio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = studio.run
    made = {
        kind: export(run, kind, ledger=studio.ledger, cell_width=160)
        if kind in ("mp4", "contact")
        else export(run, kind, ledger=studio.ledger)
        for kind in ("csv", "json", "html", "contact", "mp4")
    }
    for kind, path in made.items():
        assert path.parent == Path("sora_exports") and path.is_file(), kind
    assert made["contact"].suffix == ".png" and made["html"].suffix == ".html"
    assert (tmp_path / "sora_exports" / f"{made['html'].stem}_files").is_dir()
    assert media.probe(made["mp4"]).duration == pytest.approx(4.0, abs=0.05)
    with made["csv"].open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["take_id"] for r in rows] == [t.id for t in run.takes]
    data = json.loads(made["json"].read_text(encoding="utf-8"))
    assert data["axes"] == {"length": ["short", "long"], "sr": ["dusk", "noon"]}
    assert data["grid"].startswith("length (short, long) × sr (dusk, noon) × 1 take each")
    assert len(data["rows"]) == 4


def test_a_named_path_or_folder_is_used_and_a_bad_kind_says_what_exists(
    studio: Studio, tmp_path: Path
) -> None:
    named = export(studio.run, "CSV", tmp_path / "mine.csv")
    assert named == tmp_path / "mine.csv" and named.is_file()
    into = export(studio.run, "json", tmp_path)
    assert into.parent == tmp_path and into.suffix == ".json"
    with pytest.raises(ExportError, match="html, mp4, contact, csv, json"):
        export(studio.run, "gif", tmp_path / "x.gif")
    history = export_history(studio.ledger, "json", tmp_path / "history.json")
    assert len(json.loads(history.read_text(encoding="utf-8"))["rows"]) >= 4
    with pytest.raises(ExportError, match="csv or json"):
        export_history(studio.ledger, "mp4")


def test_the_report_heads_columns_with_length_and_word_count(
    studio: Studio, tmp_path: Path
) -> None:
    report = export(studio.run, "html", tmp_path / "r.html")
    page = report.read_text(encoding="utf-8")
    for cell in studio.run.plan.cells[:: len(studio.run.plan.axes[1].values)]:
        assert f"<th>{cell.labels['length']} · {cell.word_count} words</th>" in page
    assert "<th>dusk</th>" in page and "<th>sr \\ length</th>" in page


def test_kind_of_tells_export_kinds_from_bundle_paths() -> None:
    assert [kind_of(w) for w in ("HTML", "report", "mosaic", "png", ".csv", "json")] == [
        "html",
        "html",
        "mp4",
        "contact",
        "csv",
        "json",
    ]
    assert kind_of("lesson.zip") is None and kind_of("") is None
