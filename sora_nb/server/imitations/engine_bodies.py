"""Reading an engine imitation's create body: a form (with its ``input_reference`` upload) or
JSON, and the open-model knobs in it, typed and bounded as the engines check them; the
:class:`Asked` each engine makes of it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from sora_nb.server.doors import multipart_cut_short
from sora_nb.server.validation import KNOB_RULES


@dataclass(frozen=True)
class Asked:
    """A create as an engine read it: the prompt, the model sent, size, length and knobs."""

    prompt: str
    model: str | None
    width: int
    height: int
    seconds: int
    knobs: dict[str, Any]
    reference: bytes | None = None
    #: The size as the engine reports it on the job (vLLM-Omni: the request's text or None).
    size_text: str | None = None
    seconds_text: str | None = None
    #: A last frame and a source video (``last_image``, ``video``), for the renderer.
    sources: dict[str, bytes] = field(default_factory=dict)


async def read_form(request: Request) -> tuple[dict[str, str], bytes | None]:
    """Text fields and the ``input_reference`` upload of a form body (multipart or urlencoded);
    a multipart body cut off before its end is refused, not read as a form without its file."""
    if multipart_cut_short(request.headers, await request.body()):
        # The app's own EngineServer makes the error, in its engine's envelope.
        raise request.app.state.server.error(
            400, "The multipart body ends before its closing boundary; send the whole form."
        )
    form = await request.form()
    fields: dict[str, str] = {}
    reference = None
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if name == "input_reference":
                    reference = await value.read()
            else:
                fields[name] = value
    finally:
        await form.close()
    return fields, reference


async def read_json(request: Request) -> dict[str, Any] | None:
    """A JSON object body, or None when the body is not one."""
    try:
        data = json.loads(await request.body() or b"null")
    except (ValueError, RecursionError):  # RecursionError: nested past Python's stack
        return None
    return data if isinstance(data, dict) else None


def typed_knobs(
    fields: dict[str, Any], bad: Callable[[str, Any, str], Exception], *, bounded: bool = True
) -> dict[str, Any]:
    """The knobs among ``fields`` as numbers, bounds as the engines check them (none where
    ``bounded`` is False: SGLang queues 500 steps); ``bad(name, value, why)`` makes the
    engine's error."""
    knobs: dict[str, Any] = {}
    if fields.get("negative_prompt") is not None:
        knobs["negative_prompt"] = str(fields["negative_prompt"])
    for name, (kind, low, high, what) in KNOB_RULES.items():
        value = fields.get(name)
        if value is None or value == "":
            continue
        try:
            number = int(value) if kind is int else float(value)
        except (TypeError, ValueError):
            raise bad(name, value, f"Input should be a valid {what.split()[-1]}") from None
        if isinstance(value, float) and kind is int and not value.is_integer():
            raise bad(name, value, "Input should be a valid integer")
        outside = (low is not None and number < low) or (high is not None and number > high)
        if bounded and outside:
            raise bad(name, value, f"Input should be between {low} and {high}")
        knobs[name] = number
    return knobs
