"""The service's words for a field of the wrong type: what it names a value ("an integer", "an
array") and the 400 for a field that should have been a string."""

from __future__ import annotations

from typing import Any

from sora_nb.server.errors import APIError, invalid


def kind_of(value: Any) -> str:
    """How the service names the type of a value it got: "an integer", "an array"..."""
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a decimal",
        str: "a string",
        list: "an array",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def wrong_type(name: str, value: Any) -> APIError:
    """The 400 for a field that should have been a string."""
    return invalid(
        f"Invalid type for '{name}': expected a string, but got {kind_of(value)} instead.",
        param=name,
        code="invalid_type",
    )
