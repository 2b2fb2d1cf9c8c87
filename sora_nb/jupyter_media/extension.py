"""sora_nb's Jupyter server extension: stream takes kept outside the server's root folder.

Jupyter serves files under its root at ``/files/``; a media folder elsewhere (``SORA_NB_HOME``,
a shared disk) needs a route of its own, or the widgets would have to send every video
through the kernel. ``GET {base_url}sora-nb/media/<folder id>/<path>`` serves one file of a
media folder a running kernel registered (:mod:`sora_nb.jupyter_media.registry`), with
range requests, behind Jupyter's own login. Anything else (``..``, an absolute path, any link
below the folder, a hidden file, a folder no kernel registered, a file that is not media) gets
403 or 404, a path no file system takes (a NUL, too long) 400, each with one line in the
server's log.

``pip install sora_nb`` enables it: the wheel installs
``etc/jupyter/jupyter_server_config.d/sora_nb.json``, and
``sora_nb._jupyter_server_extension_points`` names this module. Only the Jupyter server
imports it.
"""

from __future__ import annotations

import email.utils
import errno
import mimetypes
import os
import stat
from pathlib import Path
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import iostream, web

from sora_nb.jupyter_media.registry import REGISTRY_ENV, lookup

#: The route, under the server's base URL.
ROUTE = "sora-nb/media"
#: The files a media folder holds that a page may load: videos, posters, spritesheets.
MEDIA_SUFFIXES = frozenset(
    {".mp4", ".webm", ".mov", ".m4a", ".wav", ".webp", ".jpg", ".jpeg", ".png"}
)
#: The longest path and the longest name in it that are looked at (Linux's PATH_MAX, NAME_MAX).
MAX_PATH = 4096
MAX_NAME = 255
#: Bytes per write while streaming a file.
CHUNK = 256 * 1024
_NO_LINKS = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
#: A FIFO opened for reading would wait for a writer: open without waiting, then refuse it.
_NO_WAIT = getattr(os, "O_NONBLOCK", 0)
_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC


