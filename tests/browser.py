"""What every browser test shares: bounded waits that say what they waited for, a way to start
page code without waiting on its promise, and the artifacts kept when a browser test fails.

No browser test waits on something that may never come back. ``page.evaluate`` waits for a
returned promise with no time limit (JupyterLab's ``notebook:run-all-cells`` resolves only
when every cell has finished; ``video.play()`` may never settle on a stalled decoder): start
such code with :func:`fire`, then wait for what it should cause with :func:`wait_js`, each
wait with its own bound, all well under pytest's 300 s timeout.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import playwright.sync_api

#: Quiet offline chromium that may play media without a user gesture (see TESTING.md).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
#: Where failing browser tests leave their screenshots, console logs and server logs.
FAILURES = Path(__file__).resolve().parent / "artifacts" / "failures"
#: The longest any single wait in a browser test may take (pytest's timeout is 300 s).
LONGEST_WAIT_S = 90.0
#: Playwright's own bound for every action without an explicit one (clicks, fills, reads).
ACTION_TIMEOUT_MS = 30_000


class WaitTimedOut(AssertionError):
    """A bounded wait in a browser test ran out; the message names what was awaited."""


def _bound(timeout_s: float) -> float:
    if not 0 < timeout_s <= LONGEST_WAIT_S:
        raise ValueError(f"a browser wait is bounded by (0, {LONGEST_WAIT_S}] s; got {timeout_s}")
    return timeout_s


def wait_js(
    page: playwright.sync_api.Page,
    expression: str,
    what: str,
    timeout_s: float,
    *,
    arg: Any = None,
) -> None:
    """Wait until ``expression`` (page JavaScript) is truthy, or fail saying ``what`` was
    awaited and for how long."""
    started = time.monotonic()
    try:
        page.wait_for_function(expression, arg=arg, timeout=_bound(timeout_s) * 1000)
    except playwright.sync_api.TimeoutError:
        raise WaitTimedOut(
            f"waited {time.monotonic() - started:.0f} s (bound {timeout_s:g} s) for {what}"
        ) from None


def wait_for(
    locator: playwright.sync_api.Locator,
    what: str,
    timeout_s: float,
    *,
    state: str = "visible",
) -> None:
    """Wait until ``locator`` is in ``state`` (visible, attached, hidden, detached), or fail
    saying ``what`` was awaited."""
    started = time.monotonic()
    try:
        locator.wait_for(state=state, timeout=_bound(timeout_s) * 1000)  # type: ignore[arg-type]
    except playwright.sync_api.TimeoutError:
        raise WaitTimedOut(
            f"waited {time.monotonic() - started:.0f} s (bound {timeout_s:g} s) for {what}"
        ) from None


def eventually(check: Callable[[], bool], what: str, timeout_s: float) -> None:
    """Wait for a Python-side condition the page causes (traits arrive on another thread)."""
    deadline = time.monotonic() + _bound(timeout_s)
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise WaitTimedOut(f"waited {timeout_s:g} s for {what}")


def fire(page: playwright.sync_api.Page, statement: str, *, arg: Any = None) -> None:
    """Run ``statement`` in the page (``arg`` bound to ``arg``) without waiting for any
    promise it starts; a rejection is logged to the page's console (kept with the artifacts)."""
    page.evaluate(
        "(arg) => { Promise.resolve((() => { return " + statement + "; })())"
        ".catch((e) => console.error('fired statement failed: ' + e)); }",
        arg,
    )


class Artifacts:
    """What a browser test leaves behind if it fails: a screenshot and the console log of each
    page it watched, and the logs of the servers it started."""

    def __init__(self) -> None:
        self.pages: list[playwright.sync_api.Page] = []
        self.console: dict[int, list[str]] = {}
        self.logs: list[Path] = []
        self._listeners: list[tuple[playwright.sync_api.Page, str, Callable[..., None]]] = []
        self._started = time.monotonic()

    def watch(self, page: playwright.sync_api.Page) -> playwright.sync_api.Page:
        """Keep ``page``'s console messages and page errors, and screenshot it on failure."""
        lines = self.console.setdefault(id(page), [])

        def stamp() -> str:
            return f"{time.monotonic() - self._started:7.2f}s"

        def on_console(message: playwright.sync_api.ConsoleMessage) -> None:
            lines.append(f"{stamp()} {message.type}: {message.text}")

        def on_error(error: Exception) -> None:
            lines.append(f"{stamp()} pageerror: {error}")

        for event, handler in (("console", on_console), ("pageerror", on_error)):
            page.on(event, handler)  # type: ignore[call-overload]
            self._listeners.append((page, event, handler))
        self.pages.append(page)
        return page

    def server_log(self, path: Path) -> None:
        """Copy the log at ``path`` (a Jupyter server's, say) next to the screenshots."""
        self.logs.append(path)

    def detach(self) -> None:
        """Stop listening (a session-long page outlives the test)."""
        for page, event, handler in self._listeners:
            with contextlib.suppress(Exception):  # the page may be closed already
                page.remove_listener(event, handler)
        self._listeners.clear()

    def save(self, name: str) -> Path:
        """Write everything under ``tests/artifacts/failures/NAME/``; returns that folder."""
        folder = FAILURES / re.sub(r"[^\w.-]+", "_", name).strip("_")[:150]
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for index, page in enumerate(self.pages, start=1):
            lines = self.console.get(id(page), [])
            try:
                lines = [f"url: {page.url}", *lines]
                page.screenshot(path=str(folder / f"page{index}.png"), timeout=10_000)
            except Exception as exc:  # a closed or hung page still leaves its console log
                lines.append(f"(no screenshot: {exc})")
            (folder / f"page{index}-console.log").write_text("\n".join(lines) + "\n")
        for log in self.logs:
            if log.is_file():
                shutil.copy(log, folder / log.name)
            else:
                (folder / f"{log.name}.missing").write_text(f"{log} was not written\n")
        return folder
