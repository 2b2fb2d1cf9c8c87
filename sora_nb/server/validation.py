"""Read and check request bodies the way the real service did, with its kind of error bodies.

A create's reference image is read and checked in :mod:`sora_nb.server.input_reference`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sora_nb import catalog
from sora_nb.catalog import options as options_table
from sora_nb.server import source_fields
from sora_nb.server.defaults import DEFAULT_MODEL, DEFAULT_SECONDS, DEFAULT_SIZE
from sora_nb.server.errors import invalid
from sora_nb.server.forms import (
    Body,
    json_field,
    no_files_but,
    parse_body,
    read_body,
    too_large,
)
from sora_nb.server.input_reference import check_reference, read_reference
from sora_nb.server.type_errors import kind_of, wrong_type

__all__ = ["Body", "CreateRequest", "check_create", "parse_body", "read_body", "too_large"]

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.server.renderers.base import Abilities

MAX_PROMPT = 32_000
#: The longest negative prompt taken (the options table's bound).
MAX_NEGATIVE = int(options_table.get("negative_prompt").high or MAX_PROMPT)
#: The longest clip a served model is asked for, in seconds (past every open model's training).
MAX_SECONDS = 120
#: The numeric request options: wire name -> (type, lowest, highest, what it is), from the
#: options table (the bundled server's own limit where it is stricter than the engines').
KNOB_RULES: dict[str, tuple[type, float | None, float | None, str]] = {
    option.wire: (
        int if option.kind == "int" else float,
        option.low,
        option.bundled_high if option.bundled_high is not None else option.high,
        "an integer" if option.kind == "int" else "a number",
    )
    for option in options_table.OPTIONS
    if option.kind in ("int", "float")
}

_CREATE_FIELDS = frozenset(
    {
        "prompt",
        "model",
        "seconds",
        "size",
        "input_reference",
        "characters",
        *options_table.wire_names(),
    }
)
_OPENAI_FIELDS = frozenset({"prompt", "model", "seconds", "size", "input_reference", "characters"})
#: The most characters one video may feature (the guide's limit).
MAX_CHARACTERS = 2
_REMIX_FIELDS = frozenset({"prompt"})


@dataclass(frozen=True)
class CreateRequest:
    """A checked create: every field filled in with the service's defaults."""

    prompt: str
    model: str
    size: str
    seconds: str
    reference: bytes | None = None
    reference_type: str | None = None
    #: The open-model knobs sent, checked and typed (``{"seed": 7, "guidance_scale": 5.0}``).
    knobs: dict[str, Any] = field(default_factory=dict)
    #: The ids of the characters to feature (not yet looked up).
    characters: tuple[str, ...] = ()
    #: A last frame and a source video, by part name (their knobs name them by content).
    sources: dict[str, bytes] = field(default_factory=dict)


def check_create(
    body: Body,
    *,
    today: dt.date | None = None,
    abilities: Abilities | None = None,
    with_knobs: bool = True,
) -> CreateRequest:
    """A :class:`CreateRequest` from a body, or the 400 the real service gives for it.

    ``abilities`` are the renderer's: one serving named models (an open model through
    diffusers) takes those names instead of the catalog's, and leaves size and length to the
    renderer's own rules. ``with_knobs=False`` is OpenAI's API exactly: ``seed`` and the other
    knobs are unknown parameters there.
    """
    _no_unknown(body.fields, _CREATE_FIELDS if with_knobs else _OPENAI_FIELDS)
    no_files_but(body, "input_reference", *(source_fields.PARTS if with_knobs else ()))
    prompt = check_prompt(body.fields)
    knobs = check_knobs(body.fields, multipart=body.multipart)
    characters = check_characters(body)
    if abilities is not None and abilities.models is not None:
        checked = _check_served(body, prompt, knobs, abilities)
        sources = source_fields.read_sources(body, checked.size)
        knobs = {**checked.knobs, **source_fields.knobs_of(sources)}
        return dataclasses.replace(checked, characters=characters, sources=sources, knobs=knobs)
    sources = source_fields.read_sources(body, None)
    knobs.update(source_fields.knobs_of(sources))
    model = _text(body.fields, "model", DEFAULT_MODEL)
    seconds = _text(body.fields, "seconds", DEFAULT_SECONDS)
    size = _text(body.fields, "size", DEFAULT_SIZE).lower()
    reference, ref_type = read_reference(body)
    if catalog.get_profile(model) is None:
        known = ", ".join(p.name for p in catalog.models())
        raise invalid(
            f"Invalid value for 'model': {model!r} is not a model this server has. "
            f"Use one of {known}.",
            param="model",
        )
    if not (seconds.isdigit() and seconds == str(int(seconds))):
        raise invalid(
            f"Invalid value for 'seconds': {seconds!r}. Send a whole number of seconds as a "
            'string, like "8".',
            param="seconds",
        )
    try:
        catalog.check_request(
            model, size=size, seconds=seconds, has_reference=reference is not None, on=today
        )
    except catalog.CatalogError as exc:
        raise invalid(f"Invalid value for '{exc.param}': {exc}", param=exc.param) from None
    if reference is not None:
        check_reference(reference, size)
    if "last_image" in sources:
        sources = source_fields.read_sources(body, size)  # the last frame against the size
    return CreateRequest(
        prompt, model, size, seconds, reference, ref_type, knobs, characters, sources
    )


