"""`sora_nb.judge` in a real widget front end: blind by default, both takes on one clock, and
the widget fits its output cell."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import playwright.sync_api
import pytest
from IPython.display import display

from sora_nb.notebook import functions, kernel
from sora_nb.notebook.functions import settings
from sora_nb.runs.grid import GridRun
from sora_nb.server import ServerSettings
from tests.browser import wait_for, wait_js
from tests.ui.conftest import hide_solara_badge

PROMPT = (
    "Medium shot of a runner on a foggy morning trail; natural camera shake; warm sunrise "
    "light filtering through trees; soft footsteps and birdsong."
)
GRID = "[data-widget=sora-grid]"
FRAME = 1 / 24
TIMES = f"[...document.querySelectorAll('{GRID} .sora-cell video')].map(v => v.currentTime)"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GridRun]:
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    # solara's test kernel is a stand-in IPython without a display formatter to register in.
    monkeypatch.setattr(settings, "_show_results_as_widgets", lambda: None)
    kernel.reset()
    functions.configure(
        media_dir=tmp_path / "media",
        bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0),
    )
    yield functions.grid(PROMPT, {"length": ["short", "long"]}, takes=1)
    kernel.reset()


def test_blind_judging_hides_the_cells_names_and_plays_both_on_one_clock(
    solara_test: None, page_session: playwright.sync_api.Page, run: GridRun, screenshots: Path
) -> None:
    page = page_session
    page.set_viewport_size({"width": 1000, "height": 900})
    judge = functions.judge(run)
    display(judge)
    # The widget as a whole: ipywidgets' VBox around the two takes and the vote buttons.
    box = page.locator(".widget-vbox").filter(has_text="Which is better").first
    wait_for(box, "the judge", 30)
    videos = ".widget-vbox video"
    wait_js(
        page,
        f"(() => {{ const v = [...document.querySelectorAll('{videos}')];"
        " return v.length === 2 && v.every(x => x.readyState >= 2); })()",
        "both takes' videos to load",
        45,
    )
    page.wait_for_timeout(300)
    hide_solara_badge(page)
    box.screenshot(path=str(screenshots / "judge.png"))

    text = box.inner_text()
    # Nothing that tells the cells apart: no prompt, cell names, word counts; no developer text.
    assert PROMPT[:30] not in text
    for leak in ("length=", "short", "long", "words", "Player.from_take", "without a session"):
        assert leak not in text, f"{leak!r} shows in the blind judge: {text}"
    labels = page.locator(f"{GRID} [data-role=label]").all_inner_texts()
    assert labels == ["Left", "Right"]
    # The animatic's burned-in captions are covered, top and bottom, in both cells.
    for role in ("cover-top", "cover-bottom"):
        assert page.locator(f"{GRID} [data-role={role}]:visible").count() == 2
    # The widget fits its cell: nothing runs past its right edge, no button wraps its words.
    overflow = box.evaluate(
        "b => { const r = b.getBoundingClientRect();"
        " return [...b.querySelectorAll('*')].filter(e => e.offsetParent !== null)"
        ".filter(e => e.getBoundingClientRect().right > r.right + 1).map(e => e.outerHTML"
        ".slice(0, 80)); }"
    )
    assert overflow == []
    wrapped = box.evaluate(
        "b => [...b.querySelectorAll('button')].filter(e => e.offsetParent !== null)"
        ".filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().height > 40)"
        ".map(e => e.textContent)"
    )
    assert wrapped == []

    # Play runs both sides together on the grid's one clock.
    page.locator(f"{GRID} [data-action=play]").click()
    wait_js(page, f"{TIMES}.every(t => t > 1)", "both sides to play past 1 s", 20)
    page.locator(f"{GRID} [data-action=play]").click()
    page.wait_for_timeout(300)
    times = page.evaluate(TIMES)
    assert max(times) - min(times) < FRAME, times

    # A vote records the sides as shown and brings the next pair (here, the same two).
    left, right = (t.id for t in judge.pair)  # type: ignore[union-attr]
    page.get_by_text("◀ Left is better").click()
    wait_js(
        page,
        "document.body.innerText.includes('1 vote so far')",
        "the vote to be counted under the buttons",
        15,
    )
    (vote,) = judge.votes.all()
    assert (vote.left, vote.right, vote.winner, vote.seed, vote.blind) == (
        left,
        right,
        "left",
        judge.seed,
        True,
    )
