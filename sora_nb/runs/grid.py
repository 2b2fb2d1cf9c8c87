"""Grids: axes × values × takes → cells, as a labelled cartesian product known before running.

An axis varies one thing across a comparison:

- a request field: ``model``, ``size`` or ``seconds``;
- a request option of the options table (:mod:`sora_nb.catalog.options`) by its axis names:
  ``seed``, ``steps``, ``guidance``, ``fps``, ``frames``, ``negative`` (a seeded engine's
  ``--vary seed=1,2,3``);
- ``length``: a rung of the prompt's ladder (short / medium / long, or more levels), and
  ``enhanced``: an enhancer's rewrite of the whole prompt;
- ``prompt``: ``mine`` (the user's words) against ``enhanced`` (an enhancer's rewrite of them);
- a clause of the structured prompt: ``camera=push-in,orbit``, ``lighting=...``, ``palette=...``;
- ``sr``: search and replace over the prompt text, the first value being the text searched for
  (A1111's X/Y/Z "Prompt S/R");
- ``character``: a different character of the media folder in each cell (``character=Maya,Theo``:
  the prompt names Maya, and each cell puts its own character in her place).

The first axis makes columns, the second rows, the third pages. Every cell's prompt text, word
count, requests and cost are known before anything is sent; the runner then sends only the
cells the ledger lacks.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sora_nb import prompt as prompt_lang
from sora_nb.api.enhancer import HOW_TO_NAME, Enhancement
from sora_nb.catalog import options as options_table
from sora_nb.prompt.clauses import ClauseError, with_clause
from sora_nb.runs.cost import Charges, CostEstimate, estimate
from sora_nb.runs.defaults import FALLBACK
from sora_nb.runs.request import CastMember, VideoRequest
from sora_nb.runs.take import Take

AxisKind = Literal["field", "option", "length", "clause", "replace", "character", "step", "prompt"]

#: Request fields an axis may vary directly.
FIELDS = ("model", "size", "seconds")
#: Clause names people type, and where each lives in a Prompt (dotted path).
CLAUSES: dict[str, str] = {
    "camera": "camera.movement",
    "move": "camera.movement",
    "movement": "camera.movement",
    "framing": "camera.framing",
    "shot": "camera.framing",
    "angle": "camera.angle",
    "lens": "camera.lens_mm",
    "aperture": "camera.aperture",
    "rig": "camera.rig",
    "film": "camera.film_stock",
    "lighting": "lighting.key",
    "light": "lighting.key",
    "palette": "palette",
    "mood": "mood",
    "style": "style",
    "subject": "subject",
    "setting": "scene.setting",
    "time": "scene.time_of_day",
    "weather": "scene.weather",
}
REPLACE_NAMES = ("sr", "replace")
#: The axis that puts a different character in each cell (``character=Maya,Theo``).
CHARACTER_NAMES = ("character", "characters", "cast")
#: The value of a ``prompt`` or ``length`` axis whose cells send an enhancer's rewrite, and the
#: ``prompt`` axis's other value, the user's own words.
ENHANCED = "enhanced"
MINE = "mine"
#: Rewrites of a cell's text: the session's enhancer, asked (or its cache read) at planning.
Rewrite = Callable[[str], Enhancement]


class GridError(ValueError):
    """A grid cannot be built as asked; the message says what to type instead."""


class Axis(BaseModel):
    """One varied dimension: its name, what kind of thing it varies, and its values."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: AxisKind
    values: tuple[str, ...]
    #: Where a clause axis writes in the Prompt (``camera.movement``); for an option axis, the
    #: option's Python name.
    path: str | None = None

    @classmethod
    def parse(cls, name: str, values: Sequence[str]) -> Axis:
        """Classify ``name=values`` as a field, the ladder, a clause or a search-and-replace."""
        key = name.strip().lower()
        vals = tuple(v.strip() for v in values)
        if len(vals) < 2 or any(not v for v in vals):
            raise GridError(
                f"The {name!r} axis needs at least two non-empty values, like "
                f"{name}=a,b; got {list(values)}."
            )
        if key in FIELDS:
            for value in vals:
                _field_value(key, value)  # a bad value fails here, naming the axis
            return cls(name=key, kind="field", values=vals)
        option = options_table.by_axis(key)
        if option is not None:
            for value in vals:
                _option_value(option, value)
            return cls(name=key, kind="option", values=vals, path=option.name)
        if key == "length":
            return cls(name=key, kind="length", values=vals)
        if key == "prompt":
            wrong = [v for v in vals if v not in (MINE, ENHANCED)]
            if wrong:
                raise GridError(
                    f"The prompt axis compares your words with an enhancer's rewrite: "
                    f"prompt=mine,enhanced; {', '.join(map(repr, wrong))} is neither."
                )
            return cls(name=key, kind="prompt", values=vals)
        if key in REPLACE_NAMES:
            return cls(name=key, kind="replace", values=vals)
        if key in CHARACTER_NAMES:
            return cls(name="character", kind="character", values=vals)
        path = CLAUSES.get(key) or (key if "." in key else None)
        if path is None:
            knobs = [option.axes[0] for option in options_table.OPTIONS if option.axes]
            known = ", ".join([*FIELDS, *knobs, "length", "prompt", "sr", "character", *CLAUSES])
            raise GridError(f"There is no axis called {name!r}. Vary one of: {known}.")
        return cls(name=key, kind="clause", values=vals, path=path)