def check_characters(body: Body) -> tuple[str, ...]:
    """The ids of ``characters`` (a list of ``{"id": ...}``, two at most, each once)."""
    given = json_field(body, "characters", '[{"id": "char_123"}]')
    if given is None:
        return ()
    if not isinstance(given, list):
        raise invalid(
            f"Invalid type for 'characters': expected an array of objects like "
            f'{{"id": "char_123"}}, but got {kind_of(given)} instead.',
            param="characters",
            code="invalid_type",
        )
    if len(given) > MAX_CHARACTERS:
        raise invalid(
            f"Invalid 'characters': array too long. Expected an array with maximum length "
            f"{MAX_CHARACTERS}, but got an array with length {len(given)} instead: a video "
            "features two characters at most.",
            param="characters",
            code="array_above_max_length",
        )
    ids: list[str] = []
    for index, item in enumerate(given):
        where = f"characters[{index}]"
        if not isinstance(item, dict) or set(item) != {"id"}:
            raise invalid(
                f"Invalid '{where}': expected an object with only an 'id', like "
                '{"id": "char_123"}.',
                param=where,
                code="invalid_type",
            )
        ident = item["id"]
        if not isinstance(ident, str) or not ident.strip():
            raise wrong_type(f"{where}.id", ident)
        if ident in ids:
            raise invalid(
                f"Invalid 'characters': {ident} is listed twice; list each character once.",
                param=where,
            )
        ids.append(ident)
    return tuple(ids)


def _check_served(
    body: Body, prompt: str, knobs: dict[str, Any], abilities: Abilities
) -> CreateRequest:
    served = abilities.models or ()
    model = _text(body.fields, "model", abilities.default_model)
    if model not in served:
        raise invalid(
            f"Invalid value for 'model': this server renders {_quoted(served)} with "
            f"{abilities.kind}, not {model[:80]!r}. Send model {served[0]!r} or leave it out.",
            param="model",
            code="model_not_found",
        )
    usual = str(abilities.usual_seconds) if abilities.usual_seconds else DEFAULT_SECONDS
    seconds = _text(body.fields, "seconds", usual)
    if not (seconds.isdigit() and seconds == str(int(seconds)) and int(seconds) >= 1):
        raise invalid(
            f"Invalid value for 'seconds': {seconds!r}. Send a whole number of seconds as a "
            'string, like "4".',
            param="seconds",
        )
    if int(seconds) > MAX_SECONDS:
        raise invalid(
            f"Invalid value for 'seconds': {seconds} is longer than this server makes "
            f"({MAX_SECONDS} s at most); ask for a shorter clip.",
            param="seconds",
        )
    size = _text(body.fields, "size", "").lower() or _default_size(abilities)
    try:
        catalog.parse_size(size)
    except catalog.CatalogError as exc:
        raise invalid(f"Invalid value for 'size': {exc}", param="size") from None
    reference, ref_type = read_reference(body)
    if reference is not None:
        check_reference(reference, size)
    return CreateRequest(prompt, model, size, seconds, reference, ref_type, knobs)


def _default_size(abilities: Abilities) -> str:
    # A served model without a size asked renders at its usual size, else at 832x480 (Wan's
    # and the engines' default landscape) rounded to its own multiple.
    if abilities.usual_size:
        return abilities.usual_size
    step = abilities.size_multiple
    return f"{832 // step * step}x{max(step, 480 // step * step)}"


def _quoted(names: tuple[str, ...]) -> str:
    return " or ".join(repr(n) for n in names)


