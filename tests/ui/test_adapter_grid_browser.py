"""An adapter-strength grid, rendered for real: the bundled server's tiny random-weight Wan with
two tiny random LoRAs (``--vary lora=none,ghibli:0.5,ghibli:1.0,grain:1.0`` across, two seeds
down), shown in the Grid in Chromium. Its screenshot, tests/artifacts/screenshots/adapter-grid.png,
is copied to docs/images by ``make screenshots``.

Random weights draw frames of near-even grey; what the picture shows is the shape of the question
(which adapter, at what strength, against none). The test checks what the eye cannot: each
adapter and strength gives other pixels from the same seed."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from pathlib import Path

import httpx
import playwright.sync_api
import pytest
from IPython.display import display
from PIL import Image, ImageChops
from starlette.applications import Starlette

from sora_nb.notebook.widgets import Grid
from sora_nb.runs.grid import Axis
from sora_nb.runs.session import Session
from sora_nb.server.renderers.diffusers.tiny import TinyKind, build_tiny_lora
from tests.browser import wait_for, wait_js
from tests.local.conftest import local_app, tiny  # noqa: F401 - the tiny pipelines' fixtures
from tests.ui.conftest import hide_solara_badge

GRID = "[data-widget=sora-grid]"
PROMPT = "a red kite over the sea at sunset"
STRENGTHS = ["none", "ghibli:0.5", "ghibli:1.0", "grain:1.0"]
SEEDS = ["1", "2"]


def shown(video: playwright.sync_api.Locator) -> Image.Image:
    """The frame a video element shows now, as the screen shows it."""
    return Image.open(io.BytesIO(video.screenshot())).convert("RGB")


def differ(a: Image.Image, b: Image.Image) -> bool:
    """True when more than 3% of two frames' pixels differ. The same video at the same time
    shows the same pixels; random weights make frames of near-even grey, so the adapters'
    changes are small (seen: a level or two out of 255 on 8% to 35% of the pixels)."""
    changed = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 0 else 0)
    return changed.histogram()[255] > a.width * a.height * 3 // 100


@pytest.fixture
def wan_with_adapters(
    local_app: Callable[..., Starlette],  # noqa: F811 - imported above
    tiny: Callable[[TinyKind], Path],  # noqa: F811
    tmp_path: Path,
) -> Session:
    """A session on the bundled server rendering the tiny Wan, with ghibli and grain offered."""
    folder = tmp_path / "loras"
    folder.mkdir()
    build_tiny_lora(tiny("wan"), folder / "ghibli.safetensors", seed=1)
    build_tiny_lora(tiny("wan"), folder / "grain.safetensors", seed=2)
    app = local_app("wan", lora_dir=folder)
    return Session(
        tmp_path / "media",
        base_url="http://local.test/v1",
        api_key="sk-local",
        client_options={"transport": httpx.ASGITransport(app=app)},
    )


def test_an_adapter_strength_grid_shows_each_strength_as_other_frames(
    solara_test: None,
    page_session: playwright.sync_api.Page,
    wan_with_adapters: Session,
    screenshots: Path,
) -> None:
    session = wan_with_adapters
    axes = [Axis.parse("lora", STRENGTHS), Axis.parse("seed", SEEDS)]
    plan = session.plan(PROMPT, axes=axes, size="112x64", seconds=1, options={"steps": 2})
    run = session.run_plan(plan)
    assert [t.status for t in run.takes] == ["completed"] * 8, [t.error for t in run.takes]

    page = page_session
    page.set_viewport_size({"width": 1100, "height": 700})
    display(Grid.from_run(run))
    wait_for(page.locator(f"{GRID} .sora-cell").nth(7), "the grid's eight cells", 30)
    wait_js(
        page,
        f"[...document.querySelectorAll('{GRID} .sora-cell video')].every(v => v.readyState >= 2)",
        "all eight adapter videos to load",
        45,
    )
    # What a reader sees: the axis in the corner, the adapter and strength on each column.
    assert page.locator(f"{GRID} [data-role=corner]").inner_text() == "seed ╲ lora"
    heads = page.locator(f"{GRID} [data-role=col-head]").all_inner_texts()
    assert heads == STRENGTHS, heads
    rows = page.locator(f"{GRID} [data-role=row-head]").all_inner_texts()
    assert rows == ["seed 1", "seed 2"], rows
    assert page.locator(f"{GRID} .sora-cell video").count() == 8
    # Same seed, another adapter or strength (or none): other frames.
    hide_solara_badge(page)
    videos = page.locator(f"{GRID} .sora-cell video")
    frames = [shown(videos.nth(i)) for i in range(8)]
    for row in (frames[0:4], frames[4:8]):
        for a, b in itertools.combinations(range(4), 2):
            assert differ(row[a], row[b]), f"{STRENGTHS[a]} and {STRENGTHS[b]} look the same"
    assert differ(frames[0], frames[4]), "the two seeds look the same"

    picture = screenshots / "adapter-grid.png"
    page.locator(GRID).screenshot(path=str(picture))
    assert picture.stat().st_size > 10_000
