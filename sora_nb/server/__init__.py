"""A Videos API server that runs here: the offline default backend and a teaching tool.

``create_app(ServerSettings(media_dir=...))`` builds the ASGI app; ``python -m
sora_nb.server`` serves it on a socket. Names resolve lazily, so importing this package does
not import Starlette until the server is wanted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from sora_nb.server.app import create_app
    from sora_nb.server.faults import FaultSettings
    from sora_nb.server.settings import ServerSettings
    from sora_nb.server.state import BundledServer

__all__ = ["BundledServer", "FaultSettings", "ServerSettings", "create_app"]

_WHERE = {
    "BundledServer": "sora_nb.server.state",
    "create_app": "sora_nb.server.app",
    "ServerSettings": "sora_nb.server.settings",
    "FaultSettings": "sora_nb.server.faults",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'sora_nb.server' has no attribute {name!r}")
