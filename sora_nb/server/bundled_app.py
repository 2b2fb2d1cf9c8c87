"""The bundled server's own app: OpenAI's Videos API endpoints under ``/v1``, served from a
folder, behind the gateway (request ids, the API key, simulated faults), with the JSON error
answers. :func:`sora_nb.server.app.create_app` builds it, or an imitation of another server; the
LiteLLM imitation builds it as the deployment behind its proxy.

The endpoints are in :mod:`sora_nb.server.endpoints`; what sits in front of them in
:mod:`sora_nb.server.gateway`; the state they share (``app.state.server``) in
:mod:`sora_nb.server.state`.
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
from sora_nb.server.gateway import GatewayMiddleware, error_response
from sora_nb.server.settings import ServerSettings
from sora_nb.server.state import BundledServer


def bundled_app(settings: ServerSettings) -> Starlette:
    """The Videos API app over ``settings.media_dir`` (jobs there are picked up again); the
    strict ``openai`` dialect when ``settings.dialect`` is "openai"."""
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
