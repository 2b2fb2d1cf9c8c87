"""The README's picture: a real 3×3 comparison (camera move × prompt length) rendered by the
offline animatic, paused on the shared clock, saved as tests/artifacts/screenshots/grid.png."""

from __future__ import annotations

from pathlib import Path

import playwright.sync_api
import pytest
from IPython.display import display

from sora_nb.notebook.widgets import Grid
from sora_nb.notebook.widgets._base import word_count
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.take import Take
from sora_nb.server.renderers.animatic import AnimaticRequest, render
from tests.browser import wait_js
from tests.ui.conftest import hide_solara_badge

GRID = "[data-widget=sora-grid]"
MOVES = ["static shot", "slow push-in", "orbit"]
LENGTHS = {
    "short": "A red kite over a beach at dawn, {move}.",
    "medium": (
        "A red kite dances over a quiet beach at dawn, {move}; soft golden light, "
        "waves rolling in, gulls overhead, wind and surf."
    ),
    "long": (
        "Wide shot. A red kite dances above an empty beach at dawn, {move}, 35mm lens. "
        "Soft golden light rakes across wet sand; a child runs along the waterline holding "
        "the string. Palette: coral, teal, warm gold. Sound: waves, wind, distant gulls."
    ),
}


@pytest.fixture(scope="module")
def animatic_takes(tmp_path_factory: pytest.TempPathFactory) -> list[Take]:
    media = tmp_path_factory.mktemp("readme-media")
    takes = []
    for rung, template in LENGTHS.items():
        for move in MOVES:
            prompt = template.format(move=move)
            name = f"{rung}-{move.split()[-1]}"
            render(AnimaticRequest(prompt=prompt, width=480, height=270, seconds=4), media / name)
            take = Take(
                id=name,
                key=name,
                request=VideoRequest(prompt=prompt, size="1280x720", seconds=4),
                server="local",
                status="completed",
                progress=100,
                folder=name,
            ).attach(media)
            takes.append(take)
    return takes


def test_grid_screenshot_for_the_readme(
    solara_test: None,
    page_session: playwright.sync_api.Page,
    animatic_takes: list[Take],
    screenshots: Path,
) -> None:
    page = page_session
    grid = Grid(
        animatic_takes,
        col_labels=MOVES,
        row_labels=[
            {"text": rung, "words": word_count(animatic_takes[3 * i].request.prompt)}
            for i, rung in enumerate(LENGTHS)
        ],
        col_title="camera",
        row_title="length",
        labels=[f"{t.id} · {word_count(t.request.prompt)} words" for t in animatic_takes],
    )
    display(grid)
    wait_js(
        page,
        f"[...document.querySelectorAll('{GRID} .sora-cell video')].every(v => v.readyState >= 2)",
        "all nine animatic videos to load",
        45,
    )
    page.locator(f"{GRID} .sora-cell[data-cell='4'] [data-action=up]").click()
    page.locator(f"{GRID} [data-action=play]").click()
    page.wait_for_timeout(2_200)
    page.locator(f"{GRID} [data-action=play]").click()
    page.wait_for_timeout(300)
    heads = page.locator(f"{GRID} [data-role=row-head]").all_inner_texts()
    assert [h.split("(")[1] for h in heads] == [
        f"{word_count(animatic_takes[3 * i].request.prompt)} words)" for i in range(3)
    ]
    hide_solara_badge(page)
    page.locator(GRID).screenshot(path=str(screenshots / "grid.png"))
    assert (screenshots / "grid.png").stat().st_size > 10_000
