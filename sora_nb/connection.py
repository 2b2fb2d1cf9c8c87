"""Pick the server: the one you configured, else the bundled server in this process.

``connect()`` is how sora_nb gets a :class:`~sora_nb.api.client.VideosClient`. With no base URL
in the arguments or the environment (``SORA_NB_BASE_URL``, ``OPENAI_BASE_URL``), requests go
through ``httpx.ASGITransport`` to one bundled server app per media folder, shared by the process,
so the offline default runs the same client code as a remote server.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import SecretStr

from sora_nb.api.client import VideosClient
from sora_nb.api.config import resolve_server

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from starlette.applications import Starlette

_apps: dict[Path, Starlette] = {}
_apps_lock = threading.Lock()


def default_server_dir() -> Path:
    """Where the in-process bundled server keeps jobs: ``$SORA_NB_HOME/server``, else
    ``./sora_media/server``."""
    home = os.environ.get("SORA_NB_HOME")
    return (Path(home) if home else Path("sora_media")) / "server"


def bundled_app(media_dir: str | os.PathLike[str] | None = None) -> Starlette:
    """The process-wide bundled-server app over ``media_dir`` (made on first use, then reused)."""
    from sora_nb.server.app import create_app
    from sora_nb.server.settings import ServerSettings

    folder = Path(media_dir or default_server_dir()).expanduser().resolve()
    with _apps_lock:
        app = _apps.get(folder)
        if app is None:
            app = _apps[folder] = create_app(ServerSettings(media_dir=folder))
        return app


def connect(
    base_url: str | None = None,
    api_key: str | SecretStr | None = None,
    *,
    media_dir: str | os.PathLike[str] | None = None,
    dialect: str | None = None,
    **options: Any,
) -> VideosClient:
    """A client for the configured server, or for the bundled server when none is configured.

    ``options`` go to :class:`VideosClient` (``retry``, ``poll``, ``timeout``...). ``media_dir``
    is the bundled server's folder and only matters when the bundled server answers.
    ``dialect`` names the server's dialect (``vllm-omni``...; else ``SORA_NB_DIALECT``, else
    the client asks the server with :meth:`VideosClient.detect`).
    """
    config = resolve_server(base_url, api_key, dialect=dialect)
    if not config.uses_bundled:
        return VideosClient.from_config(config, **options)
    transport = httpx.ASGITransport(app=bundled_app(media_dir))
    return VideosClient(
        api_key=config.api_key, transport=transport, dialect=config.dialect, **options
    )
