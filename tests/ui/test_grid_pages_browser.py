"""A grid of three pages in a real widget front end (solara: no server route, so the kernel
sends the videos): only the page shown holds media, and memory stays flat while a user pages
back and forth."""

from __future__ import annotations

import playwright.sync_api
import pytest
from IPython.display import display

from sora_nb.notebook.widgets import Grid
from sora_nb.runs.take import Take
from tests.browser import wait_js
from tests.ui._media import make_take
from tests.ui._pages import js_heap_mb

GRID = "[data-widget=sora-grid]"
PAGES = ["dawn", "noon", "dusk"]


@pytest.fixture(scope="module")
def takes(tmp_path_factory: pytest.TempPathFactory) -> list[Take]:
    media = tmp_path_factory.mktemp("paged-media")
    return [make_take(media, f"p{i}", seconds=2, prompt=f"shot {i}", hue=i * 20) for i in range(12)]


def _page_loaded(page: playwright.sync_api.Page, first: int) -> None:
    """Wait (bounded) until the four cells of the page starting at ``first`` have video."""
    cells = [f"{GRID} .sora-cell[data-cell='{first + k}'] video" for k in range(4)]
    ready = " && ".join(f'document.querySelector("{c}")?.readyState >= 2' for c in cells)
    wait_js(page, ready, f"the page of cells {first}..{first + 3} to load its videos", 30)


def test_paging_keeps_only_the_page_shown_and_memory_flat(
    solara_test: None, page_session: playwright.sync_api.Page, takes: list[Take]
) -> None:
    page = page_session
    grid = Grid(
        takes,
        columns=2,
        col_labels=["sora-2", "sora-2-pro"],
        row_labels=["short", "long"],
        page_labels=PAGES,
        page_title="time",
    )
    display(grid)
    _page_loaded(page, 0)
    api = f"document.querySelector('{GRID}').soraGrid"
    heaps: list[float] = []
    held: list[int] = []
    for round_trip in range(2):
        for number in range(3):
            if round_trip or number:
                page.locator(f"{GRID} [data-action=page]").select_option(str(number))
            _page_loaded(page, 4 * number)
            shown = page.locator(f"{GRID} .sora-cell").evaluate_all(
                "cs => cs.map(c => Number(c.dataset.cell))"
            )
            assert shown == [4 * number + k for k in range(4)]
            with_src = page.locator(f"{GRID} video[src]").count()
            assert with_src == 4, f"page {number}: {with_src} videos hold media, not 4"
            held.append(page.evaluate(f"{api}.kernelBytes()"))
            heaps.append(js_heap_mb(page))
    assert grid.page == 2  # the page a user picked is the widget's state too
    # What the page holds from the kernel: one page's videos and posters, whichever page.
    per_page = sum(t.path(v).stat().st_size for t in takes[:4] for v in ("video", "thumbnail"))
    assert all(0.8 * per_page < h < 1.2 * per_page for h in held), (held, per_page)
    print(f"\nheap while paging (MB): {[round(h, 1) for h in heaps]}")
    # Flat: the second tour of the pages costs nothing more than the first.
    assert max(heaps[3:]) - max(heaps[:3]) < 2.0, heaps


def test_python_can_turn_the_page(
    solara_test: None, page_session: playwright.sync_api.Page, takes: list[Take]
) -> None:
    page = page_session
    grid = Grid(takes, columns=2, page_labels=PAGES, page_title="time")
    display(grid)
    _page_loaded(page, 0)
    grid.page = 1
    _page_loaded(page, 4)
    selected = page.locator(f"{GRID} [data-action=page]").input_value()
    assert selected == "1"
