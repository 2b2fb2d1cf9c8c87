"""sora_nb: a notebook studio for AI video on the Videos API protocol.

``import sora_nb`` is kept cheap (no httpx, pydantic or PyAV at import time): the public
names below are loaded on first use, so a notebook pays only for what it touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sora_nb._version import __version__

# public name -> module that defines it; resolved lazily by __getattr__.
_LAZY: dict[str, str] = {
    "generate": "sora_nb.notebook.functions",
    "agenerate": "sora_nb.notebook.functions",
    "grid": "sora_nb.notebook.functions",
    "agrid": "sora_nb.notebook.functions",
    "plan": "sora_nb.notebook.functions",
    "models": "sora_nb.notebook.functions",
    "history": "sora_nb.notebook.functions",
    "measure": "sora_nb.notebook.functions",
    "judge": "sora_nb.notebook.functions",
    "resume": "sora_nb.notebook.functions",
    "character": "sora_nb.notebook.functions",
    "characters": "sora_nb.notebook.functions",
    "extend": "sora_nb.notebook.functions",
    "edit": "sora_nb.notebook.functions",
    "chain_grid": "sora_nb.notebook.functions",
    "continuity": "sora_nb.notebook.functions",
    "configure": "sora_nb.notebook.functions",
    "session": "sora_nb.notebook.functions",
    "Prompt": "sora_nb.prompt",
    "Shot": "sora_nb.prompt",
    "Camera": "sora_nb.prompt",
    "Studio": "sora_nb.notebook.widgets",
    "Player": "sora_nb.notebook.widgets",
    "Grid": "sora_nb.notebook.widgets",
    "export": "sora_nb.notebook.functions",
    "export_bundle": "sora_nb.notebook.functions",
    "import_bundle": "sora_nb.notebook.functions",
    "VideosClient": "sora_nb.api.client",
    "SyncVideosClient": "sora_nb.api.sync",
    "SoraError": "sora_nb.api.errors",
    "ModelProfile": "sora_nb.catalog",
    "catalog": "sora_nb.catalog",
}

__all__ = [
    "Camera",
    "Grid",
    "ModelProfile",
    "Player",
    "Prompt",
    "Shot",
    "SoraError",
    "Studio",
    "SyncVideosClient",
    "VideosClient",
    "__version__",
    "agenerate",
    "agrid",
    "catalog",
    "chain_grid",
    "character",
    "characters",
    "configure",
    "continuity",
    "edit",
    "export",
    "export_bundle",
    "extend",
    "generate",
    "grid",
    "history",
    "import_bundle",
    "judge",
    "load_ipython_extension",
    "measure",
    "models",
    "plan",
    "resume",
    "session",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from sora_nb import catalog
    from sora_nb.api.client import VideosClient
    from sora_nb.api.errors import SoraError
    from sora_nb.api.sync import SyncVideosClient
    from sora_nb.catalog import ModelProfile
    from sora_nb.notebook.functions import (
        agenerate,
        agrid,
        chain_grid,
        character,
        characters,
        configure,
        continuity,
        edit,
        export,
        export_bundle,
        extend,
        generate,
        grid,
        history,
        import_bundle,
        judge,
        measure,
        models,
        plan,
        resume,
        session,
    )
    from sora_nb.notebook.widgets import Grid, Player, Studio
    from sora_nb.prompt import Camera, Prompt, Shot


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext sora_nb``: register ``%%sora`` and ``%sora`` (and nothing else)."""
    from sora_nb.notebook.display import register_formatters
    from sora_nb.notebook.magics import SoraMagics

    ipython.register_magics(SoraMagics)
    register_formatters(ipython)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """The Jupyter server extension that streams takes (enabled by ``pip install sora_nb``)."""
    return [{"module": "sora_nb.notebook.media_server"}]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sora_nb' has no attribute {name!r}")
    mod = importlib.import_module(module)
    value = mod if module.rsplit(".", 1)[-1] == name else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
