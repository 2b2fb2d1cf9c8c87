"""User callbacks a widget calls (ratings, remixes): registered and removed the way ipywidgets'
``CallbackDispatcher`` does it, and run guarded, so one that fails is shown in the widget's
error line instead of vanishing into a comm handler's log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("sora_nb.notebook")


class Callbacks:
    """The callbacks registered for one event of a widget (``what`` names it: ``on_rate``)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._callbacks: list[Callable[..., Any]] = []

    def register(self, callback: Callable[..., Any], remove: bool = False) -> Callable[[], None]:
        """Add ``callback`` (or, with ``remove=True``, take it away); returns its unsubscribe."""
        if remove:
            self._remove(callback)
            return lambda: None
        self._callbacks.append(callback)
        return lambda: self._remove(callback)

    def _remove(self, callback: Callable[..., Any]) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def __len__(self) -> int:
        return len(self._callbacks)

    def __call__(self, *args: Any) -> str:
        """Call every callback with ``args``; returns what went wrong (empty when nothing did).
        Every callback runs even when an earlier one fails; each failure is logged in full."""
        problems = []
        for callback in list(self._callbacks):
            try:
                callback(*args)
            except Exception as exc:
                name = getattr(callback, "__name__", type(callback).__name__)
                log.exception("the %s callback %s failed", self.what, name)
                problems.append(
                    f"Your {self.what} callback {name} failed: {type(exc).__name__}: {exc}"
                )
        return "; ".join(problems)
