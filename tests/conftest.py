"""Shared by every test: browser tests run Debian's chromium, and a failing browser test keeps
its screenshots and logs."""

from __future__ import annotations

import shutil
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from tests.browser import ACTION_TIMEOUT_MS, CHROMIUM_FLAGS, Artifacts

#: ``wheel`` and ``installed``: sora_nb built and installed as users install it.
pytest_plugins = ["tests.installed"]


#: pytest-playwright's browser, directly or through solara's page (fixture closures list both).
BROWSER_FIXTURES = frozenset({"browser", "page_session"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Playwright's sync API runs an event loop on the main thread from the first browser test
    # to the end of the session; an asyncio test after it could not start its own. Browser
    # tests therefore run last (in their own order), everything else first.
    items.sort(key=lambda item: bool(BROWSER_FIXTURES & set(getattr(item, "fixturenames", ()))))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's browser: Debian's chromium, quiet and offline (never downloaded)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError(
            "Browser tests need Debian's chromium: `sudo apt-get install chromium` (or make setup)."
        )
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": CHROMIUM_FLAGS,
        "timeout": ACTION_TIMEOUT_MS,
    }


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Saved here, as the failure is reported and before any fixture is torn down: the pages
    # are still on the screen that failed (solara's teardown navigates away) and the servers
    # still run.
    report = yield
    artifacts = getattr(item, "funcargs", {}).get("browser_artifacts")
    if report.failed and report.when in ("setup", "call") and isinstance(artifacts, Artifacts):
        folder = artifacts.save(item.nodeid)
        report.sections.append(
            ("browser artifacts", f"screenshots, console and server logs in {folder}")
        )
    return report


@pytest.fixture
def browser_artifacts() -> Iterator[Artifacts]:
    """Pages and server logs to keep if this test fails (see ``tests/browser.py``)."""
    artifacts = Artifacts()
    yield artifacts
    artifacts.detach()
