"""The bundled server's imitations of the engines, as tests meet them: in-process through
``httpx.ASGITransport``, or as ``python -m sora_nb.server --dialect NAME`` on a socket.

Either way an :class:`Imitation` records every request the imitated server receives (with its
answer's status and body), and can be restarted mid-test as a real engine is: a new process (or
app) with the same settings, which remembers what that server remembers (engines: nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from sora_nb.server import ServerSettings, create_app
from sora_nb.server.renderers.animatic.renderer import AnimaticRenderer
from sora_nb.server.renderers.base import (
    Abilities,
    RenderControl,
    RenderFailed,
    RenderRefused,
    RenderRequest,
    RenderResult,
)

#: What an engine imitation serves when the animatic renders for it.
WAN = "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
#: A prompt with this word is refused before any job exists (400), as an input filter would.
REFUSED_WORD = "refused"
REFUSAL = "The prompt was refused by the content filter: it asks for something refused."
#: A prompt with this word fails while rendering, as a crashed pipeline would.
BROKEN_WORD = "shattered"
BREAKAGE = "The pipeline stopped: CUDA error: an illegal memory access was encountered."
#: A name the imitations' simulated guardrail blocks (the job fails; vLLM-Omni answers its GET
#: with HTTP 400 and the job, as for its Cosmos3 guardrail).
BLOCKED_NAME = "Mickey Mouse"


class FilteredAnimatic:
    """The animatic behind a content filter and a fragile pipeline: prompts naming
    :data:`REFUSED_WORD` are refused at create (each dialect answers in its own envelope),
    prompts naming :data:`BROKEN_WORD` fail while rendering."""

    def __init__(self) -> None:
        self.inner = AnimaticRenderer()

    @property
    def abilities(self) -> Abilities:
        return self.inner.abilities

    def check(self, request: RenderRequest) -> None:
        if REFUSED_WORD in request.prompt:
            raise RenderRefused(REFUSAL, param="prompt")
        self.inner.check(request)

    def render(self, request: RenderRequest, out_dir: Path, control: RenderControl) -> RenderResult:
        if BROKEN_WORD in request.prompt:
            raise RenderFailed(BREAKAGE, code="render_error")
        return self.inner.render(request, out_dir, control)

    def close(self) -> None:
        self.inner.close()


@dataclass(frozen=True)
class Seen:
    """One request an imitation received, with the status and JSON body it answered."""

    request: httpx.Request
    status: int
    body: Any

    @property
    def form(self) -> dict[str, str]:
        """A create's fields, read as the server read them (multipart or JSON)."""
        kind = self.request.headers.get("content-type", "")
        if kind.startswith("multipart/"):
            from tests.openapi_spec import _parse_multipart

            return dict(_parse_multipart(self.request)[0])
        loaded: dict[str, Any] = json.loads(self.request.content or b"{}")
        return loaded


class Recording(httpx.AsyncBaseTransport):
    """One client's way to the imitation of the moment: it records what the imitation receives
    and answers; after an answer the imitation's ``restart_after`` picks, the imitation is
    restarted before the client sees that answer."""

    def __init__(self, imitation: Imitation) -> None:
        self.imitation = imitation
        #: This client's connections to a served imitation (None in-process).
        self.socket: httpx.AsyncHTTPTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        answer = await self.imitation.inner(self).handle_async_request(request)
        content = await answer.aread()
        try:
            body = json.loads(content) if content[:1] in (b"{", b"[") else None
        except ValueError:
            body = None
        seen = Seen(request, answer.status_code, body)
        self.imitation.seen.append(seen)
        if self.imitation.on_answer is not None:
            self.imitation.on_answer(seen)
        pick = self.imitation.restart_after
        if pick is not None and pick(seen):
            self.imitation.restart_after = None
            await asyncio.to_thread(self.imitation.restart)
        return httpx.Response(
            answer.status_code, headers=answer.headers, content=content, request=request
        )

    async def aclose(self) -> None:
        if self.socket is not None:
            await self.socket.aclose()


class Imitation:
    """One imitated server; :meth:`transport` is what a client talks to it through."""

    dialect: str
    base_url: str

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.restarts = 0
        #: Restart the imitation right after the answer this picks (once).
        self.restart_after: Callable[[Seen], bool] | None = None
        #: Called with every answer before the client sees it (to change the server then).
        self.on_answer: Callable[[Seen], None] | None = None

    def transport(self) -> Recording:
        """A transport for one client (closed with it)."""
        return Recording(self)

    def inner(self, recording: Recording) -> httpx.AsyncBaseTransport:
        raise NotImplementedError

    def restart(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def creates(self) -> list[Seen]:
        """The creates it received (``POST /videos``), in order."""
        return [
            s
            for s in self.seen
            if s.request.method == "POST" and s.request.url.path.rstrip("/").endswith("/videos")
        ]


class InProcess(Imitation):
    """An imitation app in this process, restarted as a new app with the same settings."""

    def __init__(self, settings: ServerSettings, *, host: str = "engine.test") -> None:
        super().__init__()
        self.dialect = settings.dialect or "openai"
        self.base_url = f"http://{host}/v1"
        self.settings = settings
        self.app: Starlette = create_app(settings)

    def inner(self, recording: Recording) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self.app)

    def restart(self) -> None:
        old, self.app = self.app, create_app(self.settings)
        old.state.server.close()
        self.restarts += 1

    def close(self) -> None:
        self.app.state.server.close()


def imitation(dialect: str, media: Path, *, filtered: bool = True, **settings: Any) -> InProcess:
    """An in-process imitation of ``dialect`` over ``media`` rendering the animatic (behind
    :class:`FilteredAnimatic` unless ``filtered=False``), jobs as fast as they render."""
    settings.setdefault("time_scale", 0)
    if filtered:
        settings.setdefault("renderer", FilteredAnimatic())
    return InProcess(ServerSettings(media_dir=media, dialect=dialect, **settings))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served(Imitation):
    """``python -m sora_nb.server --dialect NAME`` on a loopback port, restarted as a new
    process on the same port (the engines forget every job)."""

    def __init__(self, dialect: str, media: Path, *extra: str, up_within: float = 60) -> None:
        super().__init__()
        self.dialect = dialect
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.media = media
        self.extra = extra
        self.up_within = up_within
        self.log = media.parent / f"{media.name}-server.log"
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "sora_nb.server",
            "--dialect",
            self.dialect,
            "--port",
            str(self.port),
            "--media",
            str(self.media),
            "--time-scale",
            "0",
            *self.extra,
        ]
        with self.log.open("ab") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.up_within
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{' '.join(command[2:])} exited with {process.returncode}:\n"
                    f"{self.log.read_text()[-2000:]}"
                )
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base_url}/models", timeout=2).status_code == 200:
                    return process
            time.sleep(0.1)
        process.kill()
        raise RuntimeError(f"the {self.dialect} imitation did not answer within {self.up_within} s")

    def inner(self, recording: Recording) -> httpx.AsyncBaseTransport:
        if recording.socket is None:
            recording.socket = httpx.AsyncHTTPTransport()
        return recording.socket

    def restart(self) -> None:
        self._stop()
        self.process = self._start()
        self.restarts += 1

    def _stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def close(self) -> None:
        self._stop()


@contextlib.contextmanager
def served(dialect: str, media: Path, *extra: str) -> Iterator[Served]:
    """A :class:`Served` imitation, stopped at the end."""
    server = Served(dialect, media, *extra)
    try:
        yield server
    finally:
        server.close()
