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
Vary = Mapping[str, Sequence[str | int | float]] | Sequence[tuple[str, Sequence[str | int | float]]]


def configure(**settings: Any) -> Session:
    """Set the kernel's media folder, server, key, budget or concurrency, and start afresh.

    ``configure(media_dir="study", base_url="http://localhost:4000/v1", budget=5)``; settings
    not given keep their values. The API key is held in memory only. ``dialect="vllm-omni"``
    (or sglang, fastvideo, litellm, openai) says how the server speaks when it should not be
    found out by asking it; ``client_options`` go to the VideosClient (retry, poll, timeout).
    """
    global _session
    allowed = {
        "media_dir",
        "base_url",
        "api_key",
        "budget",
        "concurrency",
        "bundled",
        "dialect",
        "client_options",
    }
    unknown = set(settings) - allowed
    if unknown:
        raise TypeError(
            f"configure() takes {', '.join(sorted(allowed))}; not {', '.join(sorted(unknown))}."
        )
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
    # Seeds and steps may be given as numbers: {"seed": [1, 2, 3]}.
    return [Axis.parse(name, [str(v) for v in values]) for name, values in items]


def plan(
    prompt: str | Prompt,
    *,
    vary: Vary | None = None,
    model: str | None = None,
    size: str | None = None,
    seconds: int | None = None,
    takes: int = 1,
    image: str | Path | None = None,
    fit: bool = False,
    remix: Take | str | None = None,
    seed: int | None = None,
    negative_prompt: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    fps: int | None = None,
    num_frames: int | None = None,
) -> GridPlan:
    """What a call would send, and what it would cost, without sending anything.

    ``model``, ``size`` and ``seconds`` default to the server's model and its usual clip.
    ``seed``, ``negative_prompt``, ``steps``, ``guidance``, ``fps`` and ``num_frames`` go to
    engines that take them (vLLM-Omni, SGLang, FastVideo); elsewhere they are refused.
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
        seed=seed,
        negative_prompt=negative_prompt,
        steps=steps,
        guidance=guidance,
        fps=fps,
        num_frames=num_frames,
    )


def generate(
    prompt: str | Prompt,
    *,
    model: str | None = None,
    size: str | None = None,
    seconds: int | None = None,
    takes: int = 1,
    image: str | Path | None = None,
    fit: bool = False,
    remix: Take | str | None = None,
    seed: int | None = None,
    negative_prompt: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    fps: int | None = None,
    num_frames: int | None = None,
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
        seed=seed,
        negative_prompt=negative_prompt,
        steps=steps,
        guidance=guidance,
        fps=fps,
        num_frames=num_frames,
    )
    run = remember(session().run_plan(planned, cache=cache, budget=budget, wait=wait))
    return run.takes[0] if takes == 1 else run


async def agenerate(
    prompt: str | Prompt,
    *,
    model: str | None = None,
    size: str | None = None,
    seconds: int | None = None,
    takes: int = 1,
    image: str | Path | None = None,
    fit: bool = False,
    remix: Take | str | None = None,
    seed: int | None = None,
    negative_prompt: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    fps: int | None = None,
    num_frames: int | None = None,
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
        seed=seed,
        negative_prompt=negative_prompt,
        steps=steps,
        guidance=guidance,
        fps=fps,
        num_frames=num_frames,
    )
    run = remember(await session().arun_plan(planned, cache=cache, budget=budget))
    return run.takes[0] if takes == 1 else run


def grid(
    prompt: str | Prompt,
    vary: Vary,
    *,
    model: str | None = None,
    size: str | None = None,
    seconds: int | None = None,
    takes: int = 1,
    image: str | Path | None = None,
    fit: bool = False,
    seed: int | None = None,
    negative_prompt: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    fps: int | None = None,
    num_frames: int | None = None,
    budget: float | None = None,
    cache: bool = True,
    wait: bool = True,
) -> GridRun:
    """Compare variants side by side: ``grid(p, {"length": ["short", "medium", "long"]})``.

    The first axis makes columns, the second rows, the third pages. Only cells the ledger
    lacks are sent. On a seeded engine ``{"seed": [1, 2, 3]}`` or ``{"steps": [20, 40]}``
    are axes too.
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
        seed=seed,
        negative_prompt=negative_prompt,
        steps=steps,
        guidance=guidance,
        fps=fps,
        num_frames=num_frames,
    )
    return remember(session().run_plan(planned, cache=cache, budget=budget, wait=wait))


async def agrid(
    prompt: str | Prompt,
    vary: Vary,
    *,
    model: str | None = None,
    size: str | None = None,
    seconds: int | None = None,
    takes: int = 1,
    seed: int | None = None,
    negative_prompt: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    fps: int | None = None,
    num_frames: int | None = None,
    budget: float | None = None,
    cache: bool = True,
) -> GridRun:
    """``grid`` for top-level ``await`` in a notebook."""
    planned = plan(
        prompt,
        vary=vary,
        model=model,
        size=size,
        seconds=seconds,
        takes=takes,
        seed=seed,
        negative_prompt=negative_prompt,
        steps=steps,
        guidance=guidance,
        fps=fps,
        num_frames=num_frames,
    )
    return remember(await session().arun_plan(planned, cache=cache, budget=budget))


def models() -> list[dict[str, Any]]:
    """The model catalog: sizes, durations, prices and lifecycle, one record per model."""
    rows = []
    for profile in catalog.models():
        prices = {size: price.per_second for size, price in profile.prices.items()}
        rule = profile.frame_rule
        rows.append(
            {
                "model": profile.name,
                "sizes": list(profile.sizes_on()),
                "seconds": [int(s) for s in profile.seconds_on()],
                "audio": profile.audio,
                "image_input": profile.image_input,
                # Open models run on your GPUs: GPU time, not a price per second.
                "usd_per_second": "GPU time" if profile.open_weights else prices,
                "fps": profile.fps,
                "frames": f"{rule[0]}k+{rule[1]}, {profile.default_frames} by default"
                if rule
                else None,
                "steps": profile.default_steps,
                "guidance": profile.default_guidance,
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
