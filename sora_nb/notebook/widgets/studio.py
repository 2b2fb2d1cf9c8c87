"""Studio: edit a Prompt clause by clause, see its text, lint, cost and ladder, and generate.

The traits hold the Prompt's clauses as JSON (strings, lists, dicts) plus the request settings;
``studio.prompt`` reads and writes them as a :class:`~sora_nb.prompt.Prompt`. Everything the
front end shows about the prompt (its text, words, lint, cost, the ladder, what the model cannot
do) is computed here on every change, so the browser never re-implements the prompt language.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import anywidget
import ipywidgets
import traitlets
from pydantic import ValidationError

from sora_nb import catalog
from sora_nb.notebook.widgets._base import esm_path
from sora_nb.prompt import (
    ANGLE,
    COLOURS,
    DEPTH_OF_FIELD,
    FRAMING,
    MOVEMENT,
    RIG,
    TIME_OF_DAY,
    WEATHER,
    Prompt,
    Vocabulary,
    parse,
)
from sora_nb.prompt import ladder as make_ladder
from sora_nb.prompt import lint as lint_prompt
from sora_nb.prompt import word_count as count_words
from sora_nb.prompt.vocabulary import MOOD, STYLE

if TYPE_CHECKING:
    from sora_nb.runs.grid import GridRun
    from sora_nb.runs.session import Session
    from sora_nb.runs.take import Take

#: Film emulations offered as choices (any other text set from Python is kept and shown).
FILM_STOCKS: tuple[str, ...] = (
    "Kodak Vision3 500T",
    "Kodak Vision3 250D",
    "Kodak Vision3 50D",
    "Kodak Portra 400",
    "Kodak Ektachrome 100D",
    "Fujifilm Eterna 500",
    "Ilford HP5 black-and-white",
    "Kodak Tri-X black-and-white",
    "Super 8 reversal",
    "16 mm grain",
)
#: The range of the focal-length slider, in millimetres.
LENS_RANGE: tuple[int, int] = (12, 200)
#: The aperture control's stops, f/1.4 to f/22.
APERTURE_STOPS: tuple[float, ...] = (1.4, 2.0, 2.8, 4.0, 5.6, 8.0, 11.0, 16.0, 22.0)
#: The palette holds at most this many colour chips (lint warns under 3).
PALETTE_MAX = 5
#: Takes per request the studio offers.
MAX_TAKES = 6
#: The lengths "Compare lengths" sends, shortest first.
LENGTHS: tuple[str, ...] = ("short", "medium", "long")

#: The traits that hold Prompt clauses (each named as its Prompt field).
_CLAUSES: tuple[str, ...] = (
    "prose",
    "style",
    "subject",
    "action",
    "scene",
    "camera",
    "lighting",
    "palette",
    "mood",
    "dialogue",
    "audio",
    "avoid",
    "shots",
)
_SETTINGS: tuple[str, ...] = ("model", "size", "seconds", "takes")
#: The open-model settings the studio offers when the server takes them (trait = plan name).
_KNOBS: tuple[str, ...] = ("seed", "steps", "guidance", "negative_prompt")


def _options(vocab: Vocabulary) -> list[dict[str, str]]:
    return [{"value": term.slug, "label": term.label} for term in vocab]


def _choices() -> dict[str, Any]:
    """What the front end's choice controls offer (vocabulary slugs with their labels)."""
    return {
        "framing": _options(FRAMING),
        "angle": _options(ANGLE),
        "movement": _options(MOVEMENT),
        "rig": _options(RIG),
        "depth_of_field": _options(DEPTH_OF_FIELD),
        "film_stock": [{"value": s, "label": s} for s in FILM_STOCKS],
        "time_of_day": _options(TIME_OF_DAY),
        "weather": _options(WEATHER),
        "colours": [term.slug for term in COLOURS],
        "moods": [term.slug for term in MOOD],
        "styles": [term.slug for term in STYLE],
        "lens_range": list(LENS_RANGE),
        "aperture_stops": list(APERTURE_STOPS),
        "palette_max": PALETTE_MAX,
        "max_takes": MAX_TAKES,
    }


def _kind(open_weights: bool) -> list[catalog.ModelProfile]:
    # Hosted models and open ones are offered apart: their sizes and lengths differ.
    return [p for p in catalog.models() if p.open_weights == open_weights]


