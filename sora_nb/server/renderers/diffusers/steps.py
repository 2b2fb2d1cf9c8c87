"""Reporting a pipeline's denoising steps, whatever the pipeline offers for it."""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["hook_steps"]


def hook_steps(pipe: Any, kwargs: dict[str, Any], on_step: Any) -> Any:
    """Report every denoising step: through ``callback_on_step_end`` where the pipeline has
    it, else by counting its scheduler's steps. Returns the function that unhooks."""
    if "callback_on_step_end" in inspect.signature(pipe.__call__).parameters:

        def callback(_pipe: Any, index: int, _timestep: Any, _tensors: Any) -> dict[str, Any]:
            on_step(index)
            return {}

        kwargs["callback_on_step_end"] = callback
        return lambda: None
    scheduler = pipe.scheduler
    original = scheduler.step
    count = [0]

    def step(*args: Any, **more: Any) -> Any:
        result = original(*args, **more)
        on_step(count[0])
        count[0] += 1
        return result

    scheduler.step = step

    def unhook() -> None:
        scheduler.step = original

    return unhook
