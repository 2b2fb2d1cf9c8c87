"""The Player in a real widget front end: it plays with sound, and user text stays text."""

from __future__ import annotations

from pathlib import Path

import playwright.sync_api
from IPython.display import display

from sora_nb.notebook.widgets import Player
from tests.ui._media import make_take
from tests.ui.conftest import hide_solara_badge

XSS = "<img src=x onerror=alert(1)> a red kite over a beach"
PLAYER = "[data-widget=sora-player]"


def test_player_plays_video_with_sound(
    solara_test: None, page_session: playwright.sync_api.Page, tmp_path: Path, screenshots: Path
) -> None:
    take = make_take(tmp_path, "play", seconds=4, prompt="a red kite over a beach at dawn")
    display(Player.from_take(take))
    page = page_session
    page.locator(f"{PLAYER} video").wait_for()
    page.wait_for_function(
        f"document.querySelector('{PLAYER} video').readyState >= 2", timeout=15_000
    )
    page.locator(f"{PLAYER} [data-action=play]").click()
    page.wait_for_function(
        f"document.querySelector('{PLAYER} video').currentTime > 1", timeout=15_000
    )
    # Chromium counts decoded audio bytes: non-zero means the AAC track is present and playing.
    audio = page.evaluate(f"document.querySelector('{PLAYER} video').webkitAudioDecodedByteCount")
    assert audio > 0
    video_width = page.evaluate(f"document.querySelector('{PLAYER} video').videoWidth")
    assert video_width == 160
    assert page.locator(f"{PLAYER} [data-role=meta]").inner_text().startswith("sora-2")
    hide_solara_badge(page)
    page.locator(PLAYER).screenshot(path=str(screenshots / "player.png"))


def test_prompt_markup_shows_as_text_and_runs_nothing(
    solara_test: None, page_session: playwright.sync_api.Page, tmp_path: Path
) -> None:
    dialogs: list[str] = []
    page = page_session
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    take = make_take(tmp_path, "xss", prompt=XSS)
    display(Player.from_take(take))
    prompt = page.locator(f"{PLAYER} [data-role=prompt]")
    prompt.wait_for()
    assert prompt.inner_text() == XSS
    assert page.locator("img[src=x]").count() == 0
    page.wait_for_timeout(500)  # give an injected onerror handler every chance to fire
    assert dialogs == []
