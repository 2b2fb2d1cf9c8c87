"""Studio: edit a Prompt clause by clause, see its text, lint, cost and ladder, and generate.

The traits hold the Prompt's clauses (camera, scene, lighting, audio and shots as the prompt's
own models, validated when set) plus the request settings; ``studio.prompt`` reads and writes
them as a :class:`~sora_nb.prompt.Prompt` (studio_state). Everything the front end shows about
the prompt is derived on every change by a pure function (studio_view).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import anywidget
import ipywidgets
import traitlets

from sora_nb import catalog
from sora_nb.notebook.nomath import no_math
from sora_nb.notebook.widgets._base import esm_path
from sora_nb.notebook.widgets.studio_state import CLAUSES, as_prompt, prompt_of, trait_values
from sora_nb.notebook.widgets.studio_view import (
    LENGTHS,
    Request,
    all_seconds,
    all_sizes,
    choices,
    derive,
    model_names,
)
from sora_nb.notebook.widgets.traits import ModelList, ModelTrait
from sora_nb.prompt import Audio, Camera, Lighting, Prompt, Scene, Shot

if TYPE_CHECKING:
    from sora_nb.runs.grid import GridRun
    from sora_nb.runs.session import Session
    from sora_nb.runs.take import Take

_SETTINGS: tuple[str, ...] = ("model", "size", "seconds", "takes")
#: The open-model settings the studio offers when the server takes them (trait = plan name).
_KNOBS: tuple[str, ...] = ("seed", "steps", "guidance", "negative_prompt")


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
    scene = ModelTrait(Scene, help="Where and when: setting, time of day, weather.")
    camera = ModelTrait(Camera, help="Framing, angle, movement, lens, aperture, rig, film...")
    lighting = ModelTrait(Lighting, help="The key light, its direction and quality, sources.")
    palette = traitlets.List(traitlets.Unicode(), help="3 to 5 anchor colours.").tag(sync=True)
    mood = traitlets.Unicode("", help="One or two words.").tag(sync=True)
    dialogue = traitlets.List(traitlets.Dict(), help="[{speaker, line}, ...].").tag(sync=True)
    audio = ModelTrait(Audio, help="Ambience, effects and music.")
    avoid = traitlets.List(traitlets.Unicode(), help="Things to keep out of the shot.").tag(
        sync=True
    )
    shots = ModelList(Shot, help="Shot blocks (edited from Python).")

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
            self.choices = choices()
            self.model_options = model_names(open_weights)
            if model not in self.model_options:
                self.model_options = [model, *self.model_options]
            self.size_options = all_sizes(open_weights)
            self.seconds_options = all_seconds(open_weights)
            self.model, self.size, self.seconds, self.takes = model, size, seconds, takes
            self.knobs_offered, self.knob_defaults = offered, knob_defaults
            self._set_clauses(as_prompt(prompt))
        self._quiet = False
        self._refresh()
        self.observe(self._changed, names=[*CLAUSES, *_SETTINGS])
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
                self._set_clauses(as_prompt(value))
        finally:
            self._quiet = False
        self._refresh()

    def _set_clauses(self, prompt: Prompt) -> None:
        for name, value in trait_values(prompt).items():
            setattr(self, name, value)

    def _build(self) -> tuple[Prompt, list[str]]:
        """The Prompt from the traits, and the lint line for half-typed dialogue left out."""
        return prompt_of({name: getattr(self, name) for name in CLAUSES})

    # -- what the front end shows -----------------------------------------------------------

    def _changed(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self._refresh()

    def _refresh(self) -> None:
        prompt, problems = self._build()
        request = Request(
            model=self.model,
            size=self.size,
            seconds=self.seconds,
            takes=self.takes,
            size_options=tuple(self.size_options),
            seconds_options=tuple(self.seconds_options),
            knobs_offered=tuple(self.knobs_offered),
        )
        view = derive(prompt, request, problems)
        with self.hold_sync():
            for name, value in view:
                setattr(self, name, value)

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
            data["text/html"] = no_math(
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
