"""Step caches: the value of ``--step-cache`` / ``step_cache=``, as a method and its setting.

A step cache skips work the denoiser would redo almost unchanged from one step to the next
(diffusers' FirstBlockCache, TaylorSeer, Pyramid Attention Broadcast, SeaCache; SGLang's and
FastVideo's TeaCache). The value is a method and, where it has one, its setting after a colon:
``firstblock``, ``firstblock:0.1``, ``taylorseer:4``; ``none`` renders without one (the baseline
a grid compares against). Which methods a server offers depends on the server: the bundled one
names them on its model card and refuses others; SGLang and FastVideo take only ``teacache``.

Layer 0: the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "METHODS",
    "REFUSALS",
    "Method",
    "StepCache",
    "engine_value",
    "from_engine",
    "normalise",
    "parse",
]


@dataclass(frozen=True)
class Method:
    """One step-cache method: what its setting is, and its bounds."""

    name: str
    #: What the number after the colon sets ("" for a method that takes none).
    setting: str = ""
    integer: bool = False
    low: float = 0.0
    high: float = 1.0
    default: float | None = None
    help: str = ""


#: Every method a server may offer, by the name ``--step-cache`` takes.
METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("none", help="no step cache: every step computed in full"),
        Method(
            "firstblock",
            "threshold",
            low=0.0,
            high=1.0,
            default=0.05,
            help="reuses the other blocks' residual while the first block's output barely changes",
        ),
        Method(
            "taylorseer",
            "interval",
            integer=True,
            low=1,
            high=50,
            default=5,
            help="computes every INTERVAL steps and predicts between them by a Taylor series",
        ),
        Method(
            "pab",
            "block skip range",
            integer=True,
            low=1,
            high=50,
            default=2,
            help="Pyramid Attention Broadcast: reuses attention for every N-th step",
        ),
        Method(
            "seacache",
            "threshold",
            low=0.0,
            high=10.0,
            default=0.25,
            help="SeaCache: skips blocks while the spectrum-aware change stays under a threshold",
        ),
        Method(
            "teacache",
            help="TeaCache (SGLang, FastVideo): skips steps whose input barely changed",
        ),
    )
}


@dataclass(frozen=True)
class StepCache:
    """A parsed ``--step-cache`` value: the method and its setting (None: the default)."""

    method: str
    value: float | None = None

    @property
    def text(self) -> str:
        """The value as ``--step-cache`` writes it: ``firstblock:0.1``."""
        if self.value is None:
            return self.method
        return f"{self.method}:{_num(self.value, METHODS[self.method].integer)}"


def parse(text: str) -> StepCache:
    """``firstblock:0.1`` as a :class:`StepCache`, or ValueError saying what is taken."""
    raw = text.strip().lower()
    name, _, setting = raw.partition(":")
    method = METHODS.get(name.strip())
    if method is None:
        raise ValueError(
            f"there is no step cache {name.strip()!r}; the methods are {', '.join(METHODS)} "
            "(a server offers some of them), like firstblock or firstblock:0.1"
        )
    if not setting.strip():
        if raw.endswith(":"):
            raise ValueError(f"give the {method.setting} of {method.name} after the colon")
        return StepCache(method.name)
    if not method.setting:
        raise ValueError(
            f"the step cache {method.name} takes no setting; write just {method.name!r}"
        )
    try:
        number = float(setting)
    except ValueError:
        raise ValueError(
            f"the {method.setting} of {method.name} should be a number, like {method.name}:"
            f"{_num(method.default, method.integer)}; got {setting.strip()!r}"
        ) from None
    if (method.integer and not number.is_integer()) or not method.low <= number <= method.high:
        kind = "a whole number" if method.integer else "a number"
        raise ValueError(
            f"the {method.setting} of {method.name} should be {kind} from "
            f"{_num(method.low, method.integer)} to {_num(method.high, method.integer)}; "
            f"got {setting.strip()}"
        )
    return StepCache(method.name, number)


def normalise(text: str) -> str:
    """The value as the options table keeps it (``FirstBlock:0.10`` -> ``firstblock:0.1``)."""
    return parse(text).text


#: Why engines without a per-request switch refuse one, by dialect.
REFUSALS = {
    "vllm-omni": "vLLM-Omni sets its step cache when it starts (vllm serve MODEL --omni "
    "--cache-backend tea_cache), not per request",
}
_TITLES = {"sglang": "SGLang Diffusion", "fastvideo": "FastVideo"}


def from_engine(value: object) -> object:
    """A value read back from an engine's body: its ``enable_teacache`` switch as a method."""
    if isinstance(value, bool):
        return "teacache" if value else "none"
    return value


def engine_value(text: str, dialect: str) -> bool:
    """What an engine with one TeaCache switch (SGLang's and FastVideo's ``enable_teacache``)
    is sent for this value; ValueError for a method it does not have."""
    title = _TITLES.get(dialect, dialect)
    cache = parse(text)
    if cache.method == "none":
        return False
    if cache.method == "teacache" and cache.value is None:
        return True
    raise ValueError(
        f"{title} has one step cache, TeaCache, switched on per request: send step_cache="
        f"'teacache' (or 'none'), not {cache.text!r}"
    )


def _num(value: float | None, integer: bool) -> str:
    if value is None:
        return ""
    return str(int(value)) if integer else f"{value:g}"
