"""Keeping takes that need different LoRA adapters apart on a server whose adapters are global.

SGLang Diffusion sets adapters for the whole server (``/v1/set_lora``), so a take that wants
``ghibli:0.6`` must not be generating while another sets ``ghibli:1.0``: each would render with
the other's adapters. :class:`AdapterGate` lets any number of takes with the same adapters run
together and makes a take with other adapters wait until they have all finished.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.api.client import VideosClient
    from sora_nb.api.dialects import Dialect
    from sora_nb.runs.request import VideoRequest
    from sora_nb.runs.take import Take

__all__ = ["GLOBAL_ADAPTERS", "AdapterGate", "apart_note", "know_dialect"]

#: The dialects whose adapters are the server's, not the request's.
GLOBAL_ADAPTERS = frozenset({"sglang"})


class AdapterGate:
    """Admits takes by their adapters: one set of adapters in flight at a time, on a server
    whose adapters are global (any other server: every take at once)."""

    def __init__(self) -> None:
        self._changed: asyncio.Condition | None = None
        self._current: Any = None
        self._inside = 0
        # Takes waiting, by adapters: a take whose adapters are in flight does not join them
        # while another set waits, so no set waits for ever.
        self._waiting: dict[Any, int] = {}

    @asynccontextmanager
    async def holding(self, dialect: Dialect | None, adapters: Any) -> AsyncIterator[None]:
        """Wait until no take with other adapters is in flight, then run with these."""
        if dialect is None or dialect.name not in GLOBAL_ADAPTERS:
            yield
            return
        adapters = adapters or ()
        if self._changed is None:
            self._changed = asyncio.Condition()
        changed = self._changed
        async with changed:
            self._waiting[adapters] = self._waiting.get(adapters, 0) + 1
            await changed.wait_for(lambda: self._admits(adapters))
            self._waiting[adapters] -= 1
            self._current = adapters
            self._inside += 1
        try:
            yield
        finally:
            async with changed:
                self._inside -= 1
                changed.notify_all()

    def _admits(self, adapters: Any) -> bool:
        if self._inside == 0:
            return True
        others = any(n for key, n in self._waiting.items() if key != adapters)
        return self._current == adapters and not others


async def know_dialect(client: VideosClient, takes: Iterable[Take]) -> None:
    """Ask the server what it is before takes with adapters start, so the gate knows whether
    their adapters are global (a no-adapter take started first would otherwise slip past)."""
    if client.dialect is None and any(take.request.options.loras for take in takes):
        await client.detect()


def apart_note(requests: Iterable[VideoRequest], dialect: Dialect | None) -> str | None:
    """What a plan's line adds when its takes need different adapters on a server whose
    adapters are global (None otherwise)."""
    sets = {request.options.loras for request in requests}
    if dialect is None or dialect.name not in GLOBAL_ADAPTERS or len(sets) < 2:
        return None
    return (
        f"{len(sets)} adapter sets, one at a time ({dialect.title}'s adapters are server-wide: "
        "takes with different adapters never run together)"
    )
