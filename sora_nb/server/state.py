"""The bundled server's state: its settings, job store and fault injector, one object per app
(``app.state.server``). The app, its endpoints and its gateway all read it; it imports none of
them."""

from __future__ import annotations

from sora_nb.server.faults import FaultInjector
from sora_nb.server.jobs import JobStore, Stats
from sora_nb.server.settings import ServerSettings

__all__ = ["BundledServer"]


class BundledServer:
    """One server: its settings, job store and fault injector (``app.state.server``)."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.store = JobStore(settings)
        self.faults = FaultInjector(settings.faults)
        #: How many times each fault was served: {"429": 3, "drop": 1, ...}.
        self.faults_served: dict[str, int] = {}

    @property
    def stats(self) -> Stats:
        """Counters: ``jobs_created``, ``idempotent_replays``, ``requests``, ``renders``."""
        return self.store.stats

    def close(self) -> None:
        """Wait for running renders and stop the worker threads."""
        self.store.close()

    def count_fault(self, kind: str) -> None:
        self.faults_served[kind] = self.faults_served.get(kind, 0) + 1
