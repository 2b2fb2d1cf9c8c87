"""The server's ASGI app: OpenAI's Videos API endpoints under ``/v1``, served from a folder.

``create_app(ServerSettings(media_dir=...))`` gives a Starlette app. Use it in-process through
``httpx.ASGITransport(app)`` (sora_nb's default backend) or serve it with uvicorn
(``python -m sora_nb.server``). ``app.state.server`` holds the job store and its counters.

The endpoints are in :mod:`sora_nb.server.endpoints`; what sits in front of them (request ids,
the API key, simulated faults) in :mod:`sora_nb.server.gateway`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sora_nb.server.endpoints import (
    create_character,
    create_video,
    delete_video,
    edit_video,
    extend_video,
    get_character,
    list_models,
    list_videos,
    remix_video,
    retrieve_model,
    retrieve_video,
    video_content,
)
from sora_nb.server.errors import APIError
from sora_nb.server.faults import FaultInjector
from sora_nb.server.gateway import GatewayMiddleware, error_response
from sora_nb.server.jobs import JobStore, Stats
from sora_nb.server.settings import ServerSettings


class BundledServer:
    """One server: its settings, job store and fault injector (``app.state.server``)."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.store = JobStore(settings)
        self.faults = FaultInjector(settings.faults)
        #: How many times each fault was served: {"429": 3, "drop": 1, ...}.
        self.faults_served: dict[str, int] = {}

    @property
    def stats(self) -> Stats:
        """Counters: ``jobs_created``, ``idempotent_replays``, ``requests``, ``renders``."""
        return self.store.stats

    def close(self) -> None:
        """Wait for running renders and stop the worker threads."""
        self.store.close()

    def count_fault(self, kind: str) -> None:
        self.faults_served[kind] = self.faults_served.get(kind, 0) + 1


def create_app(settings: ServerSettings) -> Starlette:
    """A Videos API server over ``settings.media_dir`` (jobs there are picked up again), or,
    with ``settings.dialect``, an imitation of that engine or gateway."""
    if settings.dialect not in (None, "openai"):
        from sora_nb.server.dialects import dialect_app

        return dialect_app(settings)
    server = BundledServer(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await asyncio.to_thread(server.close)

    app = Starlette(
        routes=[
            Route("/v1/videos", create_video, methods=["POST"]),
            Route("/v1/videos", list_videos, methods=["GET"]),
            Route("/v1/videos/characters", create_character, methods=["POST"]),
            Route("/v1/videos/characters/{character_id}", get_character, methods=["GET"]),
            Route("/v1/videos/extensions", extend_video, methods=["POST"]),
            Route("/v1/videos/edits", edit_video, methods=["POST"]),
            Route("/v1/videos/{video_id}", retrieve_video, methods=["GET"]),
            Route("/v1/videos/{video_id}", delete_video, methods=["DELETE"]),
            Route("/v1/videos/{video_id}/remix", remix_video, methods=["POST"]),
            Route("/v1/videos/{video_id}/content", video_content, methods=["GET"]),
            Route("/v1/models", list_models, methods=["GET"]),
            Route("/v1/models/{model}", retrieve_model, methods=["GET"]),
        ],
        middleware=[Middleware(GatewayMiddleware, server=server)],
        exception_handlers={APIError: _api_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    # "/videos/<id>/" is an unknown URL (404), not a redirect to somewhere else.
    app.router.redirect_slashes = False
    app.state.server = server
    return app


# -- error answers ---------------------------------------------------------------------------


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}."
        code = "method_not_allowed"
    else:
        message = (
            f"Unknown request URL: {request.method} {request.url.path}. Check the base URL "
            "ends with /v1 (the part before /videos)."
        )
        code = "unknown_url"
    return error_response(APIError(exc.status_code, message, code=code))
