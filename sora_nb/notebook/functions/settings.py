"""The kernel's session and what it is set up with: ``configure`` (media folder, server, key,
budget, defaults), ``session``, and ``models``, the catalog those defaults choose from."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from sora_nb import catalog
from sora_nb.api.enhancer import Enhancer
from sora_nb.notebook import display, kernel
from sora_nb.runs.session import Session


def configure(**settings: Any) -> Session:
    """Set the kernel's media folder, server, key, budget or concurrency (and start afresh),
    or its defaults: ``model``, ``size``, ``seconds``, ``takes``.

    ``configure(media_dir="study", base_url="http://localhost:4000/v1", budget=5)`` or
    ``configure(model="sora-2-pro", seconds=8)``; settings not given keep their values. The
    defaults reach ``%%sora`` cells, ``generate``, ``grid`` and new Studios alike. The API key
    is held in memory only. ``dialect="vllm-omni"`` (or sglang, fastvideo, litellm, openai)
    says how the server speaks when it should not be found out by asking it;
    ``client_options`` go to the VideosClient (retry, poll, timeout).
    ``configure(renderer="diffusers", model="Wan-AI/Wan2.1-T2V-1.3B-Diffusers")`` renders on
    this machine with that open model (a folder or a cached hub id; ``device``, ``dtype``,
    ``offload``, ``vae_tiling``, ``lora_dir`` optional): with ``renderer``, ``model`` names the
    local model, not a default; ``renderer="animatic"`` goes back to the animatic.
    ``enhancer=Enhancer(...)`` names the prompt enhancer (see :func:`enhancer`).
    """
    return kernel.configure(**settings)


def enhancer(
    url: str | None = None,
    *,
    model: str | None = None,
    api_key: str | SecretStr | None = None,
    price_in: float | None = None,
    price_out: float | None = None,
) -> Enhancer | None:
    """Name the prompt enhancer, an OpenAI-compatible chat endpoint (LiteLLM, vLLM, Ollama,
    llama.cpp): ``enhancer("http://localhost:11434/v1", model="qwen2.5:7b")``; with no URL, the
    one in force (None: none). Rewrites are asked only for ``enhance=True``, ``%%sora
    --enhance`` or a ``prompt=mine,enhanced`` axis. ``api_key`` is held in memory only;
    ``price_in``/``price_out`` (dollars per million tokens) price a rewrite where the endpoint
    reports its tokens but not its cost."""
    if url is None:
        return kernel.session().rewrites.enhancer
    key = SecretStr(api_key) if isinstance(api_key, str) and api_key else api_key or None
    named = Enhancer(url=url, model=model or "", key=key, price_in=price_in, price_out=price_out)
    kernel.configure(enhancer=named)
    return named


def session() -> Session:
    """The kernel's session: one media folder, one server, one runner (made on first use)."""
    _show_results_as_widgets()
    return kernel.session()


def _show_results_as_widgets() -> None:
    # In IPython, Takes and GridRuns display as players and grids even without %load_ext.
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:  # cheap, and idempotent: two entries in IPython's formatter table
        display.register_formatters(shell)


def models() -> list[dict[str, Any]]:
    """The model catalog, one record per model: what the connected server does with it (the
    bundled server draws it as an offline animatic following its rules), then its sizes,
    durations, prices and lifecycle."""
    info = session().server_info(strict=False)
    rows = []
    for profile in catalog.models():
        prices = {size: price.per_second for size, price in profile.prices.items()}
        rule = profile.frame_rule
        rows.append(
            {
                "model": profile.name,
                "here": _here(profile.name, info),
                "sizes": list(profile.sizes_on()),
                "seconds": [int(s) for s in profile.seconds_on()],
                "audio": profile.audio,
                "image_input": profile.image_input,
                # Open models run on your GPUs: GPU time, not a price per second.
                "usd_per_second": "GPU time" if profile.open_weights else prices,
                "fps": profile.fps,
                "frames": f"{rule[0]}k+{rule[1]}, {profile.default_frames} by default"
                if rule
                else None,
                "steps": profile.default_steps,
                "guidance": profile.default_guidance,
                "snapshot_of": profile.snapshot_of,
                "retired_on_openai": profile.retired_on.isoformat() if profile.retired_on else None,
            }
        )
    return rows


def _here(model: str, info: Any) -> str:
    """What the connected server does with ``model``, in a few words."""
    if not info.serves(model):
        return "not served here"
    if info.renderer == "animatic":
        return f"offline animatic following {model}'s rules, $0"
    if info.renderer is not None:
        return "rendered on this machine"
    return "served" if info.models else "the server lists no models"
