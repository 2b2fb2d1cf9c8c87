"""The Python face of sora_nb: ``generate``, ``grid``, ``models``, ``history`` and friends.

These are the same powers as ``%%sora``: both build a plan through the kernel's one
:class:`~sora_nb.runs.session.Session` and hand it to its runner. What a call does not say
(model, size, seconds, takes) comes from the session's defaults (``configure(model=...)``,
``%config SoraMagics.model``, ``SORA_NB_MODEL``). Blocking calls run on sora_nb's private
event-loop thread; the ``a``-prefixed forms are for top-level ``await``. Only the public face
is here; the kernel's plumbing lives in :mod:`sora_nb.notebook.kernel`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sora_nb import catalog
from sora_nb.notebook import display, kernel
from sora_nb.prompt import Prompt, render
from sora_nb.research.study import Study
from sora_nb.runs.characters import CharacterRecord
from sora_nb.runs.grid import Axis, GridError, GridPlan, GridRun
from sora_nb.runs.session import Session
from sora_nb.runs.take import Take

if TYPE_CHECKING:  # pragma: no cover - annotations only; pandas loads when a table is made
    import pandas as pd

    from sora_nb.notebook.pairwise import PairwiseJudge

__all__ = [
    "agenerate",
    "agrid",
    "chain_grid",
    "character",
    "characters",
    "configure",
    "continuity",
    "edit",
    "export",
    "export_bundle",
    "extend",
    "generate",
    "grid",
    "history",
    "import_bundle",
    "judge",
    "measure",
    "models",
    "plan",
    "resume",
    "session",
]

#: What an axis may be given as: {"length": ["short", "long"]} or [("model", [...]), ...].
Vary = Mapping[str, Sequence[str | int | float]] | Sequence[tuple[str, Sequence[str | int | float]]]


def configure(**settings: Any) -> Session:
    """Set the kernel's media folder, server, key, budget or concurrency (and start afresh),
    or its defaults: ``model``, ``size``, ``seconds``, ``takes``.

    ``configure(media_dir="study", base_url="http://localhost:4000/v1", budget=5)`` or
    ``configure(model="sora-2-pro", seconds=8)``; settings not given keep their values. The
    defaults reach ``%%sora`` cells, ``generate``, ``grid`` and new Studios alike. The API key
    is held in memory only. ``dialect="vllm-omni"`` (or sglang, fastvideo, litellm, openai)
    says how the server speaks when it should not be found out by asking it;
    ``client_options`` go to the VideosClient (retry, poll, timeout).
    ``configure(renderer="diffusers", model="Wan-AI/Wan2.1-T2V-1.3B-Diffusers")`` renders on
    this machine with that open model (a folder or a cached hub id; ``device``, ``dtype``,
    ``offload``, ``vae_tiling`` optional): with ``renderer``, ``model`` names the local model,
    not a default; ``renderer="animatic"`` goes back to the animatic.
    """
    return kernel.configure(**settings)


def session() -> Session:
    """The kernel's session: one media folder, one server, one runner (made on first use)."""
    _show_results_as_widgets()
    return kernel.session()


