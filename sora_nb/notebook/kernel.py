"""The kernel's state: its one Session (media folder, server, runner) and its most recent run.

Everything in the notebook layer reaches the session through here: the Python API, the magics
and the Studio. It sits below the widgets so that a Studio can find the session without
importing the Python API above it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from pydantic import SecretStr

from sora_nb.research.study import Study
from sora_nb.runs.grid import GridRun
from sora_nb.runs.session import Session

#: What ``configure`` accepts.
SETTINGS = ("media_dir", "base_url", "api_key", "budget", "concurrency", "bundled")

_lock = threading.Lock()
_session: Session | None = None
_settings: dict[str, Any] = {}
_last: list[Study] = []
#: The kernel's start, for its budget: rebuilding the session must not forget what was spent.
STARTED = time.time()


def _build(settings: dict[str, Any]) -> Session:
    # Runs handed out by the notebook carry the research tools (results, rankings, exports).
    return Session(**{"started": STARTED, **settings}, run_type=Study)


def configure(**settings: Any) -> Session:
    """Set the kernel's media folder, server, key, budget or concurrency, and start afresh.

    Settings not given keep their values. The API key is held in memory only.
    """
    global _session
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise TypeError(
            f"configure() takes {', '.join(sorted(SETTINGS))}; not {', '.join(sorted(unknown))}."
        )
    with _lock:
        if isinstance(settings.get("api_key"), str):
            # Held for rebuilding the session; a SecretStr never shows in a repr or a log.
            settings["api_key"] = SecretStr(settings["api_key"])
        merged = {**_settings, **settings}
        # Build first: a bad setting raises here and leaves the working session as it was.
        fresh = _build(merged)
        _settings.clear()
        _settings.update(merged)
        _session = fresh
        return fresh


def session() -> Session:
    """The kernel's session, made on first use from the settings given so far."""
    global _session
    with _lock:
        if _session is None:
            _session = _build(_settings)
        return _session


def reset() -> None:
    """Forget the kernel's session, settings and last run: the next use starts from defaults."""
    global _session
    with _lock:
        _settings.clear()
        _last.clear()
        _session = None


def remember(run: GridRun) -> Study:
    """Note ``run`` as the kernel's most recent one (what ``%sora export`` exports)."""
    study = Study.of(run)
    _last[:] = [study]
    return study


def last_run() -> Study | None:
    """The most recent run started in this kernel (by a cell, ``generate`` or ``grid``)."""
    return _last[0] if _last else None
