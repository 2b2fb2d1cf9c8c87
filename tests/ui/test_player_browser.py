"""The Player in a real widget front end: it plays with sound, user text stays text, and a
failed take shows its error in place of the video."""

from __future__ import annotations

from pathlib import Path

import playwright.sync_api
import pytest
from IPython.display import display

from sora_nb.notebook import functions, kernel
from sora_nb.notebook.widgets import Grid, Player
from sora_nb.server import ServerSettings
from tests.browser import eventually, wait_for, wait_js
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
    video = f"document.querySelector('{PLAYER} video')"
    wait_for(page.locator(f"{PLAYER} video"), "the Player's video element", 30)
    wait_js(page, f"{video}.readyState >= 2", "the Player's video to load", 30)
    page.locator(f"{PLAYER} [data-action=play]").click()
    wait_js(page, f"{video}.currentTime > 1", "the Player's video to play one second", 20)
    # Chromium counts decoded audio bytes: non-zero means the AAC track is present and playing.
    audio = page.evaluate(f"document.querySelector('{PLAYER} video').webkitAudioDecodedByteCount")
    assert audio > 0
    video_width = page.evaluate(f"document.querySelector('{PLAYER} video').videoWidth")
    assert video_width == 160
    # Solara's page has no Jupyter server route: the kernel sent the video, and says so.
    assert page.locator(PLAYER).get_attribute("data-media-path") == "kernel"
    assert "kernel" in (page.locator(f"{PLAYER} .sora-stage").get_attribute("title") or "")
    assert page.locator(f"{PLAYER} [data-role=meta]").inner_text().startswith("sora-2")
    hide_solara_badge(page)
    page.locator(PLAYER).screenshot(path=str(screenshots / "player.png"))


def test_markup_in_prompts_and_labels_shows_as_text_and_runs_nothing(
    solara_test: None, page_session: playwright.sync_api.Page, tmp_path: Path
) -> None:
    dialogs: list[str] = []
    page = page_session
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    take = make_take(tmp_path, "xss", prompt=XSS)
    display(Player.from_take(take))
    display(Grid([take], labels=[XSS], col_labels=[XSS], row_labels=[{"text": XSS, "words": 9}]))
    prompt = page.locator(f"{PLAYER} [data-role=prompt]")
    wait_for(prompt, "the Player's prompt line", 30)
    assert prompt.inner_text() == XSS
    grid = page.locator("[data-widget=sora-grid]")
    assert grid.locator("[data-role=label]").inner_text() == XSS
    assert grid.locator("[data-role=col-head]").inner_text() == XSS
    assert page.locator("img[src=x]").count() == 0
    page.wait_for_timeout(500)  # give an injected onerror handler every chance to fire
    assert dialogs == []


def test_player_follows_a_running_take_and_answers_the_keyboard(
    solara_test: None, page_session: playwright.sync_api.Page, tmp_path: Path
) -> None:
    page = page_session
    source = make_take(tmp_path / "src", "kb", seconds=4)
    take = make_take(tmp_path, "kb", seconds=4, status="queued", with_files=False)
    player = Player.from_take(take)
    remixes: list[str] = []
    player.on_remix(remixes.append)
    display(player)
    status = page.locator(f"{PLAYER} [data-role=status]")
    wait_for(status, "the Player's status line", 30)
    assert status.inner_text().startswith("queued · 0%")
    take.update(status="in_progress", progress=30)
    wait_js(
        page,
        f"document.querySelector('{PLAYER} [data-role=status]').textContent"
        ".startsWith('rendering · 30%')",
        "the status line to follow the take to 'rendering · 30%'",
        10,
    )
    (tmp_path / "kb").mkdir()
    for name in ("video.mp4", "thumbnail.webp"):
        (tmp_path / "kb" / name).write_bytes(
            source.path("video").parent.joinpath(name).read_bytes()
        )
    take.update(status="completed", progress=100, completed_at=take.created_at + 42)
    video = f"document.querySelector('{PLAYER} video')"
    wait_js(page, f"{video} && {video}.readyState >= 2", "the finished take's video", 20)

    page.locator(PLAYER).focus()
    page.keyboard.press("Space")
    wait_js(page, f"{video}.currentTime > 0.5", "Space to start the video", 15)
    page.keyboard.press("Space")
    wait_js(page, f"{video}.paused", "Space again to pause it", 10)
    before = page.evaluate(f"{video}.currentTime")
    page.keyboard.press("ArrowRight")
    after = page.evaluate(f"{video}.currentTime")
    assert abs(after - (round(before * 24) + 1) / 24) < 0.005

    box = page.locator(f"{PLAYER} [data-action=change-prompt]")
    box.fill("make it night <b>now</b>")
    page.locator(f"{PLAYER} [data-action=remix]").click()
    eventually(lambda: bool(remixes), "the remix prompt to reach Python", 10)
    assert remixes == ["make it night <b>now</b>"]


def test_a_failed_take_shows_its_error_not_an_empty_player(
    solara_test: None,
    page_session: playwright.sync_api.Page,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    screenshots: Path,
) -> None:
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    kernel.reset()
    session = functions.configure(
        media_dir=tmp_path / "media",
        bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0),
    )
    try:
        # The bundled server's moderation refuses a copyrighted character: the job fails.
        plan = session.plan("Mickey Mouse waves from a red kite <b>over</b> the dunes.")
        take = session.run_plan(plan).takes[0]
        assert take.status == "failed" and take.error is not None
        display(Player.from_take(take, session=session))
        page = page_session
        player = page.locator(PLAYER)
        error = player.locator("[data-role=error]")
        wait_for(error, "the failed take's error", 30)
        assert error.inner_text() == f"{take.error.message} (moderation_blocked)"
        assert player.locator("[data-role=status]").inner_text().startswith("failed")
        # No empty (black) video box, and nothing to play, seek or download.
        assert player.locator("video").count() == 0
        assert player.locator(".sora-controls").is_hidden()
        for name in ("remix", "edit", "extend"):
            assert player.locator(f"[data-action={name}]").is_disabled()
        assert "no video to remix" in player.locator("[data-role=action-hint]").inner_text()
        stage = player.locator(".sora-stage")
        background = stage.evaluate("el => getComputedStyle(el).backgroundColor")
        assert background in ("rgba(0, 0, 0, 0)", "transparent")
        box = stage.bounding_box()
        assert box is not None and box["height"] < 120  # the error's lines, not a 16:9 box
        hide_solara_badge(page)
        player.screenshot(path=str(screenshots / "player-failed.png"))
    finally:
        kernel.reset()
