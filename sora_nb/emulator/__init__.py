"""A Videos API server that runs here: the offline default backend and a teaching tool.

``create_app(EmulatorSettings(media_dir=...))`` builds the ASGI app; ``python -m
sora_nb.emulator`` serves it on a socket. Names resolve lazily, so importing this package does
not import Starlette until the server is wanted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from sora_nb.emulator.app import Emulator, create_app
    from sora_nb.emulator.faults import FaultSettings
    from sora_nb.emulator.settings import EmulatorSettings

__all__ = ["Emulator", "EmulatorSettings", "FaultSettings", "create_app"]

_WHERE = {
    "Emulator": "sora_nb.emulator.app",
    "create_app": "sora_nb.emulator.app",
    "EmulatorSettings": "sora_nb.emulator.settings",
    "FaultSettings": "sora_nb.emulator.faults",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'sora_nb.emulator' has no attribute {name!r}")
