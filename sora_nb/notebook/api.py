"""The Python face of sora_nb: ``generate``, ``grid``, ``models``, ``history`` and friends.

These are the same powers as ``%%sora``: both build a plan through the kernel's one
:class:`~sora_nb.runs.session.Session` and hand it to its runner. Blocking calls run on
sora_nb's private event-loop thread; the ``a``-prefixed forms are for top-level ``await``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from sora_nb import catalog
from sora_nb.prompt import Prompt, render
from sora_nb.runs.grid import Axis, GridError, GridPlan, GridRun
from sora_nb.runs.session import Session
from sora_nb.runs.take import Take

__all__ = [
    "Axis",
    "agenerate",
    "agrid",
    "configure",
    "export_bundle",
    "generate",
    "grid",
    "history",
    "import_bundle",
    "judge",
    "last_run",
    "measure",
    "models",
    "plan",
    "remember",
    "remix_id",
    "reset",
    "resume",
    "session",
]

_lock = threading.Lock()
_session: Session | None = None
_settings: dict[str, Any] = {}
_last: list[GridRun] = []
#: The kernel's start, for its budget: rebuilding the session must not forget what was spent.
_STARTED = time.time()

#: What an axis may be given as: {"length": ["short", "long"]} or [("model", [...]), ...].
Vary = Mapping[str, Sequence[str]] | Sequence[tuple[str, Sequence[str]]]


#: configure() settings that describe the local open model (``renderer="diffusers"``).
_LOCAL = ("model", "device", "dtype", "offload", "vae_tiling")


def configure(**settings: Any) -> Session:
    """Set the kernel's media folder, server, key, budget or concurrency, and start afresh.

    ``configure(media_dir="study", base_url="http://localhost:4000/v1", budget=5)``; settings
    not given keep their values. The API key is held in memory only.
    ``configure(renderer="diffusers", model="Wan-AI/Wan2.1-T2V-1.3B-Diffusers")`` renders on
    this machine with that open model (a folder or a cached hub id; ``device``, ``dtype``,
    ``offload``, ``vae_tiling`` optional); ``renderer="animatic"`` goes back to the animatic.
    """
    global _session
    allowed = {
        "media_dir",
        "base_url",
        "api_key",
        "budget",
        "concurrency",
        "bundled",
        "renderer",
        *_LOCAL,
    }
    unknown = set(settings) - allowed
    if unknown:
        raise TypeError(
            f"configure() takes {', '.join(sorted(allowed))}; not {', '.join(sorted(unknown))}."
        )
    _choose_renderer(settings)
    with _lock:
        if isinstance(settings.get("api_key"), str):
            # Held for rebuilding the session; a SecretStr never shows in a repr or a log.
            settings["api_key"] = SecretStr(settings["api_key"])
        merged = {"started": _STARTED, **_settings, **settings}
        # Build first: a bad setting raises here and leaves the working session as it was.
        fresh = Session(**merged)
        _settings.clear()
        _settings.update(merged)
        _session = fresh
        return _session


def _choose_renderer(settings: dict[str, Any]) -> None:
    """Turn ``renderer=`` and the model settings into the session's ``local`` option."""
    renderer = settings.pop("renderer", None)
    local = {name: settings.pop(name) for name in _LOCAL if name in settings}
    if renderer is None and not local:
        if settings.get("base_url"):
            settings["local"] = None  # a server URL replaces the local model
        return
    if renderer == "animatic" and not local:
        settings["local"] = None
    elif renderer in (None, "diffusers") and local.get("model"):
        from sora_nb.server.renderers.diffusers import DiffusersOptions

        settings["local"] = DiffusersOptions(**local)
    elif renderer not in (None, "animatic", "diffusers"):
        raise ValueError(f"renderer is 'animatic' or 'diffusers', not {renderer!r}.")
    else:
        raise TypeError(
            "configure(renderer='diffusers') needs model=... (a pipeline folder or a Hugging "
            "Face id); device, dtype, offload and vae_tiling go with it, not with the animatic."
        )


