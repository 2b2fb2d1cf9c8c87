"""Pick the server: the one you configured, else the bundled server in this process.

``connect()`` is how sora_nb gets a :class:`~sora_nb.api.client.VideosClient`. With no base URL
in the arguments or the environment (``SORA_NB_BASE_URL``, ``OPENAI_BASE_URL``), requests go
through ``httpx.ASGITransport`` to one bundled server app per media folder, shared by the process,
so the offline default runs the same client code as a remote server. Given ``local`` options, the
bundled server renders with that open model through diffusers (one model resident per process,
its jobs in a folder of their own beside the animatic's).

The layers above (runs, notebook) reach the bundled server only through this module: its apps,
its local open model's options and rules, and, for type checkers, ``ServerSettings`` and
``DiffusersOptions``.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import SecretStr

from sora_nb.api.client import VideosClient
from sora_nb.api.config import resolve_server

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from starlette.applications import Starlette

    from sora_nb.server.renderers.diffusers import DiffusersOptions as DiffusersOptions
    from sora_nb.server.renderers.diffusers import DiffusersRenderer
    from sora_nb.server.settings import ServerSettings as ServerSettings

_apps: dict[Path, tuple[object, Starlette]] = {}
_apps_lock = threading.Lock()


def default_server_dir() -> Path:
    """Where the in-process bundled server keeps jobs: ``$SORA_NB_HOME/server``, else
    ``./sora_media/server``."""
    home = os.environ.get("SORA_NB_HOME")
    return (Path(home) if home else Path("sora_media")) / "server"


def bundled_app(
    media_dir: str | os.PathLike[str] | None = None, *, local: DiffusersOptions | None = None
) -> Starlette:
    """The process-wide bundled-server app over ``media_dir`` (made on first use, then reused).

    With ``local``, the app renders with that model (loaded now if it is not the resident one),
    and keeps its jobs in ``<media_dir>/diffusers/<model>``.
    """
    from sora_nb.server.app import create_app
    from sora_nb.server.settings import ServerSettings

    folder = Path(media_dir or default_server_dir()).expanduser().resolve()
    renderer: DiffusersRenderer | None = None
    if local is not None:
        renderer = local_renderer(local)
        folder = folder / "diffusers" / _folder_name(renderer)
    with _apps_lock:
        found = _apps.get(folder)
        if found is not None and found[0] is renderer:
            return found[1]
        if found is not None:  # the model was unloaded and loaded again: a fresh app
            found[1].state.server.close()
        settings = ServerSettings(media_dir=folder, renderer=renderer)
        app = create_app(settings)
        _apps[folder] = (renderer, app)
        return app


def local_renderer(local: DiffusersOptions) -> DiffusersRenderer:
    """The resident diffusers renderer for ``local`` (loading it, never downloading), or a
    :class:`~sora_nb.server.renderers.diffusers.ModelError` saying what is wrong."""
    from sora_nb.server.renderers.diffusers import open_renderer

    return open_renderer(local)


def local_options(**values: Any) -> DiffusersOptions:
    """The options of a local open model: ``model`` (a pipeline folder or a Hugging Face id),
    ``device``, ``dtype``, ``offload`` and ``vae_tiling``."""
    from sora_nb.server.renderers.diffusers import DiffusersOptions

    return DiffusersOptions(**values)


def check_local(
    local: DiffusersOptions,
    *,
    model: str,
    prompt: str,
    width: int,
    height: int,
    seconds: int,
    has_reference: bool,
) -> None:
    """Refuse, before sending, what the local open model cannot render: a model it does not
    serve, or a size, length or first frame its rules refuse (the nearest it can, named)."""
    from sora_nb.server.renderers.base import RenderRequest

    renderer = local_renderer(local)
    served = renderer.abilities.models or ()
    if model not in served:
        raise ValueError(
            f"This kernel renders with {', '.join(served)}, not {model}; leave "
            "--model out, or %sora connect local to use the animatic."
        )
    renderer.check(
        RenderRequest(
            prompt=prompt,
            width=width,
            height=height,
            seconds=seconds,
            model=model,
            # Only whether there is a first frame matters to the rules.
            reference=b"" if has_reference else None,
        )
    )


def _folder_name(renderer: DiffusersRenderer) -> str:
    """A folder name per model: readable, and distinct for two folders of the same name."""
    located = renderer.located
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", located.name).strip("._")[:60] or "model"
    return f"{slug}-{hashlib.sha256(str(located.folder).encode()).hexdigest()[:8]}"


def connect(
    base_url: str | None = None,
    api_key: str | SecretStr | None = None,
    *,
    media_dir: str | os.PathLike[str] | None = None,
    dialect: str | None = None,
    local: DiffusersOptions | None = None,
    bundled: ServerSettings | None = None,
    **options: Any,
) -> VideosClient:
    """A client for the configured server, or for the bundled server when none is configured.

    ``options`` go to :class:`VideosClient` (``retry``, ``poll``, ``timeout``...). ``media_dir``
    is the bundled server's folder and ``local`` the open model it renders with (the animatic
    when None); both only matter when the bundled server answers. ``dialect`` names the
    server's dialect (``vllm-omni``...; else ``SORA_NB_DIALECT``, else the client asks the
    server with :meth:`VideosClient.detect`). ``bundled`` settings (a time scale, faults) give
    the client a bundled-server app of its own, made from them and shared with no one.
    """
    config = resolve_server(base_url, api_key, dialect=dialect)
    if not config.uses_bundled:
        return VideosClient.from_config(config, **options)
    if bundled is not None:
        from sora_nb.server import create_app

        private = httpx.ASGITransport(app=create_app(bundled))
        return VideosClient(transport=private, dialect=config.dialect, **options)
    transport = httpx.ASGITransport(app=bundled_app(media_dir, local=local))
    return VideosClient(
        api_key=config.api_key, transport=transport, dialect=config.dialect, **options
    )
