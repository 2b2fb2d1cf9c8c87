"""The options table: every request option once, and the object that carries a request's options.

An option is something a request may set beyond its prompt, model, size and length: today the
open-model settings engines take (a seed, a negative prompt, steps, guidance, a frame rate, a
frame count). Each is one :class:`Option` row of :data:`OPTIONS`, saying everything the rest of
sora_nb needs to know about it: its Python name (the keyword of ``generate`` and the field of
:class:`Options`), its name on the wire (per dialect where they differ), its ``%%sora`` flag,
the names a grid axis may give it, its type, bounds and one line of help. The magic's parser and
``%%sora?``, the grid's axes, the studio's controls, the client's body and dialect filter, the
bundled server's validation and the README's table are all read from here, so adding an option
is one row (and its implementation where it acts).

:class:`Options` is the frozen object that carries the options a request sets, from the parser
through the session's plan, the request and the client to the server's check. It holds only
options that were given, each checked against its row.

Layer 0: the standard library and pydantic only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, model_validator

from sora_nb.catalog import step_cache
from sora_nb.catalog.option_row import ENGINES, SEED_MAX, Kind, Option, OptionError
from sora_nb.catalog.options_media import MEDIA_ROWS

__all__ = [
    "ENGINES",
    "OPTIONS",
    "SEED_MAX",
    "Kind",
    "Option",
    "OptionError",
    "Options",
    "by_axis",
    "by_wire",
    "controls",
    "flags",
    "from_wire",
    "get",
    "names",
    "picked",
    "wire_names",
]


#: Every request option, in the order help and controls list them. Bounds are the engines'
#: (vLLM-Omni checks steps 1..200 and guidance 0..20; SGLang checks none, so sora_nb does).
OPTIONS: tuple[Option, ...] = (
    Option(
        name="seed",
        label="Seed",
        placeholder="chosen per take",
        kind="int",
        help="on an engine that takes seeds: the seed of the first take",
        flag="--seed",
        metavar="N",
        wire="seed",
        axes=("seed",),
        low=0,
        high=SEED_MAX,
        example="42",
        column=True,
    ),
    Option(
        name="negative_prompt",
        label="Negative prompt",
        placeholder="what to keep out: blurry, text, watermark",
        kind="text",
        help="on an engine: what the picture should not show",
        flag="--negative",
        metavar="TEXT",
        wire="negative_prompt",
        axes=("negative", "negative_prompt"),
        high=32_000,
        example="'blurry, text, watermark'",
        column=True,
    ),
    Option(
        name="steps",
        label="Steps",
        placeholder="model default",
        kind="int",
        help="on an engine: denoising steps, like 30",
        flag="--steps",
        metavar="N",
        wire="num_inference_steps",
        axes=("steps",),
        low=1,
        high=200,
        example="30",
        column=True,
    ),
    Option(
        name="guidance",
        label="Guidance",
        placeholder="model default",
        kind="float",
        help="on an engine: guidance scale, like 5.0",
        flag="--guidance",
        metavar="X",
        wire="guidance_scale",
        axes=("guidance",),
        low=0.0,
        high=20.0,
        example="5.0",
        column=True,
    ),
    Option(
        name="fps",
        label="Frame rate",
        kind="int",
        help="on an engine: frames per second of the video",
        flag="--fps",
        metavar="N",
        wire="fps",
        axes=("fps",),
        low=1,
        high=240,
        example="24",
        studio=False,
        column=True,
    ),
    Option(
        name="num_frames",
        label="Frames",
        kind="int",
        help="on an engine: the frame count (instead of --seconds)",
        flag="--frames",
        metavar="N",
        wire="num_frames",
        axes=("frames", "num_frames"),
        low=1,
        high=10_000,
        bundled_high=2049,
        example="81",
        studio=False,
        column=True,
    ),
    Option(
        name="loras",
        label="LoRA adapters",
        placeholder="ghibli:0.8 (+ another:0.5)",
        kind="loras",
        help=(
            "on an engine: a LoRA adapter the server offers, at a scale from 0 to 4 (1 when "
            "left out); @transformer or @transformer_2 picks one of Wan 2.2's experts; repeat "
            "for more"
        ),
        flag="--lora",
        metavar="NAME[:SCALE][@EXPERT]",
        wire="lora",
        axes=("lora", "loras"),
        low=0.0,
        high=4.0,
        example="ghibli:0.8",
        dialects=frozenset({"vllm-omni", "sglang"}),
    ),
    Option(
        name="guidance_2",
        label="Guidance, low-noise expert",
        placeholder="as guidance",
        kind="float",
        help="on Wan 2.2 A14B: the guidance scale of its second (low-noise) expert",
        flag="--guidance-2",
        metavar="X",
        wire="guidance_scale_2",
        axes=("guidance_2", "guidance2"),
        low=0.0,
        high=20.0,
        example="3.0",
        dialects=frozenset({"vllm-omni", "sglang"}),
        studio=False,  # an expert's setting: in %%sora and Python, not the studio
    ),
    Option(
        name="boundary_ratio",
        label="Expert boundary",
        placeholder="model default (0.875)",
        kind="float",
        help="on Wan 2.2 A14B: the share of the steps (from the noisy end) its first expert takes",
        flag="--boundary",
        metavar="X",
        wire="boundary_ratio",
        axes=("boundary", "boundary_ratio"),
        low=0.0,
        high=1.0,
        example="0.875",
        dialects=frozenset({"vllm-omni"}),
        studio=False,  # an expert's setting: in %%sora and Python, not the studio
    ),
    Option(
        name="flow_shift",
        label="Flow shift",
        placeholder="model default",
        kind="float",
        help="on an engine: the scheduler's flow shift (Wan: about 3 at 480p, 5 at 720p)",
        flag="--flow-shift",
        metavar="X",
        wire="flow_shift",
        axes=("shift", "flow_shift"),
        low=0.0,
        high=20.0,
        example="5.0",
        dialects=frozenset({"vllm-omni", "sglang"}),
        studio=False,  # an expert's setting: in %%sora and Python, not the studio
    ),
    # Not --cache: %%sora's --no-cache is the ledger's (a repeat answered from a kept take)
    Option(
        name="step_cache",
        label="Step cache",
        kind="text",
        help="skip near-repeat denoising work: none, firstblock[:THRESHOLD], taylorseer[:N], "
        "pab[:N], seacache[:THRESHOLD] (the bundled server), teacache (SGLang, FastVideo)",
        flag="--step-cache",
        metavar="METHOD[:X]",
        wire="step_cache",
        wire_by_dialect={"sglang": "enable_teacache", "fastvideo": "enable_teacache"},
        axes=("cache", "step_cache"),
        high=64,
        example="firstblock:0.1",
        dialects=frozenset({"sglang", "fastvideo"}),
        studio=False,
        normalise=step_cache.normalise,
        encode=step_cache.engine_value,
        decode=step_cache.from_engine,
        refusals=step_cache.REFUSALS,
    ),
    *MEDIA_ROWS,
)


def get(name: str) -> Option:
    """The option called ``name`` (its Python name); KeyError naming the known ones."""
    for option in OPTIONS:
        if option.name == name:
            return option
    raise KeyError(f"there is no option {name!r}; the options are {', '.join(names())}")


def names() -> tuple[str, ...]:
    """Every option's Python name, in the table's order."""
    return tuple(option.name for option in OPTIONS)


def by_axis(axis: str) -> Option | None:
    """The option a grid axis of this name varies (``frames`` -> num_frames), or None."""
    key = axis.strip().lower()
    return next((option for option in OPTIONS if key in option.axes), None)


def by_wire(wire: str, dialect: str | None = None) -> Option | None:
    """The option a body field of this name carries (``num_inference_steps`` -> steps)."""
    return next((option for option in OPTIONS if option.wire_name(dialect) == wire), None)


class Options(BaseModel):
    """The options a request sets, by Python name, each checked against its row of the table.

    Only given options are kept (None means "not given"), so ``Options()`` is a request with
    none and two requests with the same options compare and hash alike. Read one as an
    attribute (``options.steps``: None when not set) or iterate over the set ones."""

    model_config = ConfigDict(frozen=True, extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _checked(cls, data: Any) -> Any:
        if isinstance(data, Options):
            return data
        if not isinstance(data, Mapping):
            raise ValueError(f"options are given by name, like steps=30; got {data!r}")
        kept: dict[str, Any] = {}
        for name, value in data.items():
            option = _named(str(name))
            if value is not None:
                checked = option.check(value)
                # No adapters (or a neutral value) is the same request as none given.
                if checked != () and checked != option.neutral:
                    kept[option.name] = checked
        # In the table's order, so equal options dump (and key caches) alike.
        return {name: kept[name] for name in names() if name in kept}

    @classmethod
    def pick(cls, namespace: Mapping[str, Any]) -> Options:
        """The options among a function's keyword arguments (``Options.pick(locals())``):
        how public functions with explicit keywords hand them on."""
        return cls(**picked(namespace))

    def given(self) -> dict[str, Any]:
        """The options set, by Python name, in the table's order."""
        return dict(self.__pydantic_extra__ or {})

    def wire(self, dialect: str | None = None) -> dict[str, Any]:
        """The options set, by the body field each goes out as to ``dialect`` (with the
        switch a field needs there to act)."""
        fields: dict[str, Any] = {}
        for name, value in self.given().items():
            option = get(name)
            fields[option.wire_name(dialect)] = option.wire_value(value, dialect)
            if option.switch and (dialect or "") in option.wire_by_dialect:
                fields[option.switch] = True
        return fields

    def replace(self, **changes: Any) -> Options:
        """A copy with these options set (None clears one)."""
        return Options(**{**self.given(), **changes})

    def __bool__(self) -> bool:
        return bool(self.__pydantic_extra__)

    if TYPE_CHECKING:  # pragma: no cover - every option reads as an attribute

        def __getattr__(self, name: str) -> Any: ...

    else:

        def __getattr__(self, name: str) -> Any:
            if name in names():
                return (self.__pydantic_extra__ or {}).get(name)
            return super().__getattr__(name)


