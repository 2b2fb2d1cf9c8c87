"""The kernel's state: its one Session (media folder, server, runner, defaults) and its most
recent run.

Everything in the notebook layer reaches the session through here: the Python API, the magics
and the Studio. It sits below the widgets so that a Studio can find the session without
importing the Python API above it. The session's :class:`~sora_nb.runs.defaults.Defaults` are
the one place the default model, size, seconds and takes live: ``SORA_NB_*`` variables seed
them, ``configure(model=...)`` and ``%config SoraMagics.model`` change them, every entry point
reads them.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from pydantic import SecretStr

from sora_nb.research.study import Study
from sora_nb.runs import take as take_module
from sora_nb.runs.defaults import Defaults
from sora_nb.runs.grid import GridRun
from sora_nb.runs.session import Session

#: What ``configure`` accepts besides the defaults: how the session is built.
SETTINGS = (
    "media_dir",
    "base_url",
    "api_key",
    "budget",
    "concurrency",
    "bundled",
    "dialect",
    "client_options",
    "renderer",
    "device",
    "dtype",
    "offload",
    "vae_tiling",
    "lora_dir",
    "enhancer",
)
#: With ``renderer="diffusers"``, these describe the local open model (``model`` among them).
LOCAL = ("model", "device", "dtype", "offload", "vae_tiling", "lora_dir")

_lock = threading.Lock()
_session: Session | None = None
_settings: dict[str, Any] = {}
#: Defaults set in this kernel (by ``configure`` or ``%config``), over the environment's.
_defaults: dict[str, Any] = {}
_last: list[Study] = []
#: The kernel's start, for its budget: rebuilding the session must not forget what was spent.
STARTED = time.time()


def _defaults_now(chosen: dict[str, Any]) -> Defaults:
    return Defaults.from_env(os.environ).with_(**chosen)


def _build(settings: dict[str, Any], defaults: Defaults) -> Session:
    # Runs handed out by the notebook carry the research tools (results, rankings, exports).
    return Session(**{"started": STARTED, **settings}, run_type=Study, defaults=defaults)


def configure(**settings: Any) -> Session:
    """Set the kernel's media folder, server, key, budget or concurrency (and start afresh), or
    its defaults: ``model``, ``size``, ``seconds``, ``takes`` (kept, the session goes on).

    Settings not given keep their values. The API key is held in memory only.
    """
    global _session
    names = Defaults.names()
    unknown = set(settings) - set(SETTINGS) - set(names)
    if unknown:
        allowed = ", ".join([*sorted(SETTINGS), *names])
        raise TypeError(f"configure() takes {allowed}; not {', '.join(sorted(unknown))}.")
    _choose_renderer(settings)  # takes renderer= and, with it, model= (the local model)
    chosen = {k: settings.pop(k) for k in names if settings.get(k) is not None}
    settings = {k: v for k, v in settings.items() if k not in names}
    if chosen and not settings:
        set_defaults(**chosen)
        return session()
    with _lock:
        # Checked first: a bad value raises here and changes nothing.
        defaults = _defaults_now({**_defaults, **chosen})
        if isinstance(settings.get("api_key"), str):
            # Held for rebuilding the session; a SecretStr never shows in a repr or a log.
            settings["api_key"] = SecretStr(settings["api_key"])
        merged = {**_settings, **settings}
        # Build first: a bad setting raises here and leaves the working session as it was.
        fresh = _build(merged, defaults)
        _settings.clear()
        _settings.update(merged)
        _defaults.update(chosen)
        _session = fresh
        return fresh


def _choose_renderer(settings: dict[str, Any]) -> None:
    """Turn ``renderer=`` (and with it ``model`` and the device options) into the session's
    ``local`` option; without ``renderer``, ``model`` stays the default video model."""
    renderer = settings.pop("renderer", None)
    if renderer is None:
        stray = [name for name in LOCAL[1:] if name in settings]
        if stray:
            raise TypeError(
                f"configure({stray[0]}=...) describes a local open model: give it with "
                "renderer='diffusers' and model=... (a pipeline folder or a Hugging Face id)."
            )
        if settings.get("base_url"):
            settings["local"] = None  # a server URL replaces the local model
        return
    local = {name: settings.pop(name) for name in LOCAL if name in settings}
    if renderer == "animatic" and not local:
        settings["local"] = None
    elif renderer == "diffusers" and local.get("model"):
        from sora_nb.connection import local_options

        settings["local"] = local_options(**local)
    elif renderer not in ("animatic", "diffusers"):
        raise ValueError(f"renderer is 'animatic' or 'diffusers', not {renderer!r}.")
    else:
        raise TypeError(
            "configure(renderer='diffusers') needs model=... (a pipeline folder or a Hugging "
            "Face id); device, dtype, offload, vae_tiling and lora_dir go with it, not with the "
            "animatic."
        )


def set_defaults(**values: Any) -> Defaults:
    """Change the kernel's defaults (``model``, ``size``, ``seconds``, ``takes``; None leaves
    one as it is). Each value is checked first: a bad one raises DefaultsError and changes
    nothing. The session (made or not yet) uses them from now on."""
    chosen = {name: value for name, value in values.items() if value is not None}
    with _lock:
        defaults = _defaults_now({**_defaults, **chosen})
        _defaults.update(chosen)
        if _session is not None:
            _session.defaults = defaults
        return defaults


def defaults() -> Defaults:
    """The defaults in force: built in, then ``SORA_NB_*`` variables, then ``configure``."""
    return session().defaults


def session() -> Session:
    """The kernel's session, made on first use from the settings given so far (a take that
    belongs to no session extends and edits through it)."""
    global _session
    with _lock:
        if _session is None:
            _session = _build(_settings, _defaults_now(_defaults))
        return _session


def snapshot() -> tuple[dict[str, Any], Session | None]:
    """The kernel's settings and session as they are, for :func:`restore` to go back to."""
    with _lock:
        return dict(_settings), _session


def restore(saved: tuple[dict[str, Any], Session | None]) -> None:
    """Go back to the settings and session of a :func:`snapshot` (after a failed connect)."""
    global _session
    with _lock:
        _settings.clear()
        _settings.update(saved[0])
        _session = saved[1]


def reset() -> None:
    """Forget the kernel's session, settings and last run: the next use starts from defaults."""
    global _session
    with _lock:
        _settings.clear()
        _defaults.clear()
        _last.clear()
        _session = None


def remember(run: GridRun) -> Study:
    """Note ``run`` as the kernel's most recent one (what ``%sora export`` exports)."""
    study = Study.of(run)
    _last[:] = [study]
    return study


def last_run() -> Study | None:
    """The most recent run started in this kernel (by a cell, ``generate`` or ``grid``)."""
    return _last[0] if _last else None


# ``take.extend(...)`` on a take read from the ledger (history, a bundle) goes through the
# kernel's session.
take_module.default_session = session
