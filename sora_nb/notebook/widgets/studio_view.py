"""What the studio shows about its prompt: a pure function of the Prompt and the request.

The text that would be sent, its words, lint, cost, the ladder, what the model cannot do and
what blocks each button are all derived here from a :class:`~sora_nb.prompt.Prompt` and a
:class:`Request`, so the browser never re-implements the prompt language and a test needs no
widget. The choice lists the controls offer come from the prompt vocabulary and the catalog;
what the server charges for a take, from the session (:func:`server_charges`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from sora_nb import catalog
from sora_nb.api.errors import SoraError
from sora_nb.catalog.options import Options
from sora_nb.prompt import (
    ANGLE,
    APERTURE_STOPS,
    COLOURS,
    DEPTH_OF_FIELD,
    FILM_STOCKS,
    FRAMING,
    LENS_RANGE_MM,
    MOVEMENT,
    RIG,
    TIME_OF_DAY,
    WEATHER,
    Prompt,
    Vocabulary,
)
from sora_nb.prompt import ladder as make_ladder
from sora_nb.prompt import lint as lint_prompt
from sora_nb.prompt import word_count as count_words
from sora_nb.prompt.lint_issue import Severity
from sora_nb.prompt.vocabulary import MOOD, STYLE
from sora_nb.runs.cost import Charges, charges_of, estimate
from sora_nb.runs.fitting import finisher
from sora_nb.runs.request import VideoRequest

if TYPE_CHECKING:
    from sora_nb.runs.grid import GridRun
    from sora_nb.runs.session import Session

#: The palette holds at most this many colour chips (lint warns under 3).
PALETTE_MAX = 5
#: Takes per request the studio offers.
MAX_TAKES = 6
#: The lengths "Compare lengths" sends, shortest first.
LENGTHS: tuple[str, ...] = ("short", "medium", "long")


@dataclass(frozen=True)
class Request:
    """The request settings on screen, and the sizes and lengths the controls list."""

    model: str
    size: str
    seconds: int
    takes: int
    size_options: tuple[str, ...]
    seconds_options: tuple[int, ...]
    #: The open-model settings the server takes (seed, steps...): its takes cost GPU time.
    knobs_offered: tuple[str, ...] = ()
    #: The characters picked for the video (their names), and why they cannot be sent yet.
    characters: tuple[str, ...] = ()
    cast_blocked: str = ""
    #: How the server charges for a take (see :mod:`sora_nb.runs.cost`), and where that is GPU
    #: time, the GPU seconds earlier takes like this one took there (None: none to go by).
    charges: Charges = "dollars"
    gpu_seconds: float | None = None


_STRICT = ConfigDict(extra="forbid", frozen=True)


class LintLine(BaseModel):
    """One lint finding as the studio lists it: a LintIssue's severity and message."""

    model_config = _STRICT

    severity: Severity
    message: str


class Rung(BaseModel):
    """One rung of the ladder as the studio previews it: a LadderVariant's level, words, text."""

    model_config = _STRICT

    level: str
    words: int = Field(ge=0)
    text: str


class View(BaseModel):
    """Everything the front end shows that follows from the prompt and the request."""

    model_config = _STRICT

    prompt_text: str
    word_count: int
    lint: list[LintLine]
    cost_text: str
    ladder_preview: list[Rung]
    disabled_reasons: dict[str, str] = Field(
        description='why the model cannot, by "size:WxH" and "seconds:N"'
    )
    blocked: str
    compare_blocked: str


