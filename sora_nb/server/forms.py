"""Reading request bodies: JSON, or multipart with files and nested fields as clients write them.

Clients nest objects differently in a multipart body: the OpenAI SDK and LiteLLM's proxy write
``video[id]``, ``input_reference[image_url]`` and ``characters[][id]``; others send the object
as JSON text in one field (``video={"id": ...}``). Both come out here as the same nested
values a JSON body gives, so every endpoint checks one shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from sora_nb.server.doors import multipart_cut_short
from sora_nb.server.errors import APIError, invalid

#: Most parts one multipart body may have (a create with two characters and knobs fits).
MAX_FIELDS = 40
_KEY = re.compile(r"\[([^\[\]]*)\]")


@dataclass(frozen=True)
class Body:
    """A request body read as fields (JSON values or form strings) and its files."""

    fields: dict[str, Any]
    #: Uploaded files by part name: (content, declared media type).
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    multipart: bool = False

    @property
    def file(self) -> tuple[bytes, str] | None:
        """The ``input_reference`` upload of a create, if any."""
        return self.files.get("input_reference")


def too_large(limit: int) -> APIError:
    """The 413 for a body over ``limit`` bytes."""
    return APIError(
        413,
        f"The request body is larger than this server accepts ({limit // (1024 * 1024)} MiB); "
        "send a smaller file.",
        param="input_reference",
        code="request_too_large",
    )


async def read_body(headers: Headers, stream: AsyncIterator[bytes], limit: int) -> bytes:
    """The whole body, refusing with 413 as soon as it passes ``limit`` bytes."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def parse_body(headers: Headers, body: bytes, *, limit: int) -> Body:
    """Fields of a JSON or multipart body; a clear 400 for anything else or malformed."""
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        return await _parse_multipart(headers, body, limit)
    if content_type in ("application/json", "") or content_type.endswith("+json"):
        if not body.strip():
            raise invalid(
                'The request body is empty; send JSON like {"prompt": "..."}.',
                code="invalid_json",
            )
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise invalid(
                'The request body is not valid JSON; send an object like {"prompt": "..."}.',
                code="invalid_json",
            ) from None
        except RecursionError:
            raise invalid(
                "The request body's JSON is nested too deeply to read; send a flat object.",
                code="invalid_json",
            ) from None
        if not isinstance(data, dict):
            raise invalid("The request body must be a JSON object.", code="invalid_json")
        return Body(fields=data)
    raise invalid(
        f"Unsupported content type {content_type!r}; send application/json or multipart/form-data.",
        code="unsupported_content_type",
    )


async def _parse_multipart(headers: Headers, body: bytes, limit: int) -> Body:
    if multipart_cut_short(headers, body):
        raise invalid(
            "The multipart body ends before its closing boundary (was the upload cut off?); "
            "send the whole form again.",
            code="invalid_multipart",
        )

    async def once() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(
        headers, once(), max_files=2, max_fields=MAX_FIELDS, max_part_size=limit
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise invalid(
            f"The multipart body could not be read: {exc}", code="invalid_multipart"
        ) from None
    pairs: list[tuple[str, str]] = []
    files: dict[str, tuple[bytes, str]] = {}
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                files[name] = (await value.read(), (value.content_type or "").lower())
            else:
                pairs.append((name, value))
    finally:
        await form.close()
    return Body(fields=unflatten(pairs), files=files, multipart=True)


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Form fields with bracketed names as nested values: ``video[id]=v`` is
    ``{"video": {"id": "v"}}`` and ``characters[][id]=a``, ``characters[][id]=b`` is
    ``{"characters": [{"id": "a"}, {"id": "b"}]}``. Plain names stay as they are."""
    fields: dict[str, Any] = {}
    for name, value in pairs:
        base, _, rest = name.partition("[")
        keys = _KEY.findall("[" + rest) if rest else []
        if not base or (rest and "[" + rest != "".join(f"[{k}]" for k in keys)):
            fields[name] = value  # not a bracketed name after all: an unknown parameter
            continue
        _put(fields, base, keys, value)
    return fields


def _put(node: dict[str, Any], key: str, keys: list[str], value: str) -> None:
    if not keys:
        node[key] = value
        return
    head, rest = keys[0], keys[1:]
    if head == "" or head.isdigit():
        items = node.setdefault(key, [])
        if not isinstance(items, list):
            raise invalid(f"'{key}' is given both as a value and as a list.", param=key)
        if head.isdigit():
            index = int(head)
            while len(items) <= index:
                items.append({} if rest else None)
            target = index
        else:
            # "a[][id]" fills the last element until it already has that key, then starts one.
            last = items[-1] if items else None
            fresh = not rest or not isinstance(last, dict) or rest[0] in last
            if fresh:
                items.append({} if rest else None)
            target = len(items) - 1
        if not rest:
            items[target] = value
            return
        if not isinstance(items[target], dict):
            items[target] = {}
        _put(items[target], rest[0], rest[1:], value)
        return
    child = node.setdefault(key, {})
    if not isinstance(child, dict):
        raise invalid(f"'{key}' is given both as a value and as an object.", param=key)
    _put(child, head, rest, value)


def json_field(body: Body, name: str, example: str) -> Any:
    """A field that holds an object or a list; in a multipart body it may be JSON text."""
    value = body.fields.get(name)
    if body.multipart and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise invalid(
                f"'{name}' must be an object like {example} (JSON text, or {name}[...] fields).",
                param=name,
            ) from None
    return value


def no_files_but(body: Body, *allowed: str) -> None:
    """Refuse any uploaded file whose part name is not one of ``allowed``."""
    for name in body.files:
        if name not in allowed:
            raise invalid(
                f"Unknown file parameter: '{name}'.", param=name, code="unknown_parameter"
            )