def check_knobs(fields: Mapping[str, Any], *, multipart: bool) -> dict[str, Any]:
    """The open-model knobs of a create body, typed and bounds-checked.

    Form fields arrive as text ("7"); JSON ones must already be numbers. A knob not sent is
    left out, so a request without knobs is exactly what it was before knobs existed.
    """
    knobs: dict[str, Any] = {}
    negative = fields.get("negative_prompt")
    if negative is not None:
        if not isinstance(negative, str):
            raise wrong_type("negative_prompt", negative)
        if len(negative) > MAX_NEGATIVE:
            raise invalid(
                f"Invalid 'negative_prompt': string too long. Expected at most {MAX_NEGATIVE} "
                f"characters, got {len(negative)}.",
                param="negative_prompt",
                code="string_above_max_length",
            )
        knobs["negative_prompt"] = negative
    if fields.get("lora") is not None:
        try:  # a JSON list of {name, scale, target} (a JSON text in a form)
            if adapters := options_table.get("loras").check(fields["lora"]):
                knobs["lora"] = adapters
        except options_table.OptionError as exc:
            raise invalid(f"Invalid 'lora': {exc}", param="lora", code="invalid_value") from None
    for option in options_table.OPTIONS:
        # Text options with a reading of their own (the step cache's METHOD[:X]).
        value = fields.get(option.wire)
        if option.normalise is None or value is None:
            continue
        if not isinstance(value, str):
            raise wrong_type(option.wire, value)
        try:
            knobs[option.wire] = option.check(value)
        except options_table.OptionError as exc:
            raise invalid(f"Invalid value for '{option.wire}': {exc}", param=option.wire) from None
    for name, (kind, low, high, what) in KNOB_RULES.items():
        value = fields.get(name)
        if value is None:
            continue
        number = _number(name, value, kind, what, multipart=multipart)
        out_of_range = (low is not None and number < low) or (high is not None and number > high)
        if out_of_range or not math.isfinite(number):
            raise invalid(
                f"Invalid value for '{name}': {number!r}. Expected {what} from "
                f"{_bound(low, kind)} to {_bound(high, kind)}.",
                param=name,
                code="invalid_value",
            )
        knobs[name] = number
    return knobs


def _bound(value: float | None, kind: type) -> str:
    return str(int(value)) if kind is int and value is not None else f"{value:g}"


def _number(name: str, value: Any, kind: type, what: str, *, multipart: bool) -> int | float:
    if isinstance(value, str) and multipart:
        text = value.strip()
        try:
            return int(text) if kind is int else float(text)
        except ValueError:
            raise invalid(
                f"Invalid value for '{name}': {text[:40]!r} is not {what}.",
                param=name,
                code="invalid_type",
            ) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(
            f"Invalid type for '{name}': expected {what}, but got {kind_of(value)} instead.",
            param=name,
            code="invalid_type",
        )
    if kind is int:
        if isinstance(value, float) and not value.is_integer():
            raise invalid(
                f"Invalid type for '{name}': expected an integer, but got {value!r}.",
                param=name,
                code="invalid_type",
            )
        return int(value)
    return float(value)


def check_remix(body: Body) -> str:
    """The remix prompt from a body, or the 400 the real service gives."""
    _no_unknown(body.fields, _REMIX_FIELDS)
    if body.files:
        name = next(iter(body.files))
        raise invalid(
            "A remix takes only a prompt, no file.",
            param=name,
            code="unknown_parameter",
        )
    return check_prompt(body.fields)


def check_prompt(fields: Mapping[str, Any]) -> str:
    """The prompt: present, a string, 1 to 32000 characters."""
    if "prompt" not in fields or fields["prompt"] is None:
        raise invalid(
            "Missing required parameter: 'prompt'.",
            param="prompt",
            code="missing_required_parameter",
        )
    prompt = fields["prompt"]
    if not isinstance(prompt, str):
        raise wrong_type("prompt", prompt)
    if not prompt.strip():
        raise invalid(
            "Invalid 'prompt': empty string. Expected a string with minimum length 1.",
            param="prompt",
            code="string_below_min_length",
        )
    if len(prompt) > MAX_PROMPT:
        raise invalid(
            f"Invalid 'prompt': string too long. Expected a string with maximum length "
            f"{MAX_PROMPT}, but got a string with length {len(prompt)} instead.",
            param="prompt",
            code="string_above_max_length",
        )
    return prompt


def _no_unknown(fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
    for name in fields:
        if name not in allowed:
            raise invalid(f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")


def _text(fields: Mapping[str, Any], name: str, default: str) -> str:
    value = fields.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise wrong_type(name, value)
    return value.strip()
