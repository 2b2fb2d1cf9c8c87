"""The media folders a kernel lets the Jupyter server stream, shared by both sides.

A kernel that shows takes from a media folder outside the Jupyter server's root registers the
folder here; sora_nb's server extension (:mod:`sora_nb.jupyter_media.extension`) then serves
files under it, and nothing else. The registry is a folder of small JSON files in the server's
runtime folder (private to the user, mode 0700); the extension names it to the kernels it
starts through ``SORA_NB_MEDIA_REGISTRY``, so a kernel without that variable knows no
extension is there to serve it and does not register anything.

Stdlib only: the Jupyter server imports this module, and a kernel may run without Jupyter.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import re
from pathlib import Path

#: The environment variable naming the registry folder (set by the server extension).
REGISTRY_ENV = "SORA_NB_MEDIA_REGISTRY"
#: What a folder id looks like: 16 hex digits of the SHA-256 of the folder's real path.
FOLDER_ID = re.compile(r"^[0-9a-f]{16}$")

_registered: dict[Path, str] = {}


def folder_id(folder: Path) -> str:
    """The id a media folder is served under (stable for one path on one machine)."""
    real = os.path.realpath(folder)
    return hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def registry_dir() -> Path | None:
    """The registry folder this kernel's server reads, or None when no extension serves it."""
    value = os.environ.get(REGISTRY_ENV, "")
    return Path(value) if value else None


def register(folder: Path) -> str | None:
    """Let the server extension stream files under ``folder`` while this process lives.

    Returns the folder's id, or None when no server extension reads a registry here (another
    front end, or a server without sora_nb's extension): the widgets then use another route.
    """
    registry = registry_dir()
    if registry is None:
        return None
    real = Path(os.path.realpath(folder))
    if real in _registered:
        return _registered[real]
    ident = folder_id(real)
    entry = registry / f"{ident}.{os.getpid()}.json"
    try:
        registry.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = entry.with_suffix(".tmp")
        tmp.write_text(json.dumps({"path": str(real), "pid": os.getpid()}), encoding="utf-8")
        os.replace(tmp, entry)
    except OSError:
        return None  # a read-only or missing runtime folder: the kernel route still works
    if not _registered:
        atexit.register(_unregister_all)
    _registered[real] = ident
    return ident


def lookup(registry: Path, ident: str) -> Path | None:
    """The folder registered under ``ident`` by a process that is still running, else None."""
    if not FOLDER_ID.match(ident):
        return None
    for entry in sorted(registry.glob(f"{ident}.*.json")):
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
            path = Path(str(data["path"]))
            pid = int(data["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        # The id must match the path (a hand-written entry cannot alias another folder), and
        # the kernel that registered it must still run: a closed notebook serves nothing.
        if folder_id(path) == ident and _alive(pid) and path.is_dir():
            return path
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    except OSError:
        return False
    return True


def _unregister_all() -> None:
    registry = registry_dir()
    if registry is None:
        return
    for ident in _registered.values():
        with contextlib.suppress(OSError):
            (registry / f"{ident}.{os.getpid()}.json").unlink()
    _registered.clear()
