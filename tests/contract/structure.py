"""Reduce an OpenAPI document to its structure: paths, webhooks and component schemas (types,
enums, required fields, formats, bounds, references), with the prose and vendor notes left out.

``python -m tests.contract.structure REFERENCE.yaml`` prints the contract file the tests use
(``tests/contract/videos-openapi.yaml``), header included; the contract test checks that the
committed copy still equals the reference in paths, schemas and enums wherever the reference is
at hand.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

import yaml

CONTRACT = Path(__file__).resolve().parent / "videos-openapi.yaml"
#: Prose and examples: what a reader needs, not what a validator checks.
PROSE = frozenset({"description", "summary", "title", "example", "examples", "tags"})
#: Every Response Object's description (OpenAPI requires one).
RESPONSE_DESCRIPTION = "Response."
#: The parts of the document the contract keeps equal to the reference.
PARTS = ("paths", "webhooks", "schemas")

HEADER = """\
# The Videos API contract sora_nb's tests validate requests and responses against.
#
# Source: OpenAI's published OpenAPI spec, github.com/openai/openai-openapi, file openapi.yaml,
#   commit f85dbe223d40e1a31cba812ab2d755c7e98a92a3 (2026-08-21): every /videos* path, the
#   video webhooks and the component schemas they reference, cross-checked against openai-python
#   3.3.1. A few values the spec lacks come from OpenAI's video generation guide
#   (https://developers.openai.com/api/docs/guides/video-generation, seen 2026-11): VideoSeconds
#   16 and 20, VideoSize 1920x1080 and 1080x1920, the characters fields and the webhooks.
# Derived {date} by `python -m tests.contract.structure` from the project's reference excerpt:
#   structure only (types, enums, required fields, formats, bounds, references); the upstream
#   prose, examples and vendor notes are left out (a response's required description is
#   one fixed word). tests/contract/test_contract.py keeps this copy equal to the reference in
#   paths, schemas and enums wherever the reference is at hand.
"""


def strip(node: Any, *, in_properties: bool = False, in_response: bool = False) -> Any:
    """``node`` without prose keys and vendor (``x-``) extensions, recursively.

    Keys of a ``properties`` map are field names, not prose, and stay; a Response Object's
    ``description`` (which OpenAPI requires) becomes a fixed word.
    """
    if isinstance(node, list):
        return [strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if not in_properties:
            if key.startswith("x-"):
                continue
            if in_response and key == "description":
                kept[key] = RESPONSE_DESCRIPTION  # required by OpenAPI; the upstream prose is not
                continue
            if key in PROSE:
                continue
        if in_properties:
            kept[key] = strip(value)
        elif key == "responses" and isinstance(value, dict):
            kept[key] = {code: strip(r, in_response=True) for code, r in value.items()}
        else:
            kept[key] = strip(value, in_properties=key == "properties")
    return kept


def parts(document: dict[str, Any]) -> dict[str, Any]:
    """The contract's parts of an OpenAPI document (paths, webhooks, schemas), stripped."""
    return {
        "paths": strip(document.get("paths", {})),
        "webhooks": strip(document.get("webhooks", {})),
        "schemas": strip(document.get("components", {}).get("schemas", {})),
    }


def contract(reference: dict[str, Any]) -> dict[str, Any]:
    """The contract document derived from ``reference``: a valid OpenAPI 3.1 document."""
    found = parts(reference)
    return {
        "openapi": reference["openapi"],
        "info": {"title": "OpenAI Videos API (structure)", "version": reference["info"]["version"]},
        "servers": reference.get("servers", []),
        "paths": found["paths"],
        "webhooks": found["webhooks"],
        "components": {"schemas": found["schemas"]},
    }


def render(reference: dict[str, Any], date: str | None = None) -> str:
    """The contract file's text: the header, then the document as YAML."""
    today = date or datetime.date.today().isoformat()
    body = yaml.safe_dump(contract(reference), sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(date=today) + body


def enums(node: Any, where: str = "") -> dict[str, list[Any]]:
    """Every enum in ``node`` by where it sits (``schemas.VideoSize.enum``), for messages."""
    found: dict[str, list[Any]] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if key == "enum" and isinstance(value, list):
                found[here] = value
            else:
                found.update(enums(value, here))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.update(enums(value, f"{where}[{i}]"))
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.contract.structure REFERENCE.yaml > CONTRACT.yaml")
        return 2
    sys.stdout.write(render(yaml.safe_load(Path(argv[0]).read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
