"""Reading a create's body as the engines do: form fields and the reference upload, a JSON
object, and the knobs as numbers (with the engines' bounds, where they check any)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from sora_nb.server.validation import KNOB_RULES


async def read_form(request: Request) -> tuple[dict[str, str], bytes | None]:
    """Text fields and the ``input_reference`` upload of a form body (multipart or urlencoded)."""
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
    except ValueError:
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