class GridCell(BaseModel):
    """One cell: where it sits, what varies in it, and the requests for its takes."""

    model_config = ConfigDict(frozen=True)

    index: int
    #: Position along each axis (column, row, page).
    coords: tuple[int, ...]
    #: Axis name -> the value this cell takes.
    labels: dict[str, str]
    prompt: str
    word_count: int
    requests: tuple[VideoRequest, ...]


class GridPlan(BaseModel):
    """The whole comparison, planned: axes, cells and the requests each will send."""

    model_config = ConfigDict(frozen=True)

    axes: tuple[Axis, ...]
    cells: tuple[GridCell, ...]
    takes: int = Field(ge=1)
    #: How the server the plan is for charges for a take (see :mod:`sora_nb.runs.cost`).
    charges: Charges = "dollars"

    @property
    def shape(self) -> tuple[int, ...]:
        """Values per axis: (columns,), (columns, rows) or (columns, rows, pages)."""
        return tuple(len(axis.values) for axis in self.axes)

    @property
    def requests(self) -> list[VideoRequest]:
        """Every request of every cell, cell by cell, take by take."""
        return [request for cell in self.cells for request in cell.requests]

    def cost(self) -> CostEstimate:
        """What sending every cell would cost (the runner sends only what is missing)."""
        return estimate(self.requests, charges=self.charges)

    def __repr__(self) -> str:
        return f"<GridPlan {self.describe()}>"

    def describe(self, cost: CostEstimate | None = None) -> str:
        """One line for a notebook: the shape, the count and the cost (``cost``, when the
        caller knows better, e.g. the GPU seconds earlier takes took)."""
        count = len(self.requests)
        videos = f"{count} video" + ("" if count == 1 else "s")
        noun = "take each" if self.takes == 1 else "takes each"
        shape = "".join(f"{_values_text(a)} × " for a in self.axes)
        head = f"{shape}{self.takes} {noun} = {videos}" if self.axes else videos
        return f"{head}, {(cost or self.cost()).price_text()}"


def _values_text(axis: Axis) -> str:
    """An axis as a sentence reads it: ``seed (1, 2, 3)``, or ``seed (1, 2, … 9: 9 values)``."""
    values = list(axis.values)
    if len(values) <= 4:
        return f"{axis.name} ({', '.join(values)})"
    return f"{axis.name} ({', '.join(values[:2])}, … {values[-1]}: {len(values)} values)"


