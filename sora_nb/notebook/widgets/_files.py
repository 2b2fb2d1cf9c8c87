"""How a widget's media reach the page without passing through widget state.

Widget state carries, for each of a take's files, a ``MediaFile`` (widgets/state.py): where
the file lies relative to the notebook (so the page can ask the Jupyter server for it at
``/files/``), the id of its registered media folder (sora_nb's server extension serves folders
outside the root), and its size. The page streams it from the server by URL when it can; where
no server route exists (VS Code, Colab, a notebook opened elsewhere) it asks the kernel for the
bytes in chunks, and :class:`ChunkSender` answers from disk, keeping no copy.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sora_nb.jupyter_media import registry
from sora_nb.notebook import START_DIR
from sora_nb.notebook.widgets.state import MediaFile
from sora_nb.runs.take import Take

#: The most one kernel answer carries (the page asks for less; this bounds a bad request).
MAX_CHUNK = 4 * 1024 * 1024


def notebook_dir() -> Path:
    """The folder of the notebook this kernel runs for, whatever the current folder is now.

    Jupyter's server names the notebook in ``JPY_SESSION_NAME``; VS Code puts it in the user
    namespace as ``__vsc_ipynb_file__``; otherwise the folder the kernel started in.
    """
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session and os.path.isabs(session):
        return Path(session).parent
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency
        shell = None
    vscode = shell.user_ns.get("__vsc_ipynb_file__") if shell is not None else None
    if isinstance(vscode, str) and os.path.isabs(vscode):
        return Path(vscode).parent
    return Path(START_DIR)


def relative_to_notebook(path: Path) -> str | None:
    """``path`` relative to the notebook's folder, with ``/``; None when no relative path
    exists (another drive on Windows)."""
    try:
        return Path(os.path.relpath(path.resolve(), notebook_dir().resolve())).as_posix()
    except ValueError:
        return None


def describe(take: Take, variant: str) -> MediaFile | None:
    """The widget-state description of a take's ``video``, ``thumbnail`` or ``spritesheet``;
    None when the file is not there (not attached, not downloaded, removed)."""
    try:
        path = take.path(variant)
    except RuntimeError:
        return None
    return describe_file(take.media_dir, path)


def describe_file(media_dir: Path, path: Path) -> MediaFile | None:
    """The widget-state description of a file of a media folder (a take's, a character's
    thumbnail); None when it is not there or empty."""
    try:
        stat = path.stat()
        inside = path.relative_to(media_dir).as_posix()
    except (OSError, ValueError):
        return None
    if stat.st_size == 0:
        return None
    return MediaFile(
        rel=relative_to_notebook(path),
        folder=registry.register(media_dir),
        path=inside,
        size=stat.st_size,
        version=f"{stat.st_mtime_ns:x}-{stat.st_size:x}",
    )


class ChunkSender:
    """Answers a page's ``media-read`` messages with chunks of a file, read as they are sent.

    ``resolve(key)`` names the file for a key the widget handed out (a variant, or
    ``"cell/variant"``): the page can only read the files its widget shows, never a path.
    """

    def __init__(self, widget: Any, resolve: Callable[[str], Path | None]) -> None:
        self._widget = widget
        self._resolve = resolve

    def handle(self, content: Any) -> bool:
        """Answer ``content`` if it asks for a chunk; False when it is another message."""
        if not isinstance(content, dict) or content.get("type") != "media-read":
            return False
        key = str(content.get("key", ""))
        reply: dict[str, Any] = {"type": "media-chunk", "key": key, "req": content.get("req")}
        try:
            offset = max(0, int(content.get("offset", 0)))
            length = min(MAX_CHUNK, max(0, int(content.get("length", MAX_CHUNK))))
        except (TypeError, ValueError):
            self._widget.send({**reply, "error": "a chunk request needs a numeric offset"})
            return True
        path = self._resolve(key)
        if path is None:
            self._widget.send({**reply, "error": f"this widget shows no file {key!r}"})
            return True
        try:
            with path.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                handle.seek(offset)
                chunk = handle.read(length)
        except OSError as exc:
            self._widget.send({**reply, "error": f"{path.name} could not be read: {exc.strerror}"})
            return True
        self._widget.send({**reply, "offset": offset, "size": size}, buffers=[chunk])
        return True
