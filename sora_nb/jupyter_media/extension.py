"""sora_nb's Jupyter server extension: stream takes kept outside the server's root folder.

Jupyter serves files under its root at ``/files/``; a media folder elsewhere (``SORA_NB_HOME``,
a shared disk) needs a route of its own, or the widgets would have to send every video
through the kernel. ``GET {base_url}sora-nb/media/<folder id>/<path>`` serves one file of a
media folder a running kernel registered (:mod:`sora_nb.jupyter_media.registry`), with
range requests, behind Jupyter's own login. Anything else (``..``, an absolute path, a
symlink out of the folder, a folder no kernel registered, a file that is not media) gets 403
or 404 and a line in the server's log.

``pip install sora_nb`` enables it: the wheel installs
``etc/jupyter/jupyter_server_config.d/sora_nb.json``, and
``sora_nb._jupyter_server_extension_points`` names this module. Only the Jupyter server
imports it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from sora_nb.jupyter_media.registry import REGISTRY_ENV, lookup

#: The route, under the server's base URL.
ROUTE = "sora-nb/media"
#: The files a media folder holds that a page may load: videos, posters, spritesheets.
MEDIA_SUFFIXES = frozenset(
    {".mp4", ".webm", ".mov", ".m4a", ".wav", ".webp", ".jpg", ".jpeg", ".png"}
)


class MediaFileHandler(JupyterHandler, web.StaticFileHandler):
    """One file of a registered media folder, with range requests (tornado's static files)."""

    auth_resource = "contents"

    def initialize(self, registry: Path) -> None:  # type: ignore[override]
        web.StaticFileHandler.initialize(self, path=os.devnull)
        self.registry = registry

    @web.authenticated
    @authorized
    async def head(self, folder: str, path: str) -> None:  # type: ignore[override]
        await self._serve(folder, path, include_body=False)

    @web.authenticated
    @authorized
    async def get(self, folder: str, path: str) -> None:  # type: ignore[override]
        await self._serve(folder, path, include_body=True)

    async def _serve(self, folder: str, path: str, *, include_body: bool) -> None:
        # The same check Jupyter's /files/ makes: a page of this server, not another site.
        self.check_xsrf_cookie()
        self.root = str(self._confined(folder, path))
        await web.StaticFileHandler.get(self, path, include_body=include_body)

    def _confined(self, folder: str, path: str) -> Path:
        """The registered folder ``path`` lies in, or an HTTP error that says why not."""
        root = lookup(self.registry, folder)
        if root is None:
            self._refuse(404, folder, path, "no running kernel registered this media folder")
        assert root is not None
        parts = path.replace("\\", "/").split("/")
        if path.startswith("/") or os.path.isabs(path) or ".." in parts or "" in parts[:-1]:
            self._refuse(403, folder, path, "the path leaves the media folder")
        real_root = Path(os.path.realpath(root))
        target = Path(os.path.realpath(real_root / path))
        if real_root not in target.parents:
            self._refuse(403, folder, path, "the path resolves outside the media folder")
        if target.suffix.lower() not in MEDIA_SUFFIXES:
            self._refuse(403, folder, path, "only videos and images are served")
        if not target.is_file():
            self._refuse(404, folder, path, "no such file")
        return real_root

    def _refuse(self, status: int, folder: str, path: str, why: str) -> None:
        self.log.warning("sora_nb media: refused %s %r in folder %r: %s", status, path, folder, why)
        raise web.HTTPError(status, why)

    def get_content_type(self) -> str:
        return str(super().get_content_type())

    def compute_etag(self) -> str | None:
        return None  # Last-Modified is enough; hashing a 40 MB video per request is not


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Add the media route and tell kernels started from now on where to register folders."""
    registry = Path(serverapp.runtime_dir) / "sora_nb_media"
    registry.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Kernels inherit the server's environment: this is how a kernel learns that the route
    # exists, and where to register its media folders for it.
    os.environ[REGISTRY_ENV] = str(registry)
    base_url = serverapp.web_app.settings["base_url"]
    pattern = url_path_join(base_url, ROUTE, r"([^/]+)/(.+)")
    serverapp.web_app.add_handlers(".*$", [(pattern, MediaFileHandler, {"registry": registry})])
    serverapp.log.info("sora_nb: streaming registered media folders at %s", ROUTE)
