"""Post-processing options (``--interpolate``, ``--upscale``): who does them, and what an engine
that does them is sent.

A take is made smoother (more frames per second, the same length) or sharper (more pixels)
after it is rendered. SGLang Diffusion does both itself, by RIFE and Real-ESRGAN, when a create
asks (``enable_frame_interpolation`` with ``frame_interpolation_exp``: 1 doubles the frames, 2
quadruples them; ``enable_upscaling`` with ``upscaling_scale``); vLLM-Omni does frame
interpolation the same way and no upscaling. Everywhere else (OpenAI's API, LiteLLM, the bundled
server, FastVideo) and for a factor the engine cannot do (RIFE only doubles), sora_nb does it on
the kernel's side after the download (:mod:`sora_nb.media_post`), and the server is sent the
request as it would be without the option.

Layer 0: the standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ENGINE_FIELDS", "POST_OPTIONS", "by_engine", "engine_value"]

#: The options done after rendering, by Python name.
POST_OPTIONS: tuple[str, ...] = ("interpolate", "upscale")
#: Each post option's field and switch on the engines that do it, by dialect.
ENGINE_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "interpolate": {
        "sglang": ("frame_interpolation_exp", "enable_frame_interpolation"),
        "vllm-omni": ("frame_interpolation_exp", "enable_frame_interpolation"),
    },
    "upscale": {"sglang": ("upscaling_scale", "enable_upscaling")},
}
_RIFE_EXP = {2: 1, 4: 2}
_TITLES = {"sglang": "SGLang Diffusion", "vllm-omni": "vLLM-Omni"}


def engine_value(name: str, value: Any, dialect: str) -> int:
    """The value an engine's field takes for this factor (RIFE's exponent: 2 -> 1, 4 -> 2);
    ValueError naming what the engine does instead."""
    if name == "interpolate":
        if value not in _RIFE_EXP:
            title = _TITLES.get(dialect, dialect)
            raise ValueError(
                f"{title}'s frame interpolation (RIFE) doubles the frames or quadruples them: "
                f"ask interpolate 2 or 4, not {value}"
            )
        return _RIFE_EXP[value]
    return int(value)


def by_engine(name: str, value: Any, dialect: str | None) -> bool:
    """True when the server of ``dialect`` does this post option itself at this value (it is
    then sent); False when sora_nb does it on the kernel after the download."""
    if name not in ENGINE_FIELDS or (dialect or "") not in ENGINE_FIELDS[name]:
        return False
    try:
        engine_value(name, value, dialect or "")
    except ValueError:
        return False
    return True


def local(given: Mapping[str, Any], dialect: str | None) -> dict[str, int]:
    """The post options among ``given`` (by Python name) the kernel does for this server."""
    return {
        name: int(value)
        for name, value in given.items()
        if name in POST_OPTIONS and not by_engine(name, value, dialect)
    }
