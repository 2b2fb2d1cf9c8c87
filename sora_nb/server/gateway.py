"""The gateway in front of every endpoint of the bundled server: a request id on each answer,
the doors (the API key, the page's origin, the body limit: :mod:`sora_nb.server.doors`), the
simulated faults (429s, 5xx, dropped connections, slow answers), and the
JSON error body every refusal is sent as."""

from __future__ import annotations

import asyncio
import math
import secrets
from typing import TYPE_CHECKING

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sora_nb.server import doors
from sora_nb.server.errors import APIError, DroppedConnection
from sora_nb.server.faults import FaultPlan

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.server.state import BundledServer


def error_response(error: APIError) -> JSONResponse:
    """The JSON error body of ``error``, with its status and headers."""
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


def refused(refusal: doors.Refusal) -> JSONResponse:
    """A request the doors kept out (key, origin, body size), in OpenAI's error envelope."""
    param = "input_reference" if refusal.status == 413 else None
    return error_response(APIError(refusal.status, refusal.message, param=param, code=refusal.code))


# -- the gateway: request ids, the API key, faults -------------------------------------------


class GatewayMiddleware:
    """What sits in front of every endpoint: a request id, the key check, simulated faults."""

    def __init__(self, app: ASGIApp, server: BundledServer) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        server = self.server
        server.stats.requests += 1
        request_id = f"req_{secrets.token_hex(12)}"

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        settings = server.settings
        refusal = doors.check(scope, api_key=settings.api_key, limit=settings.max_upload_bytes)
        if refusal is not None:
            await refused(refusal)(scope, receive, send_with_id)
            return
        plan = server.faults.plan() if settings.faults.any else FaultPlan()
        if plan.slow:
            server.count_fault("slow")
            await asyncio.sleep(settings.faults.slow_seconds)
        if plan.fault in ("429", "500", "502", "503"):
            server.count_fault(plan.fault)
            await error_response(self._fault_error(plan.fault))(scope, receive, send_with_id)
            return
        out: Send = send_with_id
        if plan.fault == "drop":
            server.count_fault("drop")
            out = _dropping(send_with_id)
        limit = settings.max_upload_bytes
        await doors.guarded(self.app, scope, receive, out, limit=limit, answer=refused)

    def _fault_error(self, kind: str) -> APIError:
        faults = self.server.settings.faults
        if kind == "429":
            return APIError(
                429,
                f"Rate limit reached for requests (simulated). Please try again in "
                f"{faults.retry_after:g}s.",
                code="rate_limit_exceeded",
                type="requests",
                headers={
                    "Retry-After": str(math.ceil(faults.retry_after)),
                    "retry-after-ms": str(int(faults.retry_after * 1000)),
                },
            )
        words = {
            "500": "The server had an error while processing your request",
            "502": "Bad gateway: the upstream renderer did not answer",
            "503": "The server is overloaded or not ready yet",
        }[kind]
        return APIError(int(kind), f"{words} (simulated). Retry your request.", type="server_error")


def _dropping(send: Send) -> Send:
    """A ``send`` that lets the status line out, then breaks the connection before the body."""

    async def dropping_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            await send(message)
            return
        raise DroppedConnection("Server disconnected without sending a complete response.")

    return dropping_send