def reset() -> None:
    """Forget the kernel's session and settings: the next call starts from the defaults."""
    global _session
    with _lock:
        _settings.clear()
        _last.clear()
        _session = None


def session() -> Session:
    """The kernel's session: one media folder, one server, one runner (made on first use)."""
    global _session
    with _lock:
        if _session is None:
            _session = Session(**{"started": _STARTED, **_settings})
            _show_results_as_widgets()
        return _session


def _show_results_as_widgets() -> None:
    # In IPython, Takes and GridRuns display as players and grids even without %load_ext.
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    shell = get_ipython()
    if shell is not None:
        from sora_nb.notebook.magics import register_formatters

        register_formatters(shell)


def _text(prompt: str | Prompt) -> str:
    return render(prompt) if isinstance(prompt, Prompt) else prompt


def _axes(vary: Vary | None) -> list[Axis]:
    if not vary:
        return []
    items = vary.items() if isinstance(vary, Mapping) else vary
    return [Axis.parse(name, list(values)) for name, values in items]


def plan(
    prompt: str | Prompt,
    *,
    vary: Vary | None = None,
    model: str | None = None,
    size: str = "1280x720",
    seconds: int = 4,
    takes: int = 1,
    image: str | Path | None = None,
    fit: bool = False,
    remix: Take | str | None = None,
) -> GridPlan:
    """What a call would send, and what it would cost, without sending anything.

    With no ``model``, the server's default: the local model it serves, else sora-2.
    """
    return session().plan(
        _text(prompt),
        axes=_axes(vary),
        model=model,
        size=size,
        seconds=seconds,
        takes=takes,
        image=image,
        fit=fit,
        remix_of=remix_id(remix),
    )


def generate(
    prompt: str | Prompt,
    *,
    model: str | None = None,
    size: str = "1280x720",
    seconds: int = 4,
    takes: int = 1,
    image: str | Path | None = None,
    fit: bool = False,
    remix: Take | str | None = None,
    budget: float | None = None,
    cache: bool = True,
    wait: bool = True,
) -> Take | GridRun:
    """Generate a video (a Take), or several takes of it (a GridRun), from a prompt.

    A repeated call returns the stored take and sends nothing; ``cache=False`` asks for a new
    one. ``wait=False`` returns at once with takes that update as their jobs run.
    """
    planned = plan(
        prompt,
        model=model,
        size=size,
        seconds=seconds,
        takes=takes,
        image=image,
        fit=fit,
        remix=remix,
    )
    run = remember(session().run_plan(planned, cache=cache, budget=budget, wait=wait))
    return run.takes[0] if takes == 1 else run


async def agenerate(
    prompt: str | Prompt,
    *,
    model: str | None = None,
    size: str = "1280x720",
    seconds: int = 4,
    takes: int = 1,
    image: str | Path | None = None,
    fit: bool = False,
    remix: Take | str | None = None,
    budget: float | None = None,
    cache: bool = True,
) -> Take | GridRun:
    """``generate`` for top-level ``await`` in a notebook."""
    planned = plan(
        prompt,
        model=model,
        size=size,
        seconds=seconds,
        takes=takes,
        image=image,
        fit=fit,
        remix=remix,
    )
    run = remember(await session().arun_plan(planned, cache=cache, budget=budget))
    return run.takes[0] if takes == 1 else run


def grid(
    prompt: str | Prompt,
    vary: Vary,
    *,
    model: str | None = None,
    size: str = "1280x720",
    seconds: int = 4,
    takes: int = 1,
    image: str | Path | None = None,
    fit: bool = False,
    budget: float | None = None,
    cache: bool = True,
    wait: bool = True,
) -> GridRun:
    """Compare variants side by side: ``grid(p, {"length": ["short", "medium", "long"]})``.

    The first axis makes columns, the second rows, the third pages. Only cells the ledger
    lacks are sent.
    """
    planned = plan(
        prompt,
        vary=vary,
        model=model,
        size=size,
        seconds=seconds,
        takes=takes,
        image=image,
        fit=fit,
    )
    return remember(session().run_plan(planned, cache=cache, budget=budget, wait=wait))