def plan_grid(
    text: str,
    axes: Sequence[Axis],
    *,
    model: str = FALLBACK.model,
    size: str = FALLBACK.size,
    seconds: int = FALLBACK.seconds,
    takes: int = FALLBACK.takes,
    finish: Callable[[VideoRequest], VideoRequest] | None = None,
    charges: Charges = "dollars",
    cast: Mapping[str, CastMember] | None = None,
    enhance: bool = False,
    rewrite: Rewrite | None = None,
    **request_fields: Any,
) -> GridPlan:
    """Expand a prompt and up to three axes into cells, each with ``takes`` requests.

    Nothing is sent. Request-field values are checked by :class:`VideoRequest` (and the caller
    checks them against the catalog), so a bad value fails here, before any cost. ``finish``
    completes each request for its server (a seed per take, an open model's frame count).
    A ``character`` axis features one character per cell (``cast`` maps the names, in lower
    case, to their ids), with the first value's name in the prompt written as the cell's.
    ``enhance`` sends every cell's text rewritten by ``rewrite`` (the session's enhancer); a
    ``prompt=mine,enhanced`` or ``length=...,enhanced`` axis, only its enhanced cells'. Nothing
    else asks ``rewrite``: the user's words go out as written unless the user asks.
    """
    if len(axes) > 3:
        raise GridError("A grid has at most three axes (columns, rows, pages).")
    names = [axis.name for axis in axes]
    if len(set(names)) != len(names):
        raise GridError(f"Each axis must vary something different; got {names}.")
    if takes < 1:
        raise GridError(f"takes must be at least 1, not {takes}.")
    if not text.strip():
        raise GridError("The prompt is empty: describe the shot to generate.")
    _check_replacements(text, axes)
    enhancing = _check_enhancing(axes, enhance, rewrite)
    structured = prompt_lang.parse(text)
    length = next((axis for axis in axes if axis.kind == "length"), None)
    clauses = [axis for axis in axes if axis.kind == "clause"]
    # A ladder per distinct Prompt: clause axes change the Prompt before the ladder cuts it.
    rungs: dict[str, dict[str, str]] = {}
    cells: list[GridCell] = []
    for index, coords in enumerate(itertools.product(*(range(len(a.values)) for a in axes))):
        labels = {axis.name: axis.values[i] for axis, i in zip(axes, coords, strict=True)}
        fields: dict[str, Any] = {"model": model, "size": size, "seconds": seconds}
        cell_prompt = structured
        for axis in axes:
            if axis.kind == "field":
                fields[axis.name] = _field_value(axis.name, labels[axis.name])
            elif axis.kind == "option":
                assert axis.path is not None
                option = options_table.get(axis.path)
                fields[option.name] = _option_value(option, labels[axis.name])
            elif axis.kind == "clause":
                assert axis.path is not None
                cell_prompt = _with_clause(cell_prompt, axis.path, labels[axis.name])
        # The user's words go out verbatim unless an axis has to rewrite them.
        cell_text = prompt_lang.render(cell_prompt) if clauses else text
        if length is not None and labels[length.name] != ENHANCED:
            key = cell_prompt.model_dump_json()
            if key not in rungs:
                # Without a clause axis the ladder cuts the user's own text, so its longest
                # rung is exactly what they wrote.
                rungs[key] = _rungs(
                    cell_prompt if clauses else text, [v for v in length.values if v != ENHANCED]
                )
            cell_text = rungs[key][labels[length.name]]
        for axis in axes:
            if axis.kind == "replace":
                cell_text = cell_text.replace(axis.values[0], labels[axis.name])
            elif axis.kind == "character":
                cell_text, fields["characters"] = _with_character(
                    cell_text, axis, labels[axis.name], cast or {}, request_fields
                )
        structure: dict[str, Any] | None = cell_prompt.model_dump(mode="json")
        if enhance or any(
            a.kind in ("prompt", "length") and labels[a.name] == ENHANCED for a in axes
        ):
            assert enhancing is not None
            fields["enhancement"] = enhancing(cell_text)
            cell_text, structure = fields["enhancement"].text, None  # not rendered from one
        requests = tuple(
            (finish or _same)(
                VideoRequest(
                    prompt=cell_text,
                    take=n,
                    prompt_json=structure,
                    **{**request_fields, **fields},
                )
            )
            for n in range(1, takes + 1)
        )
        cells.append(
            GridCell(
                index=index,
                coords=coords,
                labels=labels,
                prompt=cell_text,
                word_count=prompt_lang.word_count(cell_text),
                requests=requests,
            )
        )
    return GridPlan(axes=tuple(axes), cells=tuple(cells), takes=takes, charges=charges)


# -- helpers --------------------------------------------------------------------------------


def _same(request: VideoRequest) -> VideoRequest:
    return request


def _field_value(name: str, value: str) -> Any:
    if name == "seconds":
        digits = value.removesuffix("s")
        if not digits.isdigit():
            raise GridError(f"seconds values are whole numbers, like 4,8; got {value!r}.")
        return int(digits)
    return value


def _option_value(option: options_table.Option, value: str) -> Any:
    try:
        return option.parse(value)
    except options_table.OptionError as exc:
        raise GridError(f"The {option.axes[0]} axis: {exc}") from None


