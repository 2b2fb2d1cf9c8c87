"""The Videos API: wire types, the async client, typed errors. Knows nothing of notebooks.

``from sora_nb.api import VideosClient`` is the client (``SyncVideosClient`` its blocking twin);
the names load on first use, so a module that reads only the wire types does not import the
client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Public name -> the module that defines it, resolved lazily by __getattr__.
_LAZY: dict[str, str] = {
    "VideosClient": "sora_nb.api.client",
    "SyncVideosClient": "sora_nb.api.sync",
    "SoraError": "sora_nb.api.errors",
    "Video": "sora_nb.api.types",
}

__all__ = sorted(_LAZY)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs (``X as X``: exported)
    from sora_nb.api.client import VideosClient as VideosClient
    from sora_nb.api.errors import SoraError as SoraError
    from sora_nb.api.sync import SyncVideosClient as SyncVideosClient
    from sora_nb.api.types import Video as Video


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sora_nb.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # The public names and the module's own dunders, not the helpers this file imports.
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
