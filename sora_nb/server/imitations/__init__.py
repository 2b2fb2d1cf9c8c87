"""Imitations of the servers that really speak the Videos API, for tests and teaching.

``ServerSettings(dialect="vllm-omni")`` (or ``python -m sora_nb.server --dialect vllm-omni``)
answers exactly as ``shared/spec/engine-dialects.md`` describes that server: vLLM-Omni, SGLang
Diffusion and FastVideo (engines serving one open model, rendered here by the animatic or by an
open model through diffusers), the LiteLLM proxy (a gateway in front of an OpenAI-style
deployment), and OpenAI itself (the strict excerpt: no knobs). One module per dialect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from starlette.applications import Starlette

    from sora_nb.server.settings import ServerSettings

#: The dialects, by the name ``--dialect`` takes.
DIALECTS = ("openai", "vllm-omni", "sglang", "fastvideo", "litellm")


def imitation_app(settings: ServerSettings) -> Starlette:
    """The app of ``settings.dialect`` (not "openai", which is the bundled app made strict)."""
    name = settings.dialect
    if name == "litellm":
        from sora_nb.server.imitations.litellm import litellm_app

        return litellm_app(settings)
    from sora_nb.server.imitations.engine import engine_app

    if name == "vllm-omni":
        from sora_nb.server.imitations.vllm_omni import VLLM_OMNI

        return engine_app(settings, VLLM_OMNI)
    if name == "sglang":
        from sora_nb.server.imitations.sglang import SGLANG

        return engine_app(settings, SGLANG)
    if name == "fastvideo":
        from sora_nb.server.imitations.fastvideo import FASTVIDEO

        return engine_app(settings, FASTVIDEO)
    raise ValueError(f"No dialect {name!r}; choose one of {', '.join(DIALECTS)}.")
