"""The continuity reading at the joins of extended videos: high where an extension goes on from
its source's last frame, low where two unrelated videos are cut together."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sora_nb import media
from sora_nb.research.joins import (
    colour_similarity,
    continuity_table,
    layout_similarity,
    read_joins,
)
from sora_nb.runs.session import Session
from sora_nb.server import ServerSettings
from sora_nb.server.renderers.animatic import AnimaticFiles, AnimaticRequest, render
from sora_nb.server.renderers.animatic.stitch import stitch


def quarter(request: AnimaticRequest, out_dir: Path) -> AnimaticFiles:
    """The animatic at a quarter of the size (320x180 for 1280x720): captions stay small."""
    return render(
        dataclasses.replace(request, width=request.width // 4, height=request.height // 4),
        out_dir,
    )


def test_a_continued_join_reads_high_and_a_cut_reads_low(tmp_path: Path) -> None:
    s = Session(
        tmp_path / "media",
        bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0, renderer=quarter),
    )
    [first] = s.run_plan(s.plan("A lighthouse at dusk, waves below; slow pan.", seconds=4)).takes
    longer = first.extend("The beam sweeps the sea; push-in.", seconds=4)
    [join] = read_joins(longer)
    assert (join.join, join.at_seconds) == (1, 4.0)
    assert join.colour > 0.9 and join.layout > 0.9, join
    assert read_joins(first) == []  # made in one go: no join
    table = continuity_table([first, longer, longer])
    assert list(table.columns[:6]) == ["take_id", "kind", "join", "at_seconds", "colour", "layout"]
    assert list(table["take_id"]) == [longer.id]

    # The same source cut straight to an unrelated video: the reading drops.
    other = quarter(
        AnimaticRequest(
            prompt="A neon city street at night; static.", width=1280, height=720, seconds=4
        ),
        tmp_path / "other",
    )
    cut = stitch([first.video_path, other.video], tmp_path / "cut.mp4")
    before, after = media.decode_frames(cut, [95, 96]).values()
    assert colour_similarity(before, after) < 0.5
    assert layout_similarity(before, after) < join.layout - 0.3


@pytest.mark.parametrize("value", [0, 128, 255])
def test_identical_frames_read_one(value: int) -> None:
    import numpy as np

    frame = np.full((18, 32, 3), value, np.uint8)
    assert colour_similarity(frame, frame) == pytest.approx(1.0)
    assert layout_similarity(frame, frame) == pytest.approx(1.0)
