"""Step caches on a loaded pipeline: diffusers' cache hooks, put on for one job and taken off.

diffusers ships its step caches as hooks on a transformer (``transformer.enable_cache(config)``
and ``disable_cache()``, from ``CacheMixin``). The bundled server offers those whose config the
installed diffusers has and that work on a video transformer with nothing model-specific to
supply: TaylorSeer (its lite variant: blocks skipped, the output projection predicted) on any
transformer; FirstBlockCache, SeaCache and Pyramid Attention Broadcast where diffusers registers
the transformer's block class (Wan, HunyuanVideo, LTX-Video...: the first two read the blocks'
outputs by that registry, and on LTX-2's audio-video blocks all three fail). MagCache needs
ratios calibrated per model and FasterCache guidance-specific settings (its defaults fail on
Wan), so neither is offered. Wan 2.2's two experts (``transformer`` and ``transformer_2``) each
get the hook.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sora_nb.catalog.step_cache import METHODS, StepCache, parse

__all__ = ["applied", "hooks_left", "offered"]

#: The methods the bundled server can apply, with the diffusers config class each needs.
_CONFIGS = {
    "firstblock": "FirstBlockCacheConfig",
    "taylorseer": "TaylorSeerCacheConfig",
    "pab": "PyramidAttentionBroadcastConfig",
    "seacache": "SeaCacheConfig",
}
#: Methods that work only on blocks diffusers has registered (their outputs' layout).
_NEED_REGISTERED_BLOCKS = frozenset({"firstblock", "pab", "seacache"})


def _transformers(pipe: Any) -> list[Any]:
    found = [getattr(pipe, name, None) for name in ("transformer", "transformer_2")]
    return [t for t in found if t is not None and hasattr(t, "enable_cache")]


def offered(pipe: Any) -> tuple[str, ...]:
    """The step caches this pipeline takes (``none`` first), or () when its denoiser has none."""
    if not _transformers(pipe):
        return ()
    try:
        from diffusers import hooks
    except ImportError:  # pragma: no cover - the local extra brings diffusers
        return ()
    registered = all(_blocks_registered(t) for t in _transformers(pipe))
    return (
        "none",
        *(
            name
            for name, config in _CONFIGS.items()
            if hasattr(hooks, config) and (registered or name not in _NEED_REGISTERED_BLOCKS)
        ),
    )


def _blocks_registered(transformer: Any) -> bool:
    """True when every block class of the transformer's block lists is in diffusers' registry."""
    try:
        import torch
        from diffusers.hooks._helpers import TransformerBlockRegistry
    except ImportError:  # pragma: no cover - an older diffusers: no such registry
        return False
    blocks = {
        type(block)
        for child in transformer.children()
        if isinstance(child, torch.nn.ModuleList)
        for block in child
    }
    try:
        for block_class in blocks:
            TransformerBlockRegistry.get(block_class)
    except ValueError:
        return False
    return bool(blocks)


def _config(cache: StepCache, pipe: Any, transformer: Any) -> Any:
    from diffusers import hooks

    method = METHODS[cache.method]
    value = cache.value if cache.value is not None else method.default
    if cache.method == "firstblock":
        return hooks.FirstBlockCacheConfig(threshold=float(value or 0.05))
    if cache.method == "taylorseer":
        return hooks.TaylorSeerCacheConfig(
            cache_interval=int(value or 5),
            disable_cache_before_step=3,
            use_lite_mode=True,
            taylor_factors_dtype=transformer.dtype,
        )
    if cache.method == "pab":
        return hooks.PyramidAttentionBroadcastConfig(
            spatial_attention_block_skip_range=int(value or 2),
            spatial_attention_timestep_skip_range=(100, 800),
            current_timestep_callback=lambda: pipe.current_timestep,
        )
    return hooks.SeaCacheConfig(threshold=float(value or 0.25))


@contextmanager
def applied(pipe: Any, text: str | None) -> Iterator[str | None]:
    """Put the step cache ``text`` names on ``pipe``'s denoiser(s) for the ``with`` block, and
    take it off after, whatever happens; yields the method applied (None for no cache)."""
    cache = parse(text) if text else None
    if cache is None or cache.method == "none":
        yield None
        return
    enabled: list[Any] = []
    try:
        for transformer in _transformers(pipe):
            transformer.enable_cache(_config(cache, pipe, transformer))
            enabled.append(transformer)
        yield cache.text
    finally:
        for transformer in enabled:
            transformer.disable_cache()


def hooks_left(pipe: Any) -> int:
    """How many diffusers hooks are still registered on the pipeline's denoiser(s): 0 once a
    job's step cache is off."""
    count = 0
    for transformer in _transformers(pipe):
        for module in transformer.modules():
            registry = getattr(module, "_diffusers_hook", None)
            if registry is not None:
                count += len(registry.hooks)
    return count