def derive(prompt: Prompt, request: Request, problems: Sequence[str] = ()) -> View:
    """The studio's view of ``prompt`` sent as ``request``; ``problems`` (entries left out of
    the prompt, e.g. half-typed dialogue) lead the lint list as warnings."""
    text = prompt.render()
    issues = [LintLine(severity="warning", message=problem) for problem in problems]
    # Nothing typed yet is not an error: the blocked line under Generate says what to do.
    if text.strip():
        issues += [
            LintLine(severity=issue.severity, message=str(issue.message))
            for issue in lint_prompt(prompt, seconds=request.seconds, characters=request.characters)
        ]
    why_not = reasons(request)
    rungs = (
        [Rung(level=v.level, words=v.words, text=v.text) for v in make_ladder(prompt, len(LENGTHS))]
        if text.strip()
        else []
    )
    blocked = ""
    if not text.strip():
        blocked = "Describe the shot first: the prompt is empty."
    elif request.cast_blocked:
        blocked = request.cast_blocked
    elif f"size:{request.size}" in why_not:
        blocked = why_not[f"size:{request.size}"]
    elif f"seconds:{request.seconds}" in why_not:
        blocked = why_not[f"seconds:{request.seconds}"]
    elif request.takes < 1:
        blocked = f"takes must be at least 1, not {request.takes}."
    compare_blocked = blocked or (
        ""
        if len(rungs) >= len(LENGTHS)
        else f"Too few clauses to cut into {len(LENGTHS)} lengths (this prompt gives "
        f"{len(rungs)}): add camera, lighting, palette or sound clauses."
    )
    return View(
        prompt_text=text,
        word_count=count_words(text),
        lint=issues,
        cost_text=cost_text(request, len(rungs)),
        ladder_preview=rungs,
        disabled_reasons=why_not,
        blocked=blocked,
        compare_blocked=compare_blocked,
    )


def reasons(request: Request) -> dict[str, str]:
    """Why the request's model cannot render each size and length it lacks (by
    ``"size:WxH"`` and ``"seconds:N"``)."""
    found: dict[str, str] = {}
    if catalog.get_profile(request.model) is None:
        return found  # a gateway's model: nothing is known, nothing is refused
    for size in request.size_options:
        try:
            catalog.check_request(request.model, size=size)
        except catalog.CatalogError as exc:
            found[f"size:{size}"] = str(exc)
    for secs in request.seconds_options:
        try:
            catalog.check_request(request.model, seconds=secs)
        except catalog.CatalogError as exc:
            found[f"seconds:{secs}"] = str(exc)
    return found


def cost_text(request: Request, rungs: int) -> str:
    """What Generate (and, with ``rungs`` lengths, Compare lengths) would cost on the studio's
    server, by the rule every plan follows (:func:`sora_nb.runs.cost.estimate`): the catalog's
    price on a paid server, $0.00 on the offline animatic (saying what the hosted model it
    imitates would charge), GPU time on one's own GPUs."""
    takes = max(1, request.takes)
    noun = "take" if takes == 1 else "takes"
    text = f"{takes} {noun} × {request.seconds} s: {_price(request, takes)}"
    if rungs >= len(LENGTHS):
        text += f"; comparing {rungs} lengths: {_price(request, takes * rungs)}"
    return text


def _price(request: Request, takes: int) -> str:
    # The price follows the model, size and length alone: the prompt need not be written yet.
    one = VideoRequest.model_construct(
        prompt="", model=request.model, size=request.size, seconds=request.seconds
    )
    cost = estimate([one] * takes, charges=request.charges)
    if cost.unknown:
        return f"cost unknown ({request.model} has no price at {request.size})"
    if cost.gpu and request.gpu_seconds is not None:
        cost = dataclasses.replace(cost, gpu_seconds=request.gpu_seconds * cost.gpu)
    return cost.price_text()


def server_charges(session: Session, request: Request, options: Mapping[str, Any]) -> Request:
    """``request`` with what ``session``'s server charges for its takes: dollars, nothing (the
    offline animatic) or GPU time, then with the GPU seconds earlier takes like it (with the
    ``options`` the server takes, e.g. steps) took there."""
    try:
        info = session.server_info(strict=False)
    except SoraError:
        return request  # a server nobody can ask is priced as a paid one, as plans are
    charges = charges_of(info)
    profile = catalog.get_profile(request.model)
    if charges != "gpu" and not (profile is not None and profile.open_weights):
        return dataclasses.replace(request, charges=charges)
    offered = set(request.knobs_offered)
    try:
        chosen = Options(**{n: v for n, v in options.items() if n in offered and v != ""})
    except ValueError:
        chosen = Options()  # a half-typed setting: priced as the model's default
    # Completed as a plan completes it (its frame count), so the ledger finds takes like it;
    # the words do not change GPU time, so they need not be written yet.
    probe = finisher(info)(
        VideoRequest.model_construct(
            prompt="",
            model=request.model,
            size=request.size,
            seconds=request.seconds,
            options=chosen,
        )
    )
    each, _count = session.ledger.gpu_seconds(session.server, probe)
    return dataclasses.replace(request, charges=charges, gpu_seconds=each)


