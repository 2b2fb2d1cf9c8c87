"""Bundles carry finished takes to another media folder, intact, or refuse clearly."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from sora_nb.media import write_atomic
from sora_nb.runs.bundle import BundleError, export_bundle, import_bundle
from sora_nb.runs.files import write_sidecar
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.take import Take


def finished_take(ledger: Ledger, prompt: str, *, status: str = "completed") -> Take:
    request = VideoRequest(prompt=prompt)
    key = request.cache_key("local")
    take = Take(
        id=f"take_{key[:8]}", key=key, request=request, server="local", folder=f"takes/{key[:8]}"
    ).attach(ledger.media_dir)
    ledger.insert(take)
    changes = {"status": status, "job_id": f"video_{key[:6]}", "cost": 0.4}
    ledger.update(take.id, **changes)
    take.update(**changes)
    if status == "completed":
        write_atomic(take.path("video"), b"\x00\x00\x00\x18ftypmp42" + prompt.encode() * 50)
        write_atomic(take.path("thumbnail"), b"RIFF....WEBP" + prompt.encode())
    write_sidecar(take)
    return take


@pytest.mark.parametrize("name", ["study", "study.zip"])
def test_a_bundle_round_trips_into_an_empty_media_folder(tmp_path: Path, name: str) -> None:
    source = Ledger(tmp_path / "a")
    takes = [finished_take(source, "a lighthouse at dusk"), finished_take(source, "rain on tin")]
    bundle = export_bundle(takes, tmp_path / name)

    target = Ledger(tmp_path / "b")
    imported = import_bundle(bundle, target)

    assert [t.id for t in imported] == [t.id for t in takes]
    for before, after in zip(takes, imported, strict=True):
        assert after.status == "completed" and after.job_id == before.job_id
        assert after.path("video").read_bytes() == before.path("video").read_bytes()
        assert after.request == before.request and after.key == before.key
        sidecar = json.loads((target.media_dir / after.folder / "take.json").read_text())
        assert sidecar["prompt"] == before.request.prompt
    # Importing again changes nothing.
    assert len(import_bundle(bundle, target)) == 2
    assert target.count() == 2


def test_only_completed_takes_travel_and_an_empty_export_is_refused(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "a")
    failed = finished_take(ledger, "x", status="failed")
    with pytest.raises(BundleError, match="No completed takes"):
        export_bundle([failed], tmp_path / "b")
    assert not (tmp_path / "b").exists()


def test_a_damaged_bundle_imports_nothing(tmp_path: Path) -> None:
    source = Ledger(tmp_path / "a")
    takes = [finished_take(source, "one"), finished_take(source, "two")]
    bundle = export_bundle(takes, tmp_path / "bundle")
    video = bundle / takes[1].folder / "video.mp4"
    video.write_bytes(video.read_bytes()[:-10])

    target = Ledger(tmp_path / "b")
    with pytest.raises(BundleError, match="damaged"):
        import_bundle(bundle, target)
    assert target.count() == 0
    assert not (target.media_dir / "takes").exists()


def test_a_bundle_cannot_write_outside_the_media_folder(tmp_path: Path) -> None:
    source = Ledger(tmp_path / "a")
    bundle = export_bundle([finished_take(source, "one")], tmp_path / "b.zip")
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(bundle) as good, zipfile.ZipFile(evil, "w") as bad:
        for info in good.infolist():
            bad.writestr(info, good.read(info))
        bad.writestr("../escaped.txt", b"gotcha")
    target = Ledger(tmp_path / "c")
    with pytest.raises(BundleError, match="outside itself"):
        import_bundle(evil, target)
    assert not (tmp_path / "escaped.txt").exists()
    assert target.count() == 0


def test_not_a_bundle_is_named(tmp_path: Path) -> None:
    target = Ledger(tmp_path / "b")
    with pytest.raises(BundleError, match="no bundle"):
        import_bundle(tmp_path / "missing", target)
    (tmp_path / "folder").mkdir()
    with pytest.raises(BundleError, match="not a sora_nb bundle"):
        import_bundle(tmp_path / "folder", target)
    (tmp_path / "junk.zip").write_bytes(b"PK not really")
    with pytest.raises(BundleError, match="not a zip bundle"):
        import_bundle(tmp_path / "junk.zip", target)


def test_an_existing_destination_is_not_overwritten(tmp_path: Path) -> None:
    source = Ledger(tmp_path / "a")
    take = finished_take(source, "one")
    (tmp_path / "taken").mkdir()
    with pytest.raises(BundleError, match="already exists"):
        export_bundle([take], tmp_path / "taken")


def test_a_bundle_naming_a_take_folder_outside_is_refused(tmp_path: Path) -> None:
    source = Ledger(tmp_path / "a")
    bundle = export_bundle([finished_take(source, "one")], tmp_path / "b")
    manifest = bundle / "bundle.json"
    data = json.loads(manifest.read_text())
    data["takes"][0]["take"]["folder"] = "../../outside"
    manifest.write_text(json.dumps(data))
    target = Ledger(tmp_path / "c")
    with pytest.raises(BundleError, match="outside itself"):
        import_bundle(bundle, target)
    assert target.count() == 0