async def agrid(
    prompt: str | Prompt,
    vary: Vary,
    *,
    model: str | None = None,
    size: str = "1280x720",
    seconds: int = 4,
    takes: int = 1,
    budget: float | None = None,
    cache: bool = True,
) -> GridRun:
    """``grid`` for top-level ``await`` in a notebook."""
    planned = plan(prompt, vary=vary, model=model, size=size, seconds=seconds, takes=takes)
    return remember(await session().arun_plan(planned, cache=cache, budget=budget))


def models() -> list[dict[str, Any]]:
    """The model catalog: sizes, durations, prices and lifecycle, one record per model."""
    rows = []
    for profile in catalog.models():
        prices = {size: price.per_second for size, price in profile.prices.items()}
        rows.append(
            {
                "model": profile.name,
                "sizes": list(profile.sizes_on()),
                "seconds": [int(s) for s in profile.seconds_on()],
                "audio": profile.audio,
                "image_input": profile.image_input,
                "usd_per_second": prices,
                "snapshot_of": profile.snapshot_of,
                "retired_on_openai": profile.retired_on.isoformat() if profile.retired_on else None,
            }
        )
    return rows


def history(n: int | None = 20) -> Any:
    """The newest takes in this media folder, newest first, as a tidy table (a pandas
    DataFrame when pandas is installed, else a list of dicts)."""
    from sora_nb.research.results import history_results

    return history_results(session().ledger, n)


def measure(run: GridRun | None = None) -> Any:
    """Measure every finished take of a run (the last one by default) on the CPU: motion,
    sharpness, flicker, colourfulness, cuts, loudness and silence. The numbers are kept in the
    ledger, shown in the run's grid, and returned as its results table."""
    from sora_nb.notebook.display import show_metrics
    from sora_nb.research.metrics import measure_takes

    chosen = _run_or_last(run, "measure")
    found = measure_takes(chosen.takes, session().ledger)
    show_metrics(chosen, {take_id: m.summary() for take_id, m in found.items()})
    return chosen.results()


def judge(run: GridRun | None = None) -> Any:
    """A "which is better?" widget over a run's cells (the last run by default): each vote is
    kept in the ledger and the ranking of every axis value is updated as you go."""
    from sora_nb.notebook.pairwise import judge as pairwise

    return pairwise(_run_or_last(run, "judge"), session().ledger)


def _run_or_last(run: GridRun | None, verb: str) -> GridRun:
    chosen = run or last_run()
    if chosen is None:
        raise GridError(f"Nothing to {verb} yet: run a grid (or a take) first, or pass one.")
    return chosen


def last_run() -> GridRun | None:
    """The most recent run started in this kernel (by a cell, ``generate`` or ``grid``)."""
    return _last[0] if _last else None


def remember(run: GridRun) -> GridRun:
    """Note ``run`` as the kernel's most recent one (what ``%sora export`` exports)."""
    _last[:] = [run]
    return run


def export_bundle(what: Take | GridRun | Sequence[Take], path: str | Path) -> Path:
    """Pack finished takes (a Take, a GridRun, or a list) into a bundle folder or ``.zip``.

    Another machine imports it with :func:`import_bundle` and replays them with no server.
    """
    from sora_nb.runs import bundle

    if isinstance(what, Take):
        takes = [what]
    elif isinstance(what, GridRun):
        takes = what.takes
    else:
        takes = list(what)
    return bundle.export_bundle(takes, path)


def import_bundle(path: str | Path) -> list[Take]:
    """Bring a bundle's takes into this media folder: the cells that made them replay free."""
    from sora_nb.runs import bundle

    return bundle.import_bundle(path, session().ledger)


def resume() -> list[Take]:
    """Finish every take left unfinished in this media folder (after a crash or restart)."""
    return session().resume()


def remix_id(remix: Take | str | None) -> str | None:
    """The server job id a remix starts from: a completed Take's, or an id given as text."""
    if remix is None or isinstance(remix, str):
        return remix
    if remix.job_id is None or not remix.ok:
        raise GridError(f"Take {remix.id} is {remix.status}; only a completed take can be remixed.")
    return remix.job_id