class Option(BaseModel):
    """One entry of a choice control: the slug it sets, the words it shows."""

    model_config = _STRICT

    value: str
    label: str


def _options(vocab: Vocabulary) -> list[Option]:
    return [Option(value=term.slug, label=term.label) for term in vocab]


def _slugs(vocab: Vocabulary) -> list[str]:
    return [term.slug for term in vocab]


class Choices(BaseModel):
    """What the front end's choice controls offer: the prompt vocabulary's slugs with their
    labels, and the bounds of the number controls. Built with no arguments, it is the
    vocabulary's."""

    model_config = _STRICT

    framing: list[Option] = Field(default_factory=lambda: _options(FRAMING))
    angle: list[Option] = Field(default_factory=lambda: _options(ANGLE))
    movement: list[Option] = Field(default_factory=lambda: _options(MOVEMENT))
    rig: list[Option] = Field(default_factory=lambda: _options(RIG))
    depth_of_field: list[Option] = Field(default_factory=lambda: _options(DEPTH_OF_FIELD))
    film_stock: list[Option] = Field(
        default_factory=lambda: [Option(value=s, label=s) for s in FILM_STOCKS]
    )
    time_of_day: list[Option] = Field(default_factory=lambda: _options(TIME_OF_DAY))
    weather: list[Option] = Field(default_factory=lambda: _options(WEATHER))
    colours: list[str] = Field(default_factory=lambda: _slugs(COLOURS))
    moods: list[str] = Field(default_factory=lambda: _slugs(MOOD))
    styles: list[str] = Field(default_factory=lambda: _slugs(STYLE))
    lens_range: tuple[int, int] = Field(
        default=LENS_RANGE_MM, description="the shortest and longest lens, in mm"
    )
    aperture_stops: list[float] = Field(default_factory=lambda: list(APERTURE_STOPS))
    palette_max: int = Field(default=PALETTE_MAX, ge=1, description="colour chips at most")
    max_takes: int = Field(default=MAX_TAKES, ge=1, description="takes per request at most")


def choices() -> Choices:
    """What the front end's choice controls offer (vocabulary slugs with their labels)."""
    return Choices()


def _kind(open_weights: bool) -> list[catalog.ModelProfile]:
    # Hosted models and open ones are offered apart: their sizes and lengths differ.
    return [p for p in catalog.models() if p.open_weights == open_weights]


def model_names(open_weights: bool = False) -> list[str]:
    """The catalog's hosted (or open) models, for the model control."""
    return [profile.name for profile in _kind(open_weights)]


def all_sizes(open_weights: bool = False) -> list[str]:
    """Every size some hosted (or open) model renders, for the size control."""
    sizes: list[str] = []
    for profile in _kind(open_weights):
        sizes.extend(s for s in profile.sizes_on() if s not in sizes)
    return sizes


def all_seconds(open_weights: bool = False) -> list[int]:
    """Every length some hosted (or open) model renders, for the seconds control."""
    return sorted({int(s) for profile in _kind(open_weights) for s in profile.seconds_on()})


def run_status(run: GridRun, lengths: str | None) -> str:
    """What a click did: how many takes were sent and how many came from the ledger."""
    request = run.takes[0].request
    what = lengths or f"{request.model} {request.size} {request.seconds} s"
    stored = sum(1 for take in run.takes if take.cached)
    sent = len(run.takes) - stored
    parts = []
    if sent:
        parts.append(f"Sent {sent} {'take' if sent == 1 else 'takes'}")
    if stored:
        parts.append(f"{stored} from the ledger (already made, nothing sent)")
    return f"{' and '.join(parts)}: {what}."