def _show_results_as_widgets() -> None:
    # In IPython, Takes and GridRuns display as players and grids even without %load_ext.
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:  # cheap, and idempotent: two entries in IPython's formatter table
        display.register_formatters(shell)


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
    takes: int | None = None,
    image: str | Path | None = None,
    fit: bool = False,
    remix: Take | str | None = None,
    seed: int | None = None,
    negative_prompt: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    fps: int | None = None,
    num_frames: int | None = None,
    characters: Sequence[str] = (),
) -> GridPlan:
    """What a call would send, and what it would cost, without sending anything.

    What is not given comes from the session's defaults; with none set there, ``model``,
    ``size`` and ``seconds`` are the server's model and its usual clip. ``seed``,
    ``negative_prompt``, ``steps``, ``guidance``, ``fps`` and ``num_frames`` go to engines that
    take them (vLLM-Omni, SGLang, FastVideo); elsewhere they are refused before sending.
    ``characters`` names characters of the media folder to feature (two at most; write their
    names in the prompt).
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
        remix_of=remix,
        seed=seed,
        negative_prompt=negative_prompt,
        steps=steps,
        guidance=guidance,
        fps=fps,
        num_frames=num_frames,
        characters=characters,
    )


def generate(
    prompt: str | Prompt,
    *,
    model: str | None = None,
    size: str | None = None,
    seconds: int | None = None,
    takes: int | None = None,
    image: str | Path | None = None,
    fit: bool = False,
    remix: Take | str | None = None,
    seed: int | None = None,
    negative_prompt: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    fps: int | None = None,
    num_frames: int | None = None,
    characters: Sequence[str] = (),
    shot_by_shot: bool = False,
    budget: float | None = None,
    cache: bool = True,
    wait: bool = True,
) -> Take | Study:
    """Generate a video (a Take), or several takes of it (a GridRun), from a prompt.

    A repeated call returns the stored take and sends nothing; ``cache=False`` asks for a new
    one. ``wait=False`` returns at once with takes that update as their jobs run.
    ``characters`` features characters of the media folder (their names in the prompt).
    ``shot_by_shot=True`` makes a storyboard's shots as a chain (the first shot created, each
    next one an extension; the whole chain's cost is shown first) and returns its last take,
    whose ``chain()`` is every step.
    """
    if shot_by_shot:
        return _shot_by_shot(
            _text(prompt),
            model=model,
            size=size,
            characters=characters,
            budget=budget,
            cache=cache,
            wait=wait,
        )
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
        characters=characters,
    )
    run = kernel.remember(session().run_plan(planned, cache=cache, budget=budget, wait=wait))
    return run.takes[0] if planned.takes == 1 else run


async def agenerate(
    prompt: str | Prompt,
    *,
    model: str | None = None,
    size: str | None = None,
    seconds: int | None = None,
    takes: int | None = None,
    image: str | Path | None = None,
    fit: bool = False,
    remix: Take | str | None = None,
    seed: int | None = None,
    negative_prompt: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    fps: int | None = None,
    num_frames: int | None = None,
    characters: Sequence[str] = (),
    budget: float | None = None,
    cache: bool = True,
) -> Take | Study:
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
        characters=characters,
    )
    run = kernel.remember(await session().arun_plan(planned, cache=cache, budget=budget))
    return run.takes[0] if planned.takes == 1 else run


def grid(
    prompt: str | Prompt,
    vary: Vary,
    *,
    model: str | None = None,
    size: str | None = None,
    seconds: int | None = None,
    takes: int | None = None,
    image: str | Path | None = None,
    fit: bool = False,
    seed: int | None = None,
    negative_prompt: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    fps: int | None = None,
    num_frames: int | None = None,
    characters: Sequence[str] = (),
    budget: float | None = None,
    cache: bool = True,
    wait: bool = True,
) -> Study:
    """Compare variants side by side: ``grid(p, {"length": ["short", "medium", "long"]})``.

    The first axis makes columns, the second rows, the third pages. Only cells the ledger
    lacks are sent. On a seeded engine ``{"seed": [1, 2, 3]}`` or ``{"steps": [20, 40]}``
    are axes too. ``{"character": ["Maya", "Theo"]}`` puts each character in the place of the
    first one's name in the prompt.
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
        characters=characters,
    )
    return kernel.remember(session().run_plan(planned, cache=cache, budget=budget, wait=wait))


async def agrid(
    prompt: str | Prompt,
    vary: Vary,
    *,
    model: str | None = None,
    size: str | None = None,
    seconds: int | None = None,
    takes: int | None = None,
    seed: int | None = None,
    negative_prompt: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    fps: int | None = None,
    num_frames: int | None = None,
    characters: Sequence[str] = (),
    budget: float | None = None,
    cache: bool = True,
) -> Study:
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
        characters=characters,
    )
    return kernel.remember(await session().arun_plan(planned, cache=cache, budget=budget))


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


def history(n: int | None = 20) -> pd.DataFrame:
    """The newest ``n`` takes in this media folder (all with None), newest first, as a tidy
    pandas DataFrame: one row per take."""
    from sora_nb.research.results import history_results

    return history_results(session().ledger, n)


def measure(run: GridRun | None = None) -> pd.DataFrame:
    """Measure every finished take of a run (the last one by default) on the CPU: motion,
    sharpness, flicker, colourfulness, cuts, loudness and silence. The numbers are kept in the
    ledger, shown in the run's grid, and returned as its results table (a pandas DataFrame)."""
    from sora_nb.research.metrics import measure_takes

    chosen = _run_or_last(run, "measure")
    found = measure_takes(chosen.takes, session().ledger)
    display.show_metrics(chosen, {take_id: m.summary() for take_id, m in found.items()})
    return Study.of(chosen).results()


