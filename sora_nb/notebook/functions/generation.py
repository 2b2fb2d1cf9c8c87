"""Making takes: ``plan`` (what would be sent, and its cost), ``generate`` and ``grid`` (and their
``a``-prefixed forms for top-level ``await``), ``extend`` and ``edit``, and a storyboard made
shot by shot as a chain."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sora_nb.catalog.option_args import OptionArgs, given_options, takes_options
from sora_nb.notebook import display, kernel
from sora_nb.notebook.functions.settings import session
from sora_nb.prompt import Prompt, render
from sora_nb.research.study import Study
from sora_nb.runs.grid import Axis, GridPlan
from sora_nb.runs.take import Take

if TYPE_CHECKING:
    from typing_extensions import Unpack

#: What an axis may be given as: {"length": ["short", "long"]} or [("model", [...]), ...].
Vary = Mapping[str, Sequence[str | int | float]] | Sequence[tuple[str, Sequence[str | int | float]]]


def _text(prompt: str | Prompt) -> str:
    return render(prompt) if isinstance(prompt, Prompt) else prompt


def _axes(vary: Vary | None) -> list[Axis]:
    if not vary:
        return []
    items = vary.items() if isinstance(vary, Mapping) else vary
    # Seeds and steps may be given as numbers: {"seed": [1, 2, 3]}.
    return [Axis.parse(name, [str(v) for v in values]) for name, values in items]


@takes_options
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
    characters: Sequence[str] = (),
    enhance: bool = False,
    **options: Unpack[OptionArgs],
) -> GridPlan:
    """What a call would send, and what it would cost, without sending anything.

    What is not given comes from the session's defaults; with none set there, ``model``,
    ``size`` and ``seconds`` are the server's model and its usual clip. ``seed``,
    ``negative_prompt``, ``steps``, ``guidance``, ``fps`` and ``num_frames`` go to engines that
    take them (vLLM-Omni, SGLang, FastVideo); elsewhere they are refused before sending.
    ``characters`` names characters of the media folder to feature (two at most; write their
    names in the prompt). ``enhance=True`` sends the prompt enhancer's rewrite of the prompt
    (name one with :func:`enhancer`); the take keeps your words too.
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
        options=given_options(options),
        characters=characters,
        enhance=enhance,
    )


@takes_options
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
    characters: Sequence[str] = (),
    enhance: bool = False,
    shot_by_shot: bool = False,
    budget: float | None = None,
    cache: bool = True,
    wait: bool = True,
    **options: Unpack[OptionArgs],
) -> Take | Study:
    """Generate a video (a Take), or several takes of it (a GridRun), from a prompt.

    A repeated call returns the stored take and sends nothing; ``cache=False`` asks for a new
    one. ``wait=False`` returns at once with takes that update as their jobs run.
    ``characters`` features characters of the media folder (their names in the prompt).
    ``enhance=True`` sends the prompt enhancer's rewrite (see :func:`plan`).
    ``shot_by_shot=True`` makes a storyboard's shots as a chain (the first shot created, each
    next one an extension; the whole chain's cost is shown first) and returns its last take,
    whose ``chain()`` is every step.
    """
    if shot_by_shot:
        if enhance:
            raise ValueError(
                "enhance=True rewrites one prompt; shot_by_shot makes a chain of them."
            )
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
        **options,
        characters=characters,
        enhance=enhance,
    )
    run = kernel.remember(session().run_plan(planned, cache=cache, budget=budget, wait=wait))
    return run.takes[0] if planned.takes == 1 else run


@takes_options
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
    characters: Sequence[str] = (),
    enhance: bool = False,
    budget: float | None = None,
    cache: bool = True,
    **options: Unpack[OptionArgs],
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
        **options,
        characters=characters,
        enhance=enhance,
    )
    run = kernel.remember(await session().arun_plan(planned, cache=cache, budget=budget))
    return run.takes[0] if planned.takes == 1 else run


@takes_options
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
    characters: Sequence[str] = (),
    enhance: bool = False,
    budget: float | None = None,
    cache: bool = True,
    wait: bool = True,
    **options: Unpack[OptionArgs],
) -> Study:
    """Compare variants side by side: ``grid(p, {"length": ["short", "medium", "long"]})``.

    The first axis makes columns, the second rows, the third pages. Only cells the ledger
    lacks are sent. On a seeded engine ``{"seed": [1, 2, 3]}`` or ``{"steps": [20, 40]}``
    are axes too. ``{"character": ["Maya", "Theo"]}`` puts each character in the place of the
    first one's name in the prompt. ``{"prompt": ["mine", "enhanced"]}`` puts your words
    beside the prompt enhancer's rewrite of them (``length`` takes ``enhanced`` as a rung too).
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
        **options,
        characters=characters,
        enhance=enhance,
    )
    return kernel.remember(session().run_plan(planned, cache=cache, budget=budget, wait=wait))


@takes_options
async def agrid(
    prompt: str | Prompt,
    vary: Vary,
    *,
    model: str | None = None,
    size: str | None = None,
    seconds: int | None = None,
    takes: int | None = None,
    characters: Sequence[str] = (),
    enhance: bool = False,
    budget: float | None = None,
    cache: bool = True,
    **options: Unpack[OptionArgs],
) -> Study:
    """``grid`` for top-level ``await`` in a notebook."""
    planned = plan(
        prompt,
        vary=vary,
        model=model,
        size=size,
        seconds=seconds,
        takes=takes,
        **options,
        characters=characters,
        enhance=enhance,
    )
    return kernel.remember(await session().arun_plan(planned, cache=cache, budget=budget))


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
