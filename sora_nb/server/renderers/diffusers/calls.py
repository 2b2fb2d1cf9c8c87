"""What the diffusers renderer does around a pipeline call: counting its steps, deriving a seed,
reading the peak memory.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sys
from typing import Any

from sora_nb.server.renderers.base import RenderRequest

__all__ = ["derived_seed", "hook_steps", "numpy_of", "peak_mb"]


def hook_steps(pipe: Any, kwargs: dict[str, Any], on_step: Any) -> Any:
    """Report every denoising step, ``on_step(index, latents)``: through ``callback_on_step_end``
    where the pipeline has it, else by counting its scheduler's steps. Returns the function
    that unhooks."""
    if "callback_on_step_end" in inspect.signature(pipe.__call__).parameters:

        def callback(_pipe: Any, index: int, _timestep: Any, tensors: Any) -> dict[str, Any]:
            on_step(index, tensors.get("latents") if isinstance(tensors, dict) else None)
            return {}

        kwargs["callback_on_step_end"] = callback
        return lambda: None
    scheduler = pipe.scheduler
    original = scheduler.step
    count = [0]

    def step(*args: Any, **more: Any) -> Any:
        result = original(*args, **more)
        latents = result[0] if isinstance(result, tuple) else getattr(result, "prev_sample", None)
        on_step(count[0], latents)
        count[0] += 1
        return result

    scheduler.step = step

    def unhook() -> None:
        scheduler.step = original

    return unhook


def derived_seed(request: RenderRequest) -> int:
    """A seed from everything that defines the request and its take: a re-roll differs, the
    same take of the same request renders the same bytes."""
    digest = hashlib.sha256()
    # Not the seed (it is what this derives) nor the step cache (the same noise, cached or not,
    # is what a grid of caches compares).
    knobs = {k: v for k, v in request.knobs_sent().items() if k not in ("seed", "step_cache")}
    for part in (
        request.prompt,
        f"{request.width}x{request.height}",
        str(request.seconds),
        request.model,
        json.dumps(knobs, sort_keys=True),
        f"take={request.take}",
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(hashlib.sha256(request.reference or b"").digest())
    return int.from_bytes(digest.digest()[:8], "big") & (2**63 - 1)


def peak_mb(torch: Any, device: str) -> float | None:
    """Peak memory of the render: the GPU's allocations, or on the CPU the process's peak
    resident size (what the machine had to have)."""
    if device.startswith("cuda"):
        return float(torch.cuda.max_memory_allocated(device)) / 2**20
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def numpy_of(value: Any) -> Any:
    if hasattr(value, "detach"):
        return value.detach().float().cpu().numpy()
    return value
