"""Live previews in a real widget front end: while an open model (the tiny random-weight Wan,
made slow enough by its steps) renders, the Player and the Grid cell show its preview changing;
then the finished video replaces it."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # a tiny step on a shared machine: one thread

from pathlib import Path

import playwright.sync_api
from IPython.display import display

from sora_nb.notebook.widgets import Grid, Player
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.session import Session
from sora_nb.server.renderers.diffusers import DiffusersOptions
from sora_nb.server.renderers.diffusers.tiny import build_tiny
from tests.browser import wait_js

PLAYER = "[data-widget=sora-player]"
CELL = "[data-widget=sora-grid] .sora-cell"
#: The most steps a request may ask, at a size where a tiny step takes about 0.1 s: a render
#: of several seconds.
STEPS = 200


def _previews_shown(where: str) -> str:
    """Page JavaScript: how many previews the stage at ``where`` has shown (0: none yet)."""
    return (
        f"Number(document.querySelector('{where} img[data-role=preview]')?.dataset.previews ?? 0)"
    )


def test_a_preview_forms_while_it_renders_then_the_video_replaces_it(
    solara_test: None, page_session: playwright.sync_api.Page, tmp_path: Path
) -> None:
    import torch

    torch.set_num_threads(1)
    folder = build_tiny("wan", tmp_path / "wan-tiny")
    session = Session(tmp_path / "media", local=DiffusersOptions(model=str(folder)))
    request = VideoRequest(
        prompt="a red kite over the sea at sunset",
        model="wan-tiny",
        size="320x192",
        seconds=1,
        steps=STEPS,
        num_frames=9,
    )
    # Asked first, from this thread: a Session's first run with wait=False cannot ask it from
    # its own loop (run_sync refuses there).
    assert session.server_info().previews
    (take,) = session.run([request], wait=False)
    display(Player.from_take(take))
    display(Grid([take]))
    page = page_session
    for where in (PLAYER, CELL):
        wait_js(page, f"{_previews_shown(where)} >= 1", f"a first preview in {where}", 90)
        image = f"document.querySelector('{where} img[data-role=preview]')"
        count, first = page.evaluate(f"[{_previews_shown(where)}, {image}.src]")
        what = f"the preview in {where} to change"
        wait_js(page, f"{_previews_shown(where)} > {count}", what, 60)
        changed = page.evaluate(f"{image}.src")
        assert first.startswith("blob:") and changed.startswith("blob:") and changed != first
        # A picture the browser decoded, shown while the take is still rendering.
        assert (
            page.evaluate(f"document.querySelector('{where} img[data-role=preview]').naturalWidth")
            == 256
        )
        assert page.locator(f"{where} [data-role=status]").inner_text().startswith("rendering")
    # The take finishes: each stage's video loads and its preview is gone.
    for where in (PLAYER, CELL):
        wait_js(
            page,
            f"document.querySelector('{where} video').readyState >= 2",
            f"the finished video to load in {where}",
            90,
        )
        wait_js(
            page,
            f"document.querySelector('{where} img[data-role=preview]').hidden",
            f"the video to replace the preview in {where}",
            10,
        )
    assert take.status == "completed"
    assert page.locator(f"{PLAYER} [data-role=status]").is_hidden()
