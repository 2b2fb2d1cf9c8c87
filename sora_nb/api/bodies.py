"""The body of ``POST /videos`` as each dialect wants it: JSON or multipart, and its field types.

OpenAI's API, SGLang and FastVideo read JSON (multipart when a file goes along); vLLM-Omni reads
only forms, so everything goes to it as multipart text fields. The open-model knobs (seed,
steps...) are checked here against the ranges the engines enforce, so a wrong value gets a
precise message before anything is sent.
"""

from __future__ import annotations

import json
import math
from typing import Any

from sora_nb.api import errors
from sora_nb.api.dialects import KNOB_FIELDS, KNOB_OPTIONS, Dialect, ServerInfo
from sora_nb.api.sending import Files
from sora_nb.api.types import ImageRef, ReferenceFile

#: The engines' ranges (vLLM-Omni's VideoGenerationRequest): steps 1..200, guidance 0..20.
STEPS_RANGE = (1, 200)
GUIDANCE_RANGE = (0.0, 20.0)
#: Seeds are 64-bit on every engine's torch generator; keep them non-negative and portable.
SEED_MAX = 2**63 - 1


def check_knobs(
    *,
    seed: int | None = None,
    negative_prompt: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    fps: int | None = None,
    num_frames: int | None = None,
) -> dict[str, Any]:
    """The knobs that were given, by wire name, each checked; InvalidRequestError otherwise."""
    given: dict[str, Any] = {}
    if seed is not None:
        given["seed"] = _whole("seed", seed, 0, SEED_MAX)
    if negative_prompt is not None:
        if not isinstance(negative_prompt, str) or not negative_prompt.strip():
            raise _bad("negative_prompt", "a non-empty text, like 'blurry, text, watermark'")
        given["negative_prompt"] = negative_prompt.strip()
    if steps is not None:
        given["steps"] = _whole("steps", steps, *STEPS_RANGE)
    if guidance is not None:
        low, high = GUIDANCE_RANGE
        if (
            isinstance(guidance, bool)
            or not isinstance(guidance, (int, float))
            or not math.isfinite(guidance)
            or not low <= guidance <= high
        ):
            raise _bad("guidance", f"a number from {low:g} to {high:g}, like 5.0", guidance)
        given["guidance"] = float(guidance)
    if fps is not None:
        given["fps"] = _whole("fps", fps, 1, 240)
    if num_frames is not None:
        given["num_frames"] = _whole("num_frames", num_frames, 1, 10_000)
    return {KNOB_FIELDS[name]: value for name, value in given.items()}


def refuse_knobs(
    dialect: Dialect, wire: dict[str, Any], info: ServerInfo | None = None
) -> errors.InvalidRequestError:
    """The refusal for knobs sent to a server that does not take them (nothing is sent).

    ``info``, when known, names what the server does take: the bundled server takes the
    knobs its renderer honours (the animatic: a seed, as its variation)."""
    names = {wire_name: name for name, wire_name in KNOB_FIELDS.items()}
    taken = info.extra_knobs if info is not None else frozenset()
    refused = [w for w in wire if w not in taken] or list(wire)
    given = ", ".join(names[w] for w in refused)
    param = names[refused[0]]
    if info is not None and info.renderer is not None:
        offered = ", ".join(o for w, o in KNOB_OPTIONS.items() if w in taken) or "no knobs"
        what = (
            "the bundled server's animatic (it draws a storyboard, not from noise)"
            if info.renderer == "animatic"
            else f"the bundled server's {info.renderer} model"
        )
        return errors.InvalidRequestError(
            f"Not sent: {what} takes no {given}; it takes {offered}. Leave them out, or render "
            "with an open model that takes them (%sora connect local:MODEL, or an engine such "
            "as vLLM-Omni or SGLang).",
            param=param,
        )
    return errors.InvalidRequestError(
        f"Not sent: the {dialect.title} takes no {given} ({dialect.no_knobs}). Leave them out, "
        "or connect to an engine that takes them (vLLM-Omni, SGLang, FastVideo).",
        param=param,
    )


def create_body(
    dialect: Dialect,
    fields: dict[str, Any],
    *,
    upload: ReferenceFile | None = None,
    image: ImageRef | None = None,
) -> tuple[dict[str, Any] | None, Files | None]:
    """(json, files) for ``POST /videos``: exactly one of them is set.

    ``fields`` holds wire names with typed values (prompt, model, seconds as text, size, the
    knobs); ``upload`` is a file to send, ``image`` a URL (or file id) the server fetches.
    """
    fields = {k: v for k, v in fields.items() if v is not None}
    if image is not None:
        fields.update(_image_fields(dialect, image))
    if upload is None and dialect.encoding == "json":
        if dialect.seconds_int and "seconds" in fields:
            fields["seconds"] = int(fields["seconds"])
        return fields, None
    files: Files = [part for name, value in fields.items() for part in form_fields(name, value)]
    if upload is not None:
        files.append(("input_reference", (upload.filename, upload.content, upload.media_type)))
    return None, files


def _image_fields(dialect: Dialect, image: ImageRef) -> dict[str, Any]:
    if dialect.name in ("openai", "litellm"):
        return {"input_reference": image.model_dump(exclude_none=True)}
    if image.image_url is None:
        raise errors.InvalidRequestError(
            f"Not sent: the {dialect.title} cannot fetch an uploaded file by its id; pass the "
            "image itself (a path or bytes) or ImageRef(image_url=...).",
            param="input_reference",
        )
    if dialect.name == "vllm-omni":
        # vLLM-Omni reads image_reference as a JSON object in a form field.
        return {"image_reference": json.dumps({"image_url": image.image_url})}
    return {"reference_url": image.image_url}


def form_fields(name: str, value: Any) -> Files:
    """One body field as multipart text parts, nested values written as the OpenAI SDK (and
    LiteLLM's proxy) write them: ``characters[][id]``, ``input_reference[image_url]``."""
    if isinstance(value, dict):
        return [part for key, item in value.items() for part in form_fields(f"{name}[{key}]", item)]
    if isinstance(value, list):
        return [part for item in value for part in form_fields(f"{name}[]", item)]
    return [(name, (None, _text(value), None))]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _whole(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(name, f"a whole number from {low} to {high}", value)
    return value


def _bad(name: str, wanted: str, value: object = None) -> errors.InvalidRequestError:
    got = "" if value is None else f", not {value!r}"
    return errors.InvalidRequestError(f"Not sent: {name} should be {wanted}{got}.", param=name)
