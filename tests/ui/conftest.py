"""Browser tests: real widgets rendered by solara's front end (pytest-ipywidgets), driven by
Playwright in Debian's chromium. Nothing is downloaded: no `playwright install`, no CDN."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

#: Where the browser tests save screenshots (git-ignored; the README uses grid.png).
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"

#: Quiet offline chromium that may play sound without a user gesture.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def pytest_configure(config: pytest.Config) -> None:
    # The sora_nb widgets do not use vuetify: skip solara's font/css warm-up (it needs a CDN).
    if hasattr(config.option, "solara_vuetify_warmup"):
        config.option.solara_vuetify_warmup = False


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError(
            "Browser tests need Debian's chromium: `sudo apt-get install chromium` (or make setup)."
        )
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def hide_solara_badge(page: Any) -> None:
    """Hide solara's own "runs on Solara" badge so screenshots show only the widget."""
    page.get_by_text("This website runs on Solara").evaluate_all(
        "els => els.forEach(e => { e.style.display = 'none'; })"
    )
