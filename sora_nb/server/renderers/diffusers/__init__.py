"""The diffusers renderer: open video models (Wan, LTX-2 with sound, HunyuanVideo 1.5) on this
machine's GPU, or its CPU, behind the bundled server's Videos API.

``open_renderer(DiffusersOptions(model="Wan-AI/Wan2.1-T2V-1.3B-Diffusers"))`` loads the model
(from a folder, or the Hugging Face cache: never downloading) and keeps it resident;
``python -m sora_nb.server --renderer diffusers --model ...`` serves it. Needs the ``local``
extra (torch, diffusers, transformers, accelerate). Names resolve lazily: importing this
package does not import torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from sora_nb.server.renderers.diffusers.locate import ModelError
    from sora_nb.server.renderers.diffusers.options import DiffusersOptions
    from sora_nb.server.renderers.diffusers.renderer import DiffusersRenderer
    from sora_nb.server.renderers.diffusers.resident import open_renderer

__all__ = ["DiffusersOptions", "DiffusersRenderer", "ModelError", "open_renderer"]

_WHERE = {
    "DiffusersOptions": "sora_nb.server.renderers.diffusers.options",
    "DiffusersRenderer": "sora_nb.server.renderers.diffusers.renderer",
    "ModelError": "sora_nb.server.renderers.diffusers.locate",
    "open_renderer": "sora_nb.server.renderers.diffusers.resident",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
