"""The Player's Extend in a real widget front end: a click on a finished take sends the
extension to the bundled server, the chain grows by a step, and the stitched video plays."""

from __future__ import annotations

from pathlib import Path

import playwright.sync_api
from IPython.display import display

from sora_nb.notebook.widgets import Player
from sora_nb.runs.session import Session
from sora_nb.server import ServerSettings
from tests.browser import wait_for, wait_js
from tests.notebook.test_continuity import small
from tests.ui.conftest import hide_solara_badge

PLAYER = "[data-widget=sora-player]"
VIDEO = f"document.querySelector('{PLAYER} video')"


def test_extend_grows_the_chain_and_the_new_video_plays(
    solara_test: None, page_session: playwright.sync_api.Page, tmp_path: Path, screenshots: Path
) -> None:
    session = Session(
        tmp_path / "media",
        bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0, renderer=small),
    )
    (take,) = session.run_plan(session.plan("A red kite over the dunes at dusk.", seconds=4)).takes
    assert take.ok
    player = Player.from_take(take, session=session)
    display(player)
    page = page_session
    root = page.locator(PLAYER)
    wait_js(page, f"{VIDEO} && {VIDEO}.readyState >= 2", "the finished take's video", 30)
    assert root.locator("[data-role=chain-box]").is_hidden()  # one step: no chain to show
    assert root.locator("[data-role=meta]").inner_text().count("4 s") == 1

    root.locator("[data-action=change-prompt]").fill("The kite dives toward the sand.")
    root.locator("[data-field=extend-seconds]").select_option("4")
    root.locator("[data-action=extend]").click()

    wait_for(root.locator("[data-role=chain-box]"), "the chain to show once extended", 30)
    steps = root.locator("[data-role=chain] > li")
    wait_js(
        page,
        f"document.querySelectorAll('{PLAYER} [data-role=chain] > li').length === 2 && "
        f"document.querySelector('{PLAYER} [data-role=chain] > li[data-step=\"1\"]')"
        ".dataset.status === 'completed'",
        "the chain's second step (the extension) to complete",
        60,
    )
    assert steps.nth(0).locator("[data-role=step-line]").inner_text() == "create 4 s → 4 s · done"
    assert steps.nth(1).locator("[data-role=step-line]").inner_text() == (
        "extend +4 s → 8 s · done"
    )
    assert steps.nth(1).get_attribute("aria-current") == "step"
    prompt = steps.nth(1).locator("[data-role=step-prompt]").inner_text()
    assert prompt == "The kite dives toward the sand."
    assert player.take is not None and player.take.kind == "extension"

    # The stitched video replaces the source in the player, and plays through the join.
    wait_js(
        page,
        f"{VIDEO}.readyState >= 2 && Math.abs({VIDEO}.duration - 8) < 0.5",
        "the extended (8 s) video to load in the player",
        60,
    )
    root.locator("[data-action=play]").click()
    wait_js(page, f"{VIDEO}.currentTime > 0.5", "the extended video to play", 20)
    wait_for(
        steps.nth(1).locator("[data-role=join]"),
        "continuity at the join on the extension's step",
        30,
    )
    assert steps.nth(1).locator("[data-role=join]").inner_text().startswith("join at 4 s: colour")
    wait_js(
        page,
        f"[...document.querySelectorAll('{PLAYER} [data-role=step-thumb]')]"
        ".every((img) => img.complete && img.naturalWidth > 0)",
        "both steps' posters to load",
        30,
    )
    assert "8 s" in root.locator("[data-role=meta]").inner_text()
    assert root.locator("[data-role=error]").is_hidden()
    hide_solara_badge(page)
    root.screenshot(path=str(screenshots / "player-chain.png"))
