"""The HTML report opens from disk in headless Chromium, its videos play, markup stays text."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import playwright.sync_api
import pytest

from sora_nb.research.judgements import Vote, annotate, rate
from sora_nb.research.report import write_report
from sora_nb.runs.grid import Axis, plan_grid
from tests.browser import Artifacts, fire, wait_js
from tests.research.conftest import Studio, run_grid

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    """Two cells whose prompt carries markup: sr=dusk,noon over a lighthouse prompt."""
    prompt = f"A lighthouse on a cliff at dusk, waves below {HOSTILE}, slow push in."
    plan = plan_grid(prompt, [Axis.parse("sr", ["dusk", "noon"])], seconds=4)
    return run_grid(tmp_path_factory.mktemp("hostile"), plan)


@pytest.fixture
def page(
    browser: playwright.sync_api.Browser, browser_artifacts: Artifacts
) -> Iterator[playwright.sync_api.Page]:
    """A fresh page in Debian's chromium, watched for the artifacts, closed after them."""
    opened = browser_artifacts.watch(browser.new_page())
    yield opened
    opened.close()


def test_the_report_plays_its_videos_from_disk_and_shows_markup_as_text(
    hostile: Studio, tmp_path: Path, page: playwright.sync_api.Page
) -> None:
    run = hostile.run
    rate(hostile.ledger, run.takes[0], "up")
    annotate(hostile.ledger, run.takes[1], '<script>alert("note")</script> too dark')
    votes = [Vote(id=1, at=1.0, left=run.takes[0].id, right=run.takes[1].id, winner="left")]
    report = write_report(
        run, tmp_path / "out" / "report.html", ledger=hostile.ledger, measure=True, votes=votes
    )
    files = report.parent / "report_files"
    assert sorted(p.name for p in files.iterdir()) == [
        "cell1_take1.mp4",
        "cell1_take1.webp",
        "cell2_take1.mp4",
        "cell2_take1.webp",
    ]
    source = report.read_text(encoding="utf-8")
    assert HOSTILE not in source and "http://" not in source and "https://" not in source
    # Moved elsewhere as a folder, it still works: every reference is relative.
    moved = tmp_path / "shared"
    shutil.copytree(report.parent, moved)

    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto((moved / "report.html").as_uri())
    videos = page.locator("video")
    assert videos.count() == 2
    for i in range(2):
        video = videos.nth(i).element_handle()
        fire(page, "arg.play()", arg=video)
        wait_js(
            page,
            "v => v.currentTime > 0.5 && v.videoWidth === 1280",
            f"the report's video {i + 1} to play from disk",
            30,
            arg=video,
        )
        assert video.evaluate("v => v.error") is None
    page.locator("summary").first.click()  # open the first cell's prompt
    assert HOSTILE in page.locator("pre.prompt").first.inner_text()  # as typed
    text = page.locator("body").inner_text()
    assert '<script>alert("note")</script> too dark' in text
    assert "▲ good" in text and "Bradley–Terry" in text
    assert page.locator("img").count() == 0 and page.locator("body script").count() == 0
    headers = page.locator("table.grid th").all_inner_texts()
    assert headers == ["dusk", "noon"]
    tables = page.locator("table.data").all_inner_texts()
    # Rankings (sr, then cells), then the results with their metrics.
    assert len(tables) == 3 and tables[0].split("\t")[:3] == ["rank", "name", "score"]
    assert "1\tdusk" in tables[0] and "loudness_lufs" in tables[2]
    assert dialogs == []
    assert all(url.startswith("file://") for url in requests), requests
