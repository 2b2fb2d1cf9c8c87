"""The server's ASGI app: OpenAI's Videos API endpoints under ``/v1``, served from a folder.

``create_app(ServerSettings(media_dir=...))`` gives a Starlette app. Use it in-process through
``httpx.ASGITransport(app)`` (sora_nb's default backend) or serve it with uvicorn
(``python -m sora_nb.server``). ``app.state.server`` holds the job store and its counters
(:class:`~sora_nb.server.state.BundledServer`).

The bundled app itself is in :mod:`sora_nb.server.bundled_app`; the imitations of other
servers (``settings.dialect``) in :mod:`sora_nb.server.imitations`.
"""

from __future__ import annotations

from starlette.applications import Starlette

from sora_nb.server.bundled_app import bundled_app
from sora_nb.server.settings import ServerSettings


def create_app(settings: ServerSettings) -> Starlette:
    """A Videos API server over ``settings.media_dir`` (jobs there are picked up again), or,
    with ``settings.dialect``, an imitation of that engine or gateway."""
    if settings.dialect not in (None, "openai"):
        from sora_nb.server.imitations import imitation_app

        return imitation_app(settings)
    return bundled_app(settings)