class MediaFileHandler(JupyterHandler):
    """One file of a registered media folder, with range requests.

    The file is opened once, one name at a time from the registered folder down, following no
    link (``O_NOFOLLOW``), and served from that open handle: a file swapped for a link between
    a check and the read cannot serve what the link points to.
    """

    auth_resource = "contents"

    def initialize(self, registry: Path) -> None:
        self.registry = registry

    @web.authenticated
    @authorized
    async def head(self, folder: str, path: str) -> None:
        await self._serve(folder, path, include_body=False)

    @web.authenticated
    @authorized
    async def get(self, folder: str, path: str) -> None:
        await self._serve(folder, path, include_body=True)

    async def _serve(self, folder: str, path: str, *, include_body: bool) -> None:
        # The same check Jupyter's /files/ makes: a page of this server, not another site.
        self.check_xsrf_cookie()
        fd = self._open(folder, path)
        with os.fdopen(fd, "rb") as source:
            info = os.fstat(source.fileno())
            size = info.st_size
            span = self._range(size)
            if span is None:
                return  # 416, said in Content-Range
            start, end = span
            kind, _ = mimetypes.guess_type(path)
            self.set_header("Content-Type", kind or "application/octet-stream")
            self.set_header("Accept-Ranges", "bytes")
            self.set_header("Last-Modified", email.utils.formatdate(info.st_mtime, usegmt=True))
            self.set_header("Content-Length", str(end - start))
            if not include_body:
                return
            source.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = source.read(min(CHUNK, remaining))
                if not chunk:
                    break  # the file shrank while being sent: end short, as a copy would
                remaining -= len(chunk)
                self.write(chunk)
                try:
                    await self.flush()
                except iostream.StreamClosedError:
                    return

    def _range(self, size: int) -> tuple[int, int] | None:
        """The bytes asked for, [start, end): all of them, or one ``Range: bytes=`` span (206);
        None for a span that starts past the end (answered 416), and a header this cannot read
        is ignored (RFC 9110 asks both)."""
        unit, _, spec = self.request.headers.get("Range", "").partition("=")
        first, dash, last = (p.strip() for p in spec.partition("-"))
        readable = dash and (first or last) and all(n.isdigit() for n in (first, last) if n)
        if unit.strip().lower() != "bytes" or "," in spec or not readable:
            return 0, size
        if first and last and int(last) < int(first):
            return 0, size
        if first:
            start, end = int(first), min(size, int(last) + 1) if last else size
        else:  # the last N bytes
            start, end = max(0, size - int(last)), size
        if start >= end:
            self.set_status(416)
            self.set_header("Content-Range", f"bytes */{size}")
            return None
        if (start, end) != (0, size):
            self.set_status(206)
            self.set_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
        return start, end

    def _open(self, folder: str, path: str) -> int:
        """An open handle on ``path`` in the registered folder, or an HTTP error saying why not."""
        if "\0" in path:
            self._refuse(400, folder, path, "the path holds a NUL character")
        if len(path.encode("utf-8", "surrogateescape")) > MAX_PATH:
            self._refuse(400, folder, path, f"the path is longer than {MAX_PATH} bytes")
        parts = path.replace("\\", "/").split("/")
        if any(len(part.encode("utf-8", "surrogateescape")) > MAX_NAME for part in parts):
            self._refuse(400, folder, path, f"a name in the path is longer than {MAX_NAME} bytes")
        root = lookup(self.registry, folder)
        if root is None:
            self._refuse(404, folder, path, "no running kernel registered this media folder")
        assert root is not None
        if path.startswith("/") or os.path.isabs(path) or ".." in parts or "" in parts:
            self._refuse(403, folder, path, "the path leaves the media folder")
        if any(part.startswith(".") for part in parts):
            self._refuse(403, folder, path, "hidden files are not served")
        if os.path.splitext(parts[-1])[1].lower() not in MEDIA_SUFFIXES:
            self._refuse(403, folder, path, "only videos and images are served")
        try:
            fd = _open_below(os.path.realpath(root), parts)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EMLINK):
                self._refuse(403, folder, path, "the path goes through a link")
            if exc.errno in (errno.EACCES, errno.EPERM):
                self._refuse(403, folder, path, "the file is not readable")
            self._refuse(404, folder, path, "no such file")
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            self._refuse(404, folder, path, "no such file")
        return fd

    def _refuse(self, status: int, folder: str, path: str, why: str) -> None:
        shown = path if len(path) <= 200 else path[:200] + "..."
        self.log.warning(
            "sora_nb media: refused %s %r in folder %r: %s", status, shown, folder, why
        )
        raise web.HTTPError(status, why)


def _open_below(root: str, parts: list[str]) -> int:
    """Open ``root/parts...`` for reading, one name at a time, following no link on the way
    (a link anywhere below ``root`` fails with ELOOP); returns the file descriptor."""
    if os.open not in os.supports_dir_fd or not _NO_LINKS:
        return _open_checked(root, parts)
    here = os.open(root, _FOLDER)
    try:
        for part in parts[:-1]:
            try:
                below = os.open(part, _FOLDER | _NO_LINKS, dir_fd=here)
            except NotADirectoryError:  # Linux says so of a link to a folder: name it a link
                found = os.stat(part, dir_fd=here, follow_symlinks=False)
                if stat.S_ISLNK(found.st_mode):
                    raise OSError(errno.ELOOP, "a link", part) from None
                raise
            os.close(here)
            here = below
        return os.open(parts[-1], os.O_RDONLY | _NO_LINKS | _NO_WAIT | _CLOEXEC, dir_fd=here)
    finally:
        os.close(here)


def _open_checked(root: str, parts: list[str]) -> int:
    """Where a folder cannot be walked by handle (Windows): no part may be a link, and the
    handle opened must be the file that was checked."""
    path = root
    for part in parts:
        path = os.path.join(path, part)
        if os.path.islink(path):
            raise OSError(errno.ELOOP, "a link", path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    if not os.path.samestat(os.fstat(fd), os.lstat(path)):
        os.close(fd)
        raise OSError(errno.ELOOP, "the file changed while it was opened", path)
    return fd


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
