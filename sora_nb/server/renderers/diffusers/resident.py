"""The one pipeline a process keeps loaded: asking for another model unloads the last one.

A video model fills a GPU, so a kernel (or a served process) keeps exactly one resident; every
app and session that asks for the same options shares it.
"""

from __future__ import annotations

import threading

from sora_nb.server.renderers.diffusers.options import DiffusersOptions
from sora_nb.server.renderers.diffusers.renderer import DiffusersRenderer

_lock = threading.Lock()
_resident: tuple[DiffusersOptions, DiffusersRenderer] | None = None


def open_renderer(options: DiffusersOptions) -> DiffusersRenderer:
    """The resident renderer for ``options``, loading it (and unloading any other) if needed."""
    global _resident
    with _lock:
        if _resident is not None and _resident[0] == options:
            return _resident[1]
        if _resident is not None:
            _resident[1].release()
            _resident = None
        renderer = DiffusersRenderer.load(options)
        _resident = (options, renderer)
        return renderer


def resident() -> DiffusersRenderer | None:
    """The renderer loaded now, if any."""
    with _lock:
        return None if _resident is None else _resident[1]
