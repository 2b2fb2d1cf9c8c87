"""Errors the bundled server sends, in OpenAI's envelope ``{"error": {message, type, ...}}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx


class APIError(Exception):
    """An HTTP error answer: status, the envelope's fields, and any extra headers."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str = "invalid_request_error",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.type = type
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body the real service sends for this error."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


def invalid(message: str, *, param: str | None = None, code: str = "invalid_value") -> APIError:
    """A 400 for a request field that is wrong (``param`` names it)."""
    return APIError(400, message, param=param, code=code)


def not_found(video_id: str) -> APIError:
    """The 404 for an id the server does not know (or has deleted)."""
    return APIError(
        404,
        f"Video with id '{_printable(video_id)}' not found.",
        param="video_id",
        code="video_not_found",
    )


class DroppedConnection(httpx.RemoteProtocolError):
    """Raised from the app to simulate a connection that broke before the answer arrived.

    In-process, httpx's ASGI transport passes the exception to the client as it is, which is the
    error a real dropped connection gives (``httpx.RemoteProtocolError``). Over a socket, uvicorn
    closes the connection when the app raises after starting its answer, so the client sees the
    same error class.
    """


def _printable(text: str) -> str:
    # An id comes from the URL: keep the message short and free of control characters.
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return cleaned if len(cleaned) <= 80 else cleaned[:77] + "..."
