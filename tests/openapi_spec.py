"""Check HTTP traffic against the Videos API contract (``tests/contract/videos-openapi.yaml``,
the structure of OpenAI's published spec) with openapi-core.

Tests pass real ``httpx.Request``/``httpx.Response`` objects; nothing here restates the spec's
rules by hand. Two gaps in the contract are bridged explicitly:

- error responses (4xx/5xx) are not described by the spec, so they are checked against
  OpenAI's error envelope ``{"error": {"message", "type", "param", "code"}}`` instead;
- the spec lists ``video/mp4`` and ``image/webp`` for content but not the ``image/jpeg``
  spritesheet the service served, so a JPEG spritesheet is checked for its status and magic
  bytes only.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_FILE = Path(__file__).resolve().parent / "contract" / "videos-openapi.yaml"


@functools.cache
def spec() -> OpenAPI:
    """The contract with its server made host-agnostic, so any base URL ending in /v1 fits."""
    raw: dict[str, Any] = yaml.safe_load(SPEC_FILE.read_text())
    raw["servers"] = [{"url": "{origin}/v1", "variables": {"origin": {"default": ""}}}]
    # Binary bodies are "type: string, format: binary"; hand them to the schema check as text.
    binary = {t: _as_text for t in ("video/mp4", "image/webp", "image/jpeg")}
    return OpenAPI.from_dict(raw, config=Config(extra_media_type_deserializers=binary))


def _as_text(data: bytes | str, **_: Any) -> str:
    return data.decode("latin-1") if isinstance(data, bytes) else data


class _Request:
    def __init__(self, request: httpx.Request, body: bytes | None = None) -> None:
        self._request = request
        self._url = urlsplit(str(request.url))
        self._body = body if body is not None else request.content
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(
                [(k, v) for k, vs in parse_qs(self._url.query).items() for v in vs]
            ),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return f"{self._url.scheme}://{self._url.netloc}"

    @property
    def path(self) -> str:
        return self._url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._body or None

    @property
    def content_type(self) -> str:
        return self._request.headers.get("content-type", "").lower()


class _Response:
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def data(self) -> bytes:
        return self._response.content

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def content_type(self) -> str:
        return self._response.headers.get("content-type", "")

    @property
    def headers(self) -> Headers:
        return Headers(list(self._response.headers.items()))


def _full_path(request: httpx.Request) -> str:
    path = urlsplit(str(request.url)).path
    return path[path.index("/v1/") :] if "/v1/" in path else path


#: The file part each multipart operation takes, and the media types it may carry.
FILE_PARTS = {
    "/v1/videos": ("input_reference", {"image/jpeg", "image/png", "image/webp"}),
    "/v1/videos/characters": ("video", {"video/mp4", "video/quicktime"}),
    "/v1/videos/edits": ("video", {"video/mp4", "video/quicktime"}),
    "/v1/videos/extensions": ("video", {"video/mp4", "video/quicktime"}),
}


def validate_request(request: httpx.Request) -> None:
    """Raise if ``request`` does not match the spec (path, method, query, body schema)."""
    if not request.headers.get("content-type", "").startswith("multipart/"):
        spec().validate_request(_Request(request))
        return
    # openapi-core cannot read binary multipart parts. Nested fields are read as clients write
    # them (``characters[][id]``, ``video[id]``); an operation with a JSON body of the same
    # fields is checked through it, one without (characters) against its multipart schema with
    # the file parts standing in as text; then the file parts themselves.
    from sora_nb.server.forms import unflatten

    fields, files = _parse_multipart(request)
    nested = unflatten(list(fields.items()))
    path = _full_path(request)
    schemas = _request_schemas(path, request.method.lower())
    if "application/json" in schemas:
        as_json = httpx.Request(
            request.method,
            request.url,
            headers={k: v for k, v in request.headers.items() if k.lower() != "content-type"}
            | {"content-type": "application/json"},
            content=json.dumps(nested).encode(),
        )
        spec().validate_request(_Request(as_json))
    else:
        with_files = nested | {name: "<file>" for name in files}
        _schema_validator(schemas["multipart/form-data"]).validate(with_files)
    for name, (filename, media_type, _data) in files.items():
        part, types = FILE_PARTS[path]
        assert name == part, f"unexpected file part {name!r}"
        assert filename, "a file part needs a filename"
        assert media_type in types, media_type


@functools.cache
def _raw() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_FILE.read_text())
    return loaded


def _request_schemas(path: str, method: str) -> dict[str, Any]:
    """The request body schemas of an operation, by media type."""
    operation = _raw()["paths"][path.removeprefix("/v1")][method]
    content: dict[str, Any] = operation["requestBody"]["content"]
    return {media: body["schema"] for media, body in content.items()}


def _schema_validator(schema: dict[str, Any]) -> Any:
    """A validator for a schema of the contract, its ``#/...`` references resolved there."""
    from openapi_schema_validator import OAS31Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    contract = Resource.from_contents(_raw(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:contract", contract)
    pointer = schema.get("$ref", "")
    rooted = {"$ref": "urn:contract" + pointer} if pointer.startswith("#") else schema
    return OAS31Validator(rooted, registry=registry)


def _parse_multipart(
    request: httpx.Request,
) -> tuple[dict[str, str], dict[str, tuple[str, str, bytes]]]:
    from email.parser import BytesParser
    from email.policy import HTTP

    body = request.read()
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        assert isinstance(name, str) and isinstance(payload, bytes)
        if filename:
            files[name] = (filename, part.get_content_type(), payload)
        else:
            fields[name] = payload.decode()
    return fields, files


ERROR_ENVELOPE_KEYS = {"message", "type", "param", "code"}


def validate_response(request: httpx.Request, response: httpx.Response) -> None:
    """Raise if ``response`` to ``request`` does not match the spec (or the error envelope)."""
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) >= ERROR_ENVELOPE_KEYS, body
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]
        return
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("image/jpeg") and request.url.path.endswith("/content"):
        assert request.url.params.get("variant") == "spritesheet", request.url
        assert response.content[:3] == b"\xff\xd8\xff", "not a JPEG"
        return
    response.read()
    spec().validate_response(_Request(request), _Response(response))
