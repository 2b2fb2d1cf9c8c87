"""The labelled mosaic MP4 and the contact sheet, made from real animatic takes."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from sora_nb import media
from sora_nb.research.contact import contact_sheet
from sora_nb.research.judgements import rate
from sora_nb.research.layout import grid_layout
from sora_nb.research.mosaic import MosaicError, render_mosaic
from sora_nb.runs.grid import GridRun
from sora_nb.runs.take import Take
from tests.research.clips import write_clip
from tests.research.conftest import Studio


def _region(frame: np.ndarray, x: int, y: int, w: int, h: int) -> np.ndarray:
    return frame[y : y + h, x : x + w].astype(np.float64)


def _audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray().mean(axis=0) for f in container.decode(audio=0)])


def test_a_3x3_mosaic_of_8s_720p_takes_has_the_size_length_headers_and_cells(
    three_by_three: Studio, tmp_path: Path
) -> None:
    run = three_by_three.run
    out = render_mosaic(run, tmp_path / "grid.mp4")
    info = media.probe(out)
    layout = grid_layout(run.plan, run.takes)
    # Nine 640x360 cells (1920x1080) plus a header band and a row-label margin.
    assert (layout.cell_width, layout.cell_height) == (640, 360)
    assert (info.width, info.height) == (layout.width, layout.height)
    assert 1920 < info.width <= 1920 + 400 and 1080 < info.height <= 1080 + 120
    assert info.duration == pytest.approx(8.0, abs=1 / 24) and info.frame_count == 192
    assert info.has_audio

    frame = media.decode_frames(out, [100])[100]
    painted = np.asarray(layout.background, dtype=np.float64)
    heads = []
    for col in range(3):
        x = layout.margin + col * (layout.cell_width + 4)
        head = _region(frame, x, 0, layout.cell_width, layout.header)
        # The burned-in header is there (light text on the dark band) and reads as drawn.
        assert (head.max(axis=2) > 200).sum() > 100
        assert np.abs(head - _region(painted, x, 0, layout.cell_width, layout.header)).mean() < 6
        heads.append(head)
    assert np.abs(heads[0] - heads[2]).mean() > 3  # "short · 11 words" is not "long · 55 words"
    row_head = _region(frame, 0, layout.header, layout.margin, layout.cell_height)
    assert (row_head.max(axis=2) > 200).sum() > 50

    # Each cell shows its own take at the same moment: compare one cell with its source.
    slot = next(s for s in layout.slots if s.cell == 7)
    assert slot.take is not None
    source = media.decode_frames(slot.take.video_path, [100])[100]
    expected = np.asarray(
        Image.fromarray(source).resize((640, 360), Image.Resampling.BILINEAR), dtype=np.float64
    )
    shown = _region(frame, slot.x, slot.y, 640, 360)
    assert np.abs(shown - expected).mean() < 8
    other = next(s for s in layout.slots if s.cell == 0)
    assert np.abs(_region(frame, other.x, other.y, 640, 360) - expected).mean() > 12


def test_the_soundtrack_is_the_soloed_cell_or_nothing(studio: Studio, tmp_path: Path) -> None:
    run = studio.run
    solo = render_mosaic(run, tmp_path / "solo.mp4", audio=1, cell_width=320)
    mosaic = _audio(solo)
    sources = [_audio(take.video_path) for take in run.takes]
    n = min(len(mosaic), *(len(s) for s in sources))

    def similarity(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.corrcoef(a[:n], b[:n])[0, 1])

    assert similarity(mosaic, sources[1]) > 0.9
    assert similarity(mosaic, sources[1]) > similarity(mosaic, sources[0]) + 0.2
    silent = render_mosaic(run, tmp_path / "silent.mp4", audio=None, cell_width=160)
    assert not media.probe(silent).has_audio
    with pytest.raises(MosaicError, match="Cell 9"):
        render_mosaic(run, tmp_path / "bad.mp4", audio=9, cell_width=160)
    assert not (tmp_path / "bad.mp4").exists() and not list(tmp_path.glob(".*part"))


def test_the_contact_sheet_shows_each_cell_under_its_headers_with_ratings(
    studio: Studio, tmp_path: Path
) -> None:
    run = studio.run
    rate(studio.ledger, run.takes[2], "up")
    try:
        data = contact_sheet(run, tmp_path / "sheet.png", cell_width=320)
    finally:
        rate(studio.ledger, run.takes[2], None)
    assert (tmp_path / "sheet.png").read_bytes() == data
    sheet = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.float64)
    layout = grid_layout(run.plan, run.takes, cell_width=320)
    assert sheet.shape == (layout.height, layout.width, 3)
    for slot in layout.slots:
        assert slot.take is not None
        info = media.probe(slot.take.video_path)
        index = media.thumbnail_index(info.frame_count)
        still = Image.fromarray(media.decode_frames(slot.take.video_path, [index])[index])
        expected = np.asarray(still.resize((320, 180), Image.Resampling.LANCZOS), np.float64)
        # Bottom half only: the top-left corner carries the rating mark on the rated cell.
        shown = _region(sheet, slot.x, slot.y, 320, 180)
        assert np.abs(shown[90:] - expected[90:]).mean() < 3
    rated = next(s for s in layout.slots if s.cell == 2)
    corner = _region(sheet, rated.x, rated.y, 100, 40)
    assert (corner.max(axis=2) > 220).sum() > 30 and (corner.max(axis=2) < 10).sum() > 100


def test_cells_of_different_lengths_and_rates_share_one_timeline_and_failures_show(
    studio: Studio, tmp_path: Path
) -> None:
    # The 2x2 grid's plan with takes of our own: 2 s red at 24 fps, 4 s green at 30 fps,
    # a failed take, and 3 s blue at 24 fps (no sound anywhere).
    takes = [Take.model_validate(t.model_dump()).attach(tmp_path) for t in studio.run.takes]
    colours = {0: (220, 30, 30), 1: (30, 200, 60), 3: (40, 60, 220)}
    lengths = {0: (48, 24), 1: (120, 30), 3: (72, 24)}
    for index, colour in colours.items():
        path = takes[index].path("video")
        path.parent.mkdir(parents=True, exist_ok=True)
        solid = np.full((720, 1280, 3), colour, dtype=np.uint8)
        count, fps = lengths[index]
        write_clip(path, lambda i, solid=solid: solid, count, fps=fps, crf=30)
    takes[2].status = "failed"
    run = GridRun(studio.run.plan, takes)
    out = render_mosaic(run, tmp_path / "mixed.mp4", cell_width=320)
    info = media.probe(out)
    assert info.fps == pytest.approx(30) and info.duration == pytest.approx(4.0, abs=0.05)
    assert not info.has_audio
    layout = grid_layout(run.plan, run.takes, cell_width=320)
    late = media.decode_frames(out, [105])[105]  # 3.5 s: only the green clip is still running
    for slot in layout.slots:
        shown = _region(late, slot.x + 40, slot.y + 40, 240, 100).mean(axis=(0, 1))
        if slot.cell in colours:
            # Shorter clips hold their last frame rather than going black.
            assert np.abs(shown - colours[slot.cell]).max() < 12, (slot.cell, shown)
        else:
            assert slot.take is None
            middle = _region(late, slot.x, slot.y, 320, 180)
            assert (middle.max(axis=2) > 120).sum() > 30  # the word "failed" on the placeholder