def _model_names(open_weights: bool = False) -> list[str]:
    return [profile.name for profile in _kind(open_weights)]


def _all_sizes(open_weights: bool = False) -> list[str]:
    sizes: list[str] = []
    for profile in _kind(open_weights):
        sizes.extend(s for s in profile.sizes_on() if s not in sizes)
    return sizes


def _all_seconds(open_weights: bool = False) -> list[int]:
    found = {int(s) for profile in _kind(open_weights) for s in profile.seconds_on()}
    return sorted(found)


def _plain(value: Any) -> Any:
    """Pydantic dumps without None values, so the front end sees only what is set."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Studio(anywidget.AnyWidget):
    """A prompt studio: a control for every clause of a Prompt, live text, lint and cost, and
    Generate / Compare lengths buttons that run through the session and show the result below.

    ``Studio("A red kite over the dunes")`` starts from text; ``studio.prompt`` is the Prompt
    now on screen (and can be set from Python); ``studio.generate()`` runs it.
    """

    _esm = esm_path("studio.js")

    # -- the Prompt's clauses (JSON, as the front end edits them) ------------------------------
    prose = traitlets.Unicode("", help="The user's own description, kept verbatim.").tag(sync=True)
    style = traitlets.Unicode("", help="Overall look: '1970s film', 'anime'...").tag(sync=True)
    subject = traitlets.Unicode("", help="Who or what is on screen.").tag(sync=True)
    action = traitlets.List(traitlets.Unicode(), help="Action beats, one per entry.").tag(sync=True)
    scene = traitlets.Dict(help="setting, time_of_day, weather.").tag(sync=True)
    camera = traitlets.Dict(
        help="framing, angle, movement, lens_mm, aperture, rig, film_stock, depth_of_field..."
    ).tag(sync=True)
    lighting = traitlets.Dict(help="key, direction, quality, sources.").tag(sync=True)
    palette = traitlets.List(traitlets.Unicode(), help="3 to 5 anchor colours.").tag(sync=True)
    mood = traitlets.Unicode("", help="One or two words.").tag(sync=True)
    dialogue = traitlets.List(traitlets.Dict(), help="[{speaker, line}, ...].").tag(sync=True)
    audio = traitlets.Dict(help="ambience (list), effects (list), music.").tag(sync=True)
    avoid = traitlets.List(traitlets.Unicode(), help="Things to keep out of the shot.").tag(
        sync=True
    )
    shots = traitlets.List(traitlets.Dict(), help="Shot blocks (edited from Python).").tag(
        sync=True
    )

    # -- the request ------------------------------------------------------------------------
    model = traitlets.Unicode("sora-2", help="The video model.").tag(sync=True)
    size = traitlets.Unicode("1280x720", help="WIDTHxHEIGHT.").tag(sync=True)
    seconds = traitlets.Int(4, help="Clip length in seconds.").tag(sync=True)
    takes = traitlets.Int(1, help="Takes of the request (several show as a grid).").tag(sync=True)
    # Open-model settings, shown only when the server's model takes them (knobs_offered).
    seed = traitlets.Int(None, allow_none=True, help="Random seed (None: chosen).").tag(sync=True)
    steps = traitlets.Int(None, allow_none=True, help="Denoising steps (None: default).").tag(
        sync=True
    )
    guidance = traitlets.Float(None, allow_none=True, help="Guidance scale (None: default).").tag(
        sync=True
    )
    negative_prompt = traitlets.Unicode("", help="What to keep out (empty: none).").tag(sync=True)
    knobs_offered = traitlets.List(
        traitlets.Unicode(), help="The settings above the server takes (empty: none shown)."
    ).tag(sync=True)
    knob_defaults = traitlets.Dict(help="The model's default steps and guidance.").tag(sync=True)

    # -- what the front end offers (from the catalog and the vocabularies) -------------------------
    model_options = traitlets.List(traitlets.Unicode()).tag(sync=True)
    size_options = traitlets.List(traitlets.Unicode()).tag(sync=True)
    seconds_options = traitlets.List(traitlets.Int()).tag(sync=True)
    choices = traitlets.Dict(help="Options of every choice control.").tag(sync=True)

    # -- computed here on every change (read-only for the front end) -----------------------------
    prompt_text = traitlets.Unicode("", help="The text that would be sent.").tag(sync=True)
    word_count = traitlets.Int(0).tag(sync=True)
    lint = traitlets.List(traitlets.Dict(), help="[{severity, message}, ...].").tag(sync=True)
    cost_text = traitlets.Unicode("").tag(sync=True)
    ladder_preview = traitlets.List(traitlets.Dict(), help="[{level, words, text}, ...].").tag(
        sync=True
    )
    disabled_reasons = traitlets.Dict(
        help='{"size:1792x1024": "why the model cannot", "seconds:16": ...}.'
    ).tag(sync=True)
    blocked = traitlets.Unicode("", help="Why Generate cannot run now (empty: it can).").tag(
        sync=True
    )
    compare_blocked = traitlets.Unicode(
        "", help="Why Compare lengths cannot run now (empty: it can)."
    ).tag(sync=True)
    status = traitlets.Unicode("", help="What the last Generate / Compare did.").tag(sync=True)
    error = traitlets.Unicode("", help="The last problem, in words, with what to do.").tag(
        sync=True
    )
    handled = traitlets.Int(
        0, help="Counts the Generate / Compare clicks answered (the front end re-enables on it)."
    ).tag(sync=True)
    result = traitlets.Instance(
        ipywidgets.Widget, allow_none=True, help="The Player or Grid of the last run."
    ).tag(sync=True, **ipywidgets.widget_serialization)

    def __init__(
        self,
        prompt: Prompt | str | None = None,
        *,
        session: Session | None = None,
        model: str | None = None,
        size: str | None = None,
        seconds: int | None = None,
        takes: int | None = None,
        **kwargs: Any,
    ) -> None:
        """A studio showing ``prompt`` (a Prompt, or text to parse) with these request settings.

        ``session`` is where Generate sends its takes (the kernel's session when not given).
        Settings not given start at that session's defaults; where those say nothing, they are
        the server's: its model, that model's usual size and length. On an engine that takes
        them, seed, steps, guidance and a negative prompt show too.
        """
        super().__init__(**kwargs)
        if session is None:
            from sora_nb.notebook import kernel

            session = kernel.session()
        self._session = session
        chosen = session.defaults.with_(model=model, size=size, seconds=seconds, takes=takes)
        model, size, seconds, offered, knob_defaults = _fitted(
            session, chosen.model, chosen.size, chosen.seconds
        )
        takes = chosen.takes
        profile = catalog.get_profile(model)
        open_weights = bool(offered) or (profile is not None and profile.open_weights)
        self._quiet = True
        self.last_run: GridRun | None = None
        with self.hold_sync():
            self.choices = _choices()
            self.model_options = _model_names(open_weights)
            if model not in self.model_options:
                self.model_options = [model, *self.model_options]
            self.size_options = _all_sizes(open_weights)
            self.seconds_options = _all_seconds(open_weights)
            self.model, self.size, self.seconds, self.takes = model, size, seconds, takes
            self.knobs_offered, self.knob_defaults = offered, knob_defaults
            self._set_clauses(_as_prompt(prompt))
        self._quiet = False
        self._refresh()
        self.observe(self._changed, names=[*_CLAUSES, *_SETTINGS])
        self.on_msg(self._handle_message)

    # -- the Prompt --------------------------------------------------------------------------

    @property
    def prompt(self) -> Prompt:
        """The Prompt the controls show now; set it (a Prompt or text) to update the controls."""
        prompt, _problems = self._build()
        return prompt

    @prompt.setter
    def prompt(self, value: Prompt | str) -> None:
        self._quiet = True
        try:
            with self.hold_sync():
                self._set_clauses(_as_prompt(value))
        finally:
            self._quiet = False
        self._refresh()

    def _set_clauses(self, prompt: Prompt) -> None:
        data = _plain(prompt.model_dump())
        for name in ("prose", "style", "subject", "mood"):
            setattr(self, name, data.get(name) or "")
        for name in ("action", "palette", "avoid", "dialogue", "shots"):
            setattr(self, name, list(data.get(name) or []))
        for name in ("scene", "camera", "lighting", "audio"):
            setattr(self, name, dict(data.get(name) or {}))

    def _build(self) -> tuple[Prompt, list[str]]:
        """The Prompt from the traits, and why any half-typed entries were left out."""
        problems: list[str] = []
        dialogue = []
        for number, row in enumerate(self.dialogue, start=1):
            speaker = str(row.get("speaker") or "").strip()
            line = str(row.get("line") or "").strip()
            if speaker and line:
                dialogue.append({"speaker": speaker, "line": line})
            elif speaker or line:
                problems.append(
                    f"Dialogue line {number} needs both a speaker and a line; "
                    "it is left out until it has both."
                )
        data: dict[str, Any] = {
            "prose": self.prose,
            "style": self.style,
            "subject": self.subject,
            "action": list(self.action),
            "scene": dict(self.scene),
            "camera": dict(self.camera),
            "lighting": dict(self.lighting),
            "palette": list(self.palette),
            "mood": self.mood,
            "dialogue": dialogue,
            "audio": dict(self.audio),
            "avoid": list(self.avoid),
            "shots": list(self.shots),
        }
        try:
            return Prompt.model_validate(data), problems
        except ValidationError as exc:
            # A value the front end cannot produce (set from Python): name it, keep the rest.
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                problems.append(f"{where}: {err['msg']}; it is left out until it is fixed.")
                _drop(data, err["loc"])
            try:
                return Prompt.model_validate(data), problems
            except ValidationError:
                return Prompt(), problems

    # -- computing what the front end shows -----------------------------------------------------

    def _changed(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self._refresh()

    def _refresh(self) -> None:
        prompt, problems = self._build()
        text = prompt.render()
        issues = [
            {"severity": issue.severity, "message": str(issue.message)}
            for issue in lint_prompt(prompt, seconds=self.seconds)
        ]
        issues = [{"severity": "warning", "message": p} for p in problems] + issues
        reasons = self._reasons()
        rungs = (
            [
                {"level": v.level, "words": v.words, "text": v.text}
                for v in make_ladder(prompt, len(LENGTHS))
            ]
            if text.strip()
            else []
        )
        blocked = ""
        if not text.strip():
            blocked = "Describe the shot first: the prompt is empty."
        elif f"size:{self.size}" in reasons:
            blocked = reasons[f"size:{self.size}"]
        elif f"seconds:{self.seconds}" in reasons:
            blocked = reasons[f"seconds:{self.seconds}"]
        elif self.takes < 1:
            blocked = f"takes must be at least 1, not {self.takes}."
        with self.hold_sync():
            self.prompt_text = text
            self.word_count = count_words(text)
            self.lint = issues
            self.disabled_reasons = reasons
            self.cost_text = self._cost_text(len(rungs))
            self.ladder_preview = rungs
            self.blocked = blocked
            self.compare_blocked = blocked or (
                ""
                if len(rungs) >= len(LENGTHS)
                else f"Too few clauses to cut into {len(LENGTHS)} lengths (this prompt gives "
                f"{len(rungs)}): add camera, lighting, palette or sound clauses."
            )

    def _reasons(self) -> dict[str, str]:
        """Why the current model cannot render each size and length it lacks."""
        reasons: dict[str, str] = {}
        if catalog.get_profile(self.model) is None:
            return reasons  # a gateway's model: nothing is known, nothing is refused
        for size in self.size_options:
            try:
                catalog.check_request(self.model, size=size)
            except catalog.CatalogError as exc:
                reasons[f"size:{size}"] = str(exc)
        for secs in self.seconds_options:
            try:
                catalog.check_request(self.model, seconds=secs)
            except catalog.CatalogError as exc:
                reasons[f"seconds:{secs}"] = str(exc)
        return reasons

    def _cost_text(self, rungs: int) -> str:
        try:
            each = catalog.estimate_cost(self.model, self.size, self.seconds)
        except catalog.CatalogError:
            each = None
        takes = max(1, self.takes)
        noun = "take" if takes == 1 else "takes"
        profile = catalog.get_profile(self.model)
        if self.knobs_offered or (profile is not None and profile.open_weights):
            return f"{takes} {noun}: GPU time on the server that runs it, not dollars"
        if each is None:
            return f"{takes} {noun}: cost unknown ({self.model} has no price at {self.size})"
        text = f"{takes} {noun} × {self.seconds} s: about ${each * takes:.2f}"
        if rungs >= len(LENGTHS):
            text += f"; comparing {rungs} lengths: about ${each * takes * rungs:.2f}"
        return text

    # -- running ----------------------------------------------------------------------------

    def generate(self) -> Take | GridRun:
        """Send the prompt on screen with the chosen model, size, seconds and takes, and show
        its Player (one take) or Grid (several) below the studio; returns the take or run."""
        run = self._run(vary=None)
        return run.takes[0] if len(run.takes) == 1 else run

    def compare_lengths(self) -> GridRun:
        """Send the short, medium and long versions of the prompt and show them in a Grid."""
        return self._run(vary={"length": list(LENGTHS)})

    def _run(self, vary: dict[str, list[str]] | None) -> GridRun:
        from sora_nb.notebook.widgets.views import widget_for
        from sora_nb.runs.grid import Axis

        reason = self.compare_blocked if vary else self.blocked
        if reason:
            raise ValueError(reason)
        session = self._session
        axes = [Axis.parse(name, values) for name, values in (vary or {}).items()]
        knobs = {name: getattr(self, name) for name in _KNOBS if name in self.knobs_offered}
        plan = session.plan(
            self.prompt_text,
            axes=axes,
            model=self.model,
            size=self.size,
            seconds=self.seconds,
            takes=self.takes,
            **{name: value for name, value in knobs.items() if value not in (None, "")},
        )
        run = session.run_plan(plan, wait=False)
        self.last_run = run
        single = not plan.axes and len(run.takes) == 1
        self.result = widget_for(run.takes[0] if single else run, session)
        self.status = _run_status(run, ", ".join(LENGTHS) if vary else None)
        self.error = ""
        return run

    def _handle_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        action = content.get("type")
        if action not in ("generate", "compare"):
            return
        try:
            if action == "generate":
                self.generate()
            else:
                self.compare_lengths()
        except Exception as exc:  # shown in the studio, where the user clicked
            self.error = str(exc) or type(exc).__name__
            self.status = "Nothing was sent."
        finally:
            self.handled += 1

    # -- display ------------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"<Studio {self.model} {self.size} {self.seconds}s, {self.word_count} words>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/plain"] = f"{self!r}\n{self.prompt_text}"
            data["text/html"] = (
                f"<pre>{html.escape(repr(self))}\n{html.escape(self.prompt_text)}</pre>"
            )
        return bundle


def _fitted(
    session: Session | None, model: str | None, size: str | None, seconds: int | None
) -> tuple[str, str, int, list[str], dict[str, float]]:
    """(model, size, seconds, knobs offered, their defaults) for this studio's server: what
    it serves and takes. A server that cannot be asked leaves the catalog's defaults."""
    from sora_nb.api.dialects import KNOB_FIELDS, ServerInfo
    from sora_nb.api.errors import SoraError
    from sora_nb.runs.defaults import FALLBACK
    from sora_nb.runs.fitting import pick_model, usual_clip

    chosen = model or FALLBACK.model
    offered: list[str] = []
    info: ServerInfo | None = None
    if session is not None:
        try:
            info = session.server_info(strict=False)
            chosen = pick_model(info, model)
        except SoraError:
            info = None
        if info is not None and info.takes_knobs:
            offered = [name for name in _KNOBS if info.takes([KNOB_FIELDS[name]])]
    size, seconds = usual_clip(chosen, size, seconds, info)
    profile = catalog.get_profile(chosen)
    known = {}
    if profile is not None and profile.default_steps is not None:
        known["steps"] = float(profile.default_steps)
    if profile is not None and profile.default_guidance is not None:
        known["guidance"] = profile.default_guidance
    return chosen, size, seconds, offered, known


def _run_status(run: GridRun, lengths: str | None) -> str:
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


def _as_prompt(value: Prompt | str | None) -> Prompt:
    if value is None:
        return Prompt()
    if isinstance(value, Prompt):
        return value
    if isinstance(value, str):
        return parse(value)
    raise TypeError(f"Studio takes a Prompt or prompt text, not {type(value).__name__}.")


def _drop(data: dict[str, Any], loc: tuple[int | str, ...]) -> None:
    """Remove the value a validation error points at: one key of a dict clause
    (``camera.lens_mm``), else the whole clause."""
    if not loc or not isinstance(loc[0], str):
        return
    clause = data.get(loc[0])
    if len(loc) == 2 and isinstance(clause, dict) and isinstance(loc[1], str):
        clause.pop(loc[1], None)
    else:
        data.pop(loc[0], None)
