"""The rules every browser test keeps: waits are bounded and name what they wait for, page code
that may start a never-settling promise is fired rather than awaited, and a failure leaves its
screenshot and logs behind."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import playwright.sync_api
import pytest

from tests.browser import (
    LONGEST_WAIT_S,
    Artifacts,
    WaitTimedOut,
    eventually,
    fire,
    wait_for,
    wait_js,
)

TESTS = Path(__file__).resolve().parents[1]
#: Every test that drives a browser.
BROWSER_TESTS = sorted(
    {*TESTS.glob("ui/test_*.py"), TESTS / "research" / "test_report_browser.py"}
    | set(TESTS.glob("install/test_*.py"))
)


@pytest.fixture
def blank(
    browser: playwright.sync_api.Browser, browser_artifacts: Artifacts
) -> playwright.sync_api.Page:
    page = browser_artifacts.watch(browser.new_page())
    page.set_content("<p id=hello>hello</p>")
    return page


def test_a_wait_that_runs_out_says_what_it_waited_for(blank: playwright.sync_api.Page) -> None:
    with pytest.raises(WaitTimedOut, match=r"waited \d+ s \(bound 0.5 s\) for the sky to fall"):
        wait_js(blank, "false", "the sky to fall", 0.5)
    with pytest.raises(WaitTimedOut, match="for a missing button"):
        wait_for(blank.locator("button"), "a missing button", 0.5)
    with pytest.raises(WaitTimedOut, match="for Python to agree"):
        eventually(lambda: False, "Python to agree", 0.2)
    with pytest.raises(ValueError, match="bounded"):
        wait_js(blank, "true", "forever", LONGEST_WAIT_S + 1)


def test_fire_does_not_wait_for_a_promise_that_never_settles(
    blank: playwright.sync_api.Page,
) -> None:
    started = time.monotonic()
    fire(blank, "new Promise(() => {})")  # awaited, this would hang with no bound
    fire(blank, "Promise.reject(new Error('nope'))")
    assert time.monotonic() - started < 5
    wait_js(blank, "document.getElementById('hello')", "the page to still answer", 5)


def test_artifacts_keep_a_screenshot_the_console_and_server_logs(
    blank: playwright.sync_api.Page, browser_artifacts: Artifacts, tmp_path: Path
) -> None:
    blank.evaluate("console.log('a line from the page')")
    fire(blank, "Promise.reject(new Error('nope'))")
    wait_js(blank, "true", "the console to settle", 1)
    blank.wait_for_timeout(200)
    log = tmp_path / "jupyter.log"
    log.write_text("server says hello\n")
    browser_artifacts.server_log(log)
    browser_artifacts.server_log(tmp_path / "never-written.log")
    folder = browser_artifacts.save(f"helpers-check-{tmp_path.name}")
    try:
        assert (folder / "page1.png").stat().st_size > 1000
        console = (folder / "page1-console.log").read_text()
        assert "a line from the page" in console and "fired statement failed" in console
        assert (folder / "jupyter.log").read_text() == "server says hello\n"
        assert (folder / "never-written.log.missing").is_file()
    finally:
        shutil.rmtree(folder)


def test_browser_tests_use_only_bounded_named_waits_and_never_await_page_promises() -> None:
    assert len(BROWSER_TESTS) >= 8
    raw_waits = re.compile(r"\.wait_for_function\(|\.wait_for\(\)|\.wait_for\(timeout=")
    awaited = re.compile(r"evaluate\([^)]*(\.play\(\)|commands\.execute|new Promise)")
    found = []
    for path in BROWSER_TESTS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if raw_waits.search(line) or awaited.search(line):
                found.append(f"{path.relative_to(TESTS)}:{number}: {line.strip()}")
    assert not found, "use tests.browser's wait_js / wait_for / fire:\n" + "\n".join(found)
