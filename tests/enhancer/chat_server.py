"""A small OpenAI-compatible chat server of the tests' own: what an enhancer (LiteLLM, vLLM,
Ollama, llama.cpp) answers to ``POST /v1/chat/completions``, and the ways one goes wrong.

``ChatServer.app`` is a Starlette app: in-process through httpx's ASGI transport, or on a real
socket (``serve()``, uvicorn in a thread) for the magic and for LiteLLM's proxy in front of it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

#: What the rewrite adds to a brief: only sight and sound, the brief itself kept whole.
ADDED = " Soft amber light, long shadows, fine dust in the air; a low wind hums under the scene."
Mode = Literal["rewrite", "garbage", "empty", "no-choices", "refuse", "bad-gateway"]


@dataclass
class ChatServer:
    """Answers chat completions by ``mode``; keeps every request body and Authorization."""

    key: str | None = None
    mode: Mode = "rewrite"
    bodies: list[dict[str, Any]] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)

    @property
    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self._chat, methods=["POST"])])

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.app)

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self.bodies.append(body)
        self.authorizations.append(request.headers.get("authorization"))
        if self.key is not None and request.headers.get("authorization") != f"Bearer {self.key}":
            # Echoes what it was given, as some servers do: the client must redact it.
            given = request.headers.get("authorization", "")
            return JSONResponse({"error": {"message": f"bad key {given}"}}, status_code=401)
        if self.mode == "refuse":
            return JSONResponse({"error": {"message": "model is loading"}}, status_code=503)
        if self.mode == "bad-gateway":
            return JSONResponse(["upstream", "down"], status_code=502)
        if self.mode == "garbage":
            return PlainTextResponse("<html>It works!</html>")
        brief = body["messages"][-1]["content"]
        content = "" if self.mode == "empty" else brief + ADDED
        answer: dict[str, Any] = {
            "id": f"chatcmpl-{len(self.bodies)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": 120,
                "completion_tokens": 40,
                "total_tokens": 160,
            },
        }
        if self.mode == "no-choices":
            answer["choices"] = []
        return Response(json.dumps(answer), media_type="application/json")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(server: ChatServer) -> Iterator[str]:
    """``server`` on a real socket (uvicorn in a thread); yields its base URL (``.../v1``)."""
    port = free_port()
    config = uvicorn.Config(server.app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:  # bounded: uvicorn starts in well under a second
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the test chat server did not start on port {port} in 20 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        running.should_exit = True
        thread.join(10)
