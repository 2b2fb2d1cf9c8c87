"""Grid layout for the mosaic and contact sheet: pages, headers, captions, missing cells."""

from __future__ import annotations

import numpy as np
import pytest

from sora_nb.research.layout import HEADER, axis_labels, grid_layout
from sora_nb.runs.grid import Axis, plan_grid
from tests.research.conftest import PROMPT


def test_a_third_axis_makes_pages_and_each_page_holds_its_own_cells() -> None:
    axes = [
        Axis.parse("length", ["short", "long"]),
        Axis.parse("sr", ["dusk", "noon"]),
        Axis.parse("seconds", ["4", "8"]),
    ]
    plan = plan_grid(PROMPT, axes)
    for page in (0, 1):
        layout = grid_layout(plan, [], cell_width=320, page=page)
        cells = {slot.cell for slot in layout.slots}
        assert cells == {c.index for c in plan.cells if c.coords[2] == page}
        assert len({(s.x, s.y) for s in layout.slots}) == 4
        assert all(slot.take is None for slot in layout.slots)  # nothing run: placeholders
    assert axis_labels(plan, 2) == ["4", "8"]
    with pytest.raises(ValueError, match="page is between 0 and 1"):
        grid_layout(plan, [], page=2)
    with pytest.raises(ValueError, match="take is between 1 and 1"):
        grid_layout(plan, [], take=2)


def test_word_counts_go_in_headers_when_shared_and_under_cells_when_not() -> None:
    shared = plan_grid(PROMPT, [Axis.parse("length", ["short", "long"])])
    labels = axis_labels(shared, 0)
    assert labels == [
        f"{v} · {c.word_count} words" for v, c in zip(["short", "long"], shared.cells, strict=True)
    ]
    assert all(slot.caption == "" for slot in grid_layout(shared, []).slots)
    # A palette axis changes the long prompt's length, so its cells say their own counts.
    varied = plan_grid(
        PROMPT,
        [Axis.parse("length", ["short", "long"]), Axis.parse("palette", ["teal", "red/gold/ink"])],
    )
    counts = {c.index: c.word_count for c in varied.cells}
    assert len({counts[c.index] for c in varied.cells if c.labels["length"] == "long"}) == 2
    assert axis_labels(varied, 0)[1] == "long"
    slots = grid_layout(varied, []).slots
    assert {s.cell: s.caption for s in slots} == {i: f"{n} words" for i, n in counts.items()}


def test_a_long_label_is_shortened_to_fit_its_cell() -> None:
    long_value = "an extraordinarily long replacement value " * 4
    plan = plan_grid(PROMPT, [Axis.parse("sr", ["dusk", long_value.strip()])])
    layout = grid_layout(plan, [], cell_width=160)
    assert layout.width == 2 * 160 + 4 and layout.margin == 0
    band = np.asarray(layout.background, dtype=np.int16)[: layout.header]
    text = np.abs(band - np.array(HEADER)).max(axis=2) > 60
    # Text in both headers, none spilling over the boundary between the two columns.
    assert text[:, 20:140].any() and text[:, 184:304].any()
    assert not text[:, 158:166].any()
