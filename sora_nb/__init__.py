"""sora_nb: a notebook studio for AI video on the Videos API protocol.

``import sora_nb`` is kept cheap (no httpx, pydantic or PyAV at import time): the public
names below are loaded on first use, so a notebook pays only for what it touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sora_nb._version import __version__ as __version__

# Public name -> the module that defines it, resolved lazily by __getattr__. Every type the
# functions return is here too: a Take, a Study (the grid run the notebook hands out: a GridRun
# with results), a GridPlan, the Session, a CharacterRecord, the PairwiseJudge.
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
    "enhancer": "sora_nb.notebook.functions",
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
    "Take": "sora_nb.runs.take",
    "GridPlan": "sora_nb.runs.grid",
    "GridRun": "sora_nb.runs.grid",
    "Study": "sora_nb.research.study",
    "Session": "sora_nb.runs.session",
    "CharacterRecord": "sora_nb.runs.characters",
    "PairwiseJudge": "sora_nb.notebook.pairwise",
    "VideosClient": "sora_nb.api.client",
    "SyncVideosClient": "sora_nb.api.sync",
    "SoraError": "sora_nb.api.errors",
    "Enhancer": "sora_nb.api.enhancer",
    "ModelProfile": "sora_nb.catalog",
    "catalog": "sora_nb.catalog",
}

#: Every public name: the lazy ones, the version and the extension hook (checked against the
#: TYPE_CHECKING imports below and ``dir(sora_nb)`` by tests/test_public_face.py).
__all__ = sorted([*_LAZY, "__version__", "load_ipython_extension"])

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs (``X as X``: exported)
    from sora_nb import catalog as catalog
    from sora_nb.api.client import VideosClient as VideosClient
    from sora_nb.api.enhancer import Enhancer as Enhancer
    from sora_nb.api.errors import SoraError as SoraError
    from sora_nb.api.sync import SyncVideosClient as SyncVideosClient
    from sora_nb.catalog import ModelProfile as ModelProfile
    from sora_nb.notebook.functions import agenerate as agenerate
    from sora_nb.notebook.functions import agrid as agrid
    from sora_nb.notebook.functions import chain_grid as chain_grid
    from sora_nb.notebook.functions import character as character
    from sora_nb.notebook.functions import characters as characters
    from sora_nb.notebook.functions import configure as configure
    from sora_nb.notebook.functions import continuity as continuity
    from sora_nb.notebook.functions import edit as edit
    from sora_nb.notebook.functions import enhancer as enhancer
    from sora_nb.notebook.functions import export as export
    from sora_nb.notebook.functions import export_bundle as export_bundle
    from sora_nb.notebook.functions import extend as extend
    from sora_nb.notebook.functions import generate as generate
    from sora_nb.notebook.functions import grid as grid
    from sora_nb.notebook.functions import history as history
    from sora_nb.notebook.functions import import_bundle as import_bundle
    from sora_nb.notebook.functions import judge as judge
    from sora_nb.notebook.functions import measure as measure
    from sora_nb.notebook.functions import models as models
    from sora_nb.notebook.functions import plan as plan
    from sora_nb.notebook.functions import resume as resume
    from sora_nb.notebook.functions import session as session
    from sora_nb.notebook.pairwise import PairwiseJudge as PairwiseJudge
    from sora_nb.notebook.widgets import Grid as Grid
    from sora_nb.notebook.widgets import Player as Player
    from sora_nb.notebook.widgets import Studio as Studio
    from sora_nb.prompt import Camera as Camera
    from sora_nb.prompt import Prompt as Prompt
    from sora_nb.prompt import Shot as Shot
    from sora_nb.research.study import Study as Study
    from sora_nb.runs.characters import CharacterRecord as CharacterRecord
    from sora_nb.runs.grid import GridPlan as GridPlan
    from sora_nb.runs.grid import GridRun as GridRun
    from sora_nb.runs.session import Session as Session
    from sora_nb.runs.take import Take as Take


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext sora_nb``: register ``%%sora`` and ``%sora`` (and nothing else)."""
    from sora_nb.notebook.display import register_formatters
    from sora_nb.notebook.magics import SoraMagics

    ipython.register_magics(SoraMagics)
    register_formatters(ipython)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """The Jupyter server extension that streams takes (enabled by ``pip install sora_nb``)."""
    return [{"module": "sora_nb.jupyter_media.extension"}]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sora_nb' has no attribute {name!r}")
    mod = importlib.import_module(module)
    value = mod if module.rsplit(".", 1)[-1] == name else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # The public names and the module's own dunders, not the helpers this file imports.
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
