"""Browser tests: real widgets rendered by solara's front end (pytest-ipywidgets), driven by
Playwright in Debian's chromium. Nothing is downloaded: no `playwright install`, no CDN.

Every test here keeps a screenshot and the console log of its page when it fails (under
``tests/artifacts/failures/``), and every wait is bounded (see ``tests/browser.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import Artifacts
from tests.jupyter import free_port

#: solara's own default for --solara-port.
SOLARA_DEFAULT_PORT = 18865

#: Where the browser tests save screenshots (git-ignored; the README uses grid.png).
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


def pytest_configure(config: pytest.Config) -> None:
    # The sora_nb widgets do not use vuetify: skip solara's font/css warm-up (it needs a CDN).
    if hasattr(config.option, "solara_vuetify_warmup"):
        config.option.solara_vuetify_warmup = False
    # solara's test server listens on port 18865 unless told: two test runs on one machine
    # (or CI's neighbours) would fight over it. A free port unless one was given.
    if getattr(config.option, "solara_port", None) == SOLARA_DEFAULT_PORT:
        config.option.solara_port = free_port()


@pytest.fixture(autouse=True)
def _media_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A Studio made without a session uses the kernel's, whose media folder would otherwise be
    # ./sora_media in the checkout.
    monkeypatch.setenv("SORA_NB_HOME", str(tmp_path / "sora_media"))


@pytest.fixture(autouse=True)
def _keep_artifacts(request: pytest.FixtureRequest, browser_artifacts: Artifacts) -> None:
    # The solara page lives for the whole session; watch it for this test only.
    if "page_session" in request.fixturenames:
        browser_artifacts.watch(request.getfixturevalue("page_session"))


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def hide_solara_badge(page: Any) -> None:
    """Hide solara's own "runs on Solara" badge so screenshots show only the widget."""
    page.get_by_text("This website runs on Solara").evaluate_all(
        "els => els.forEach(e => { e.style.display = 'none'; })"
    )