def export(
    what: Take | GridRun | None = None,
    kind: str = "html",
    path: str | Path | None = None,
    **options: Any,
) -> Path:
    """Export a run or a take (the last run by default) as ``html``, ``mp4``, ``contact``,
    ``csv`` or ``json``, as ``%sora export KIND`` does; returns the file's path.

    A take exports as a run of one cell. Without ``path`` the file goes to ``sora_exports/``.
    """
    chosen: Take | GridRun = what if what is not None else _run_or_last(None, "export")
    return Study.of(chosen).export(kind, path, **options)


def judge(run: GridRun | None = None) -> PairwiseJudge:
    """A "which is better?" widget over a run's cells (the last run by default): each vote is
    kept in the ledger and the ranking of every axis value is updated as you go."""
    from sora_nb.notebook.pairwise import judge as pairwise

    return pairwise(_run_or_last(run, "judge"), session().ledger)


def _run_or_last(run: GridRun | None, verb: str) -> GridRun:
    chosen = run or kernel.last_run()
    if chosen is None:
        raise GridError(f"Nothing to {verb} yet: run a grid (or a take) first, or pass one.")
    return chosen


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


def character(
    name: str, clip: str | Path | bytes | None = None, *, consent: bool = False
) -> CharacterRecord:
    """Make a character from a 2 to 4 second clip (16:9 or 9:16) and keep it in the media
    folder: ``sora_nb.character("Maya", "maya.mp4")``; then write Maya in a prompt and pass
    ``characters=["Maya"]`` (``--character Maya``). Made already, nothing is sent again (on a
    new server it is made there from its clip). ``consent=True``: the person filmed agreed."""
    return session().add_character(name, clip, consent=consent)


def characters() -> list[CharacterRecord]:
    """The characters of this media folder: name, clip, thumbnail, and id on each server."""
    return session().characters()


def extend(take: Take | str, prompt: str | Prompt, seconds: int = 8, *, wait: bool = True) -> Take:
    """Continue a finished take (or a take id or job id) from its last frame by ``seconds``
    (4, 8, 12, 16 or 20): the new take's video is the whole stitched video."""
    planned = session().plan(_text(prompt), extend=take, seconds=seconds)
    return kernel.remember(session().run_plan(planned, wait=wait)).takes[0]


def edit(take: Take | str, prompt: str | Prompt, *, wait: bool = True) -> Take:
    """Rework a finished take with ``prompt``: the same scene and length, what the prompt
    changes (``edit(take, "Make it night.")``)."""
    planned = session().plan(_text(prompt), edit=take)
    return kernel.remember(session().run_plan(planned, wait=wait)).takes[0]


def chain_grid(*takes: Take) -> Study:
    """A grid of the takes' chains: a column per take, a row per step (the video first made,
    then each extension or edit), to see where continuity holds and where it drifts."""
    from sora_nb.runs.chains import chain_grid as grid_of

    return kernel.remember(grid_of([t.chain() for t in takes], run_type=Study))


def continuity(what: Take | GridRun | None = None) -> pd.DataFrame:
    """Continuity at the joins of extended videos (a take's video, every take of a run, or
    of the last run): one row per join, how alike the frames either side of it are in colour
    and in layout (1 the same), as a pandas DataFrame."""
    from sora_nb.research.continuity import continuity_table

    chosen = what if what is not None else _run_or_last(None, "read")
    return continuity_table([chosen] if isinstance(chosen, Take) else chosen.takes)


def _shot_by_shot(
    text: str,
    *,
    model: str | None,
    size: str | None,
    characters: Sequence[str],
    budget: float | None,
    cache: bool,
    wait: bool,
) -> Take:
    from sora_nb.runs.chains import chain_grid as grid_of

    current = session()
    planned = current.plan_shots(text, model=model, size=size, characters=characters, cache=cache)
    display.show_chain_plan(planned, dry_run=False)
    takes = current.run_chain(planned, wait=wait, budget=budget)
    kernel.remember(grid_of([takes], run_type=Study))
    return takes[-1]


def resume() -> list[Take]:
    """Finish every take left unfinished in this media folder (after a crash or restart)."""
    return session().resume()