def controls() -> list[dict[str, Any]]:
    """The prompt studio's option controls (JSON-ready), one per row it shows."""
    # Browsers count exactly only up to 2^53 - 1: a seed box's bound stops there.
    safe = 2**53 - 1
    return [
        {
            "name": o.name,
            "label": o.label,
            "kind": o.kind,
            "min": o.low,
            "max": min(o.high, safe) if o.high is not None else None,
            "placeholder": o.placeholder,
            "help": o.help,
        }
        for o in OPTIONS
        if o.studio
    ]


def picked(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The options set among a function's keyword arguments, by name, unchecked."""
    return {name: namespace[name] for name in names() if namespace.get(name) is not None}


def _named(name: str) -> Option:
    try:
        return get(name)
    except KeyError as exc:
        raise ValueError(str(exc.args[0])) from None


def from_wire(
    fields: Mapping[str, Any], dialect: str | None = None, *, checked: bool = True
) -> Options:
    """The options among a body's fields (wire names); unknown fields are left out.

    ``checked=False`` takes the values as a server already accepted them, outside the bounds
    sora_nb's client keeps (SGLang queues 500 steps, say), without checking them again."""
    found: dict[str, Any] = {}
    for wire, value in fields.items():
        option = by_wire(wire, dialect)
        if option is not None and value is not None:
            found[option.name] = option.decode(value) if option.decode else value
    if not checked:
        # Adapters are still read into their one form (a job record keeps them as lists).
        kept = {n: get(n).check(v) if get(n).kind == "loras" else v for n, v in found.items()}
        return Options.model_construct(**{n: kept[n] for n in names() if n in kept})
    return Options(**found)


def wire_names(dialect: str | None = None) -> frozenset[str]:
    """Every option's body field for ``dialect``."""
    return frozenset(option.wire_name(dialect) for option in OPTIONS)


def flags(names_: Iterable[str]) -> list[str]:
    """The ``%%sora`` flags of these options (by Python name), in the table's order."""
    wanted = set(names_)
    return [option.flag for option in OPTIONS if option.name in wanted]
