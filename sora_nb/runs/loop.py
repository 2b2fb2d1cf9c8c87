"""sora_nb's private event loop on a daemon thread (never nest_asyncio).

Notebook entry points submit coroutines here and block on the result, or return at once in
non-blocking mode; either way the kernel's own loop is never re-entered.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def background_loop() -> asyncio.AbstractEventLoop:
    """The shared loop, started on first use on a daemon thread named ``sora_nb-loop``."""
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def run() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            threading.Thread(target=run, name="sora_nb-loop", daemon=True).start()
            ready.wait()
            _loop = loop
        return _loop


def submit(coro: Coroutine[Any, Any, T]) -> Future[T]:
    """Schedule ``coro`` on the background loop and return a thread-safe future."""
    return asyncio.run_coroutine_threadsafe(coro, background_loop())


def run_sync(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run ``coro`` on the background loop and block until it finishes.

    A KeyboardInterrupt (the notebook's stop button) cancels the coroutine before re-raising,
    so no orphan work keeps running; the ledger already holds any job id it created.
    """
    if _on_background_loop():
        raise RuntimeError("run_sync was called from sora_nb's own loop; await instead")
    future = submit(coro)
    try:
        return future.result(timeout)
    except KeyboardInterrupt:
        future.cancel()
        raise


def _on_background_loop() -> bool:
    try:
        return asyncio.get_running_loop() is _loop
    except RuntimeError:
        return False