def _with_character(
    text: str,
    axis: Axis,
    value: str,
    cast: Mapping[str, CastMember],
    fields: Mapping[str, Any],
) -> tuple[str, tuple[CastMember, ...]]:
    """A cell's prompt and characters on a character axis: the first value's name, where the
    prompt writes it, becomes this cell's character's."""
    member = cast.get(value.strip().lower())
    if member is None:
        known = ", ".join(m.name for m in cast.values()) or "none yet"
        raise GridError(
            f"There is no character {value!r} in this media folder (it has {known}); make it "
            f"with %sora character add {value} CLIP.mp4."
        )
    fixed = tuple(m for m in fields.get("characters", ()) if m.id != member.id)
    first = axis.values[0]
    pattern = re.compile(rf"(?<!\w){re.escape(first)}(?!\w)", re.IGNORECASE)
    return pattern.sub(member.name, text), (*fixed, member)


def _rungs(prompt: prompt_lang.Prompt | str, levels: Sequence[str]) -> dict[str, str]:
    variants = prompt_lang.ladder(prompt, levels=len(levels))
    if len(variants) < len(levels):
        raise GridError(
            f"This prompt has too few clauses to cut into {len(levels)} lengths (it gives "
            f"{len(variants)}). Add clauses (camera, lighting, sound, palette...) or vary fewer "
            "lengths."
        )
    wanted = list(levels)
    if all(level.isdigit() for level in wanted):
        # length=1,2,3: the n-th rung, shortest first.
        if any(not 0 < int(level) <= len(variants) for level in wanted):
            raise GridError(f"length numbers run from 1 to {len(variants)}; got {wanted}.")
        return {level: variants[int(level) - 1].text for level in wanted}
    names = [variant.level for variant in variants]
    missing = [level for level in wanted if level not in names]
    if missing:
        raise GridError(
            f"With {len(levels)} lengths the ladder's rungs are {', '.join(names)}; "
            f"{', '.join(missing)} is not one of them."
        )
    return {variant.level: variant.text for variant in variants}


def _with_clause(prompt: prompt_lang.Prompt, path: str, value: str) -> prompt_lang.Prompt:
    try:
        return with_clause(prompt, path, value)
    except ClauseError as exc:
        raise GridError(str(exc)) from None


def _check_enhancing(
    axes: Sequence[Axis], enhance: bool, rewrite: Rewrite | None
) -> Rewrite | None:
    """The rewriter a plan needs (None: it needs none), or GridError saying what to fix."""
    varied = [a.name for a in axes if a.kind in ("prompt", "length") and ENHANCED in a.values]
    if enhance and varied:
        raise GridError(
            f"The {varied[0]} axis already sends the enhanced prompt beside yours; drop "
            "--enhance (enhance=True), which would send only rewrites."
        )
    if not (enhance or varied):
        return None
    if rewrite is None:
        raise GridError(
            f"An enhanced prompt needs a prompt enhancer and none is named; {HOW_TO_NAME}."
        )
    return rewrite


def _check_replacements(text: str, axes: Sequence[Axis]) -> None:
    for axis in axes:
        if axis.kind == "replace" and axis.values[0] not in text:
            raise GridError(
                f"sr searches the prompt for {axis.values[0]!r} (the first value) but the "
                "prompt does not contain it; put the text to replace first."
            )


class GridRun:
    """A planned grid and its takes: cell by cell, take by take, filling in as jobs finish."""

    def __init__(self, plan: GridPlan, takes: Sequence[Take]) -> None:
        if len(takes) != len(plan.requests):
            raise ValueError("a GridRun needs exactly one take per planned request")
        self.plan = plan
        self.takes = list(takes)

    def __repr__(self) -> str:
        done = sum(1 for take in self.takes if take.done)
        return f"<GridRun {self.plan.describe()}; {done}/{len(self.takes)} done>"

    def cell_takes(self, index: int) -> list[Take]:
        """The takes of cell ``index``, in take order."""
        per = self.plan.takes
        return self.takes[index * per : (index + 1) * per]

    def wait(self, timeout: float | None = None) -> GridRun:
        """Block until every take is final (for grids started with ``wait=False``)."""
        for take in self.takes:
            take.wait(timeout)
        return self


def remix_job(remix: Take | str | None) -> str | None:
    """The server job id a remix starts from: a completed Take's, or an id given as text."""
    if remix is None or isinstance(remix, str):
        return remix
    if remix.job_id is None or not remix.ok:
        raise GridError(f"Take {remix.id} is {remix.status}; only a completed take can be remixed.")
    return remix.job_id
