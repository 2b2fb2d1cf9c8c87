"""Studio: edit a Prompt clause by clause, see its text, lint, cost and ladder, pick the media
folder's characters, and generate (a storyboard can be made shot by shot).

The traits hold the Prompt's clauses (camera, scene, lighting, audio and shots as the prompt's
own models, validated when set) plus the request settings; ``studio.prompt`` reads and writes
them as a :class:`~sora_nb.prompt.Prompt` (studio_state). Everything the front end shows about
the prompt is derived on every change by a pure function (studio_view).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import ipywidgets
import traitlets

from sora_nb import catalog
from sora_nb.api.errors import SoraError
from sora_nb.catalog import options as options_table
from sora_nb.notebook.nomath import no_math
from sora_nb.notebook.widgets._base import esm_path
from sora_nb.notebook.widgets._files import ChunkSender
from sora_nb.notebook.widgets.state import CharacterOption, DialogueRow, KnobDefaults
from sora_nb.notebook.widgets.studio_cast import cast_problem, offered, picked, poster
from sora_nb.notebook.widgets.studio_loras import offered_loras
from sora_nb.notebook.widgets.studio_sources import SOURCE_TRAITS, SourceControls
from sora_nb.notebook.widgets.studio_state import CLAUSES, as_prompt, prompt_of, trait_values
from sora_nb.notebook.widgets.studio_view import (
    LENGTHS,
    Choices,
    LintLine,
    Request,
    Rung,
    View,
    all_seconds,
    all_sizes,
    choices,
    derive,
    model_names,
    run_status,
    server_charges,
)
from sora_nb.notebook.widgets.traits import ModelList, ModelTrait
from sora_nb.prompt import Audio, Camera, Lighting, Prompt, Scene, Shot
from sora_nb.runs.defaults import FALLBACK
from sora_nb.runs.fitting import menu_models

if TYPE_CHECKING:
    from sora_nb.runs.chains import ChainPlan
    from sora_nb.runs.grid import GridRun
    from sora_nb.runs.session import Session
    from sora_nb.runs.take import Take

_SETTINGS: tuple[str, ...] = ("model", "size", "seconds", "takes", "characters", "shot_by_shot")
#: Why Compare lengths is off while a storyboard is made shot by shot.
_NO_COMPARE = "Compare lengths makes one video per length; turn shot by shot off to compare."


class Studio(SourceControls, anywidget.AnyWidget):
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
    dialogue = ModelList(DialogueRow, help="Spoken lines: who says what (rows may be half typed).")
    audio = ModelTrait(Audio, help="Ambience, effects and music.")
    avoid = traitlets.List(traitlets.Unicode(), help="Things to keep out of the shot.").tag(
        sync=True
    )
    shots = ModelList(Shot, help="Shot blocks (edited from Python).")

    # -- the request ------------------------------------------------------------------------
    # Until __init__ sets the session's (fitted to its server), the client's fallback ones.
    model = traitlets.Unicode(FALLBACK.model, help="The video model.").tag(sync=True)
    size = traitlets.Unicode(FALLBACK.size, help="WIDTHxHEIGHT.").tag(sync=True)
    seconds = traitlets.Int(FALLBACK.seconds, help="Clip length in seconds.").tag(sync=True)
    takes = traitlets.Int(
        FALLBACK.takes, help="Takes of the request (several show as a grid)."
    ).tag(sync=True)
    # Request options (the options table's), shown only when the server's model takes them
    # (knobs_offered): a control per row the studio shows, its value in ``options`` by name.
    option_specs = traitlets.List(
        traitlets.Dict(), help="The option controls, from the options table."
    ).tag(sync=True)
    options = traitlets.Dict(
        help="Request options by name, like {'seed': 7, 'steps': 30} (absent: the default)."
    ).tag(sync=True)
    knobs_offered = traitlets.List(
        traitlets.Unicode(), help="The settings above the server takes (empty: none shown)."
    ).tag(sync=True)
    knob_defaults = ModelTrait(KnobDefaults, help="The model's default steps and guidance.")
    loras_offered = traitlets.List(
        traitlets.Unicode(), help="The LoRA adapters the server lists by name (may be empty)."
    ).tag(sync=True)
    loras_hint = traitlets.Unicode("", help="How to pick or name adapters here.").tag(sync=True)

    # -- the cast and the storyboard ----------------------------------------------------------
    characters = traitlets.List(
        traitlets.Unicode(), help="The characters the video features, by name (two at most)."
    ).tag(sync=True)
    character_options = ModelList(
        CharacterOption, help="The media folder's characters: name, poster, made on this server."
    )
    characters_blocked = traitlets.Unicode(
        "", help="Why this server cannot feature characters (empty: it can)."
    ).tag(sync=True)
    shot_by_shot = traitlets.Bool(
        False,
        help="Generate a storyboard shot by shot: its first shot made, each next one extending "
        "the video so far, the whole chain priced first.",
    ).tag(sync=True)
    enhance = traitlets.Bool(
        False, help="Send the prompt enhancer's rewrite (Compare lengths adds it as a rung)."
    ).tag(sync=True)
    enhancer = traitlets.Unicode(
        "", help="The prompt enhancer named (empty: none, so the toggle says how to name one)."
    ).tag(sync=True)

    # -- what the front end offers (from the catalog and the vocabularies) -------------------------
    model_options = traitlets.List(traitlets.Unicode()).tag(sync=True)
    size_options = traitlets.List(traitlets.Unicode()).tag(sync=True)
    seconds_options = traitlets.List(traitlets.Int()).tag(sync=True)
    choices = ModelTrait(Choices, help="Options of every choice control.")

    # -- computed here on every change (read-only for the front end) -----------------------------
    prompt_text = traitlets.Unicode("", help="The text that would be sent.").tag(sync=True)
    word_count = traitlets.Int(0).tag(sync=True)
    lint = ModelList(LintLine, help="Lint findings: severity and message.")
    cost_text = traitlets.Unicode("").tag(sync=True)
    ladder_preview = ModelList(Rung, help="The short, medium and long rungs: words and text.")
    disabled_reasons = traitlets.Dict(
        key_trait=traitlets.Unicode(),
        value_trait=traitlets.Unicode(),
        help='{"size:1792x1024": "why the model cannot", "seconds:16": ...}.',
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
        characters: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        """A studio showing ``prompt`` (a Prompt, or text to parse) with these request settings
        and ``characters`` (names of the media folder's characters) picked.

        ``session`` is where Generate sends its takes (the kernel's session when not given).
        Settings not given start at that session's defaults; where those say nothing, they are
        the server's: its model, that model's usual size and length. On an engine that takes
        them, seed, steps, guidance and a negative prompt show too; where the server has
        characters, the folder's are offered.
        """
        super().__init__(**kwargs)
        if session is None:
            from sora_nb.notebook import kernel

            session = kernel.session()
        self._session = session
        chosen = session.fit(model=model, size=size, seconds=seconds, takes=takes)
        model, size, seconds, takes = chosen.model, chosen.size, chosen.seconds, chosen.takes
        knobs, knob_defaults = _knobs(session, model)
        profile = catalog.get_profile(model)
        open_weights = bool(knobs) or (profile is not None and profile.open_weights)
        self._quiet = True
        self.last_run: GridRun | None = None
        #: The takes of the last storyboard made shot by shot, first shot first.
        self.last_chain: list[Take] = []
        self._chunks = ChunkSender(self, self._file_for)
        with self.hold_sync():
            self.choices = choices()
            self.model_options = menu_models(session.server_info(strict=False)) or model_names(
                open_weights
            )
            if model not in self.model_options:
                self.model_options = [model, *self.model_options]
            self.size_options = all_sizes(open_weights)
            self.seconds_options = all_seconds(open_weights)
            self.model, self.size, self.seconds, self.takes = model, size, seconds, takes
            self.option_specs = options_table.controls()
            self.knobs_offered, self.knob_defaults = knobs, knob_defaults
            self.loras_offered, self.loras_hint = offered_loras(session, knobs)
            self._set_clauses(as_prompt(prompt))
            self._load_characters()
            self._load_sources()
            self.characters = list(characters)
            named = session.rewrites.enhancer
            self.enhancer = named.describe() if named else ""
        self._quiet = False
        self._refresh()
        self.observe(self._changed, names=[*CLAUSES, *_SETTINGS, *SOURCE_TRAITS])
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

    @traitlets.validate("characters")
    def _check_characters(self, proposal: dict[str, Any]) -> list[str]:
        try:
            return picked(proposal["value"])
        except ValueError as exc:
            raise traitlets.TraitError(str(exc)) from None

    # -- the cast ------------------------------------------------------------------------------

    def refresh_characters(self) -> None:
        """Read the media folder's characters again (one made in another cell shows up)."""
        with self.hold_sync():
            self._load_characters()
        self._refresh()

    def make_character(self, name: str) -> None:
        """Make the folder's character ``name`` on this studio's server from the clip the
        folder keeps, so it can be featured here."""
        record = self._session.add_character(name)
        self.refresh_characters()
        self.status = f"{record.name} is made on this server: pick it to feature it."
        self.error = ""

    def _load_characters(self) -> None:
        self.character_options, self.characters_blocked = offered(self._session)

    def _file_for(self, key: str) -> Path | None:
        """A character's poster or a frame's thumbnail, for the page that asks by its key."""
        return poster(self._session, self.character_options, key) or self._frame_for(key)

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
            characters=tuple(self.characters),
            cast_blocked=self._sources_refresh()
            or cast_problem(self.characters, self.character_options, self.characters_blocked),
        )
        request = server_charges(self._session, request, self.options)
        view = self._shots_view(derive(prompt, request, problems))
        with self.hold_sync():
            for name, value in view:
                setattr(self, name, value)

    def _shots_view(self, view: View) -> View:
        """Shot by shot: the whole chain's steps and cost in place of one take's, or why not."""
        if not self.shot_by_shot:
            return view
        if view.blocked:
            return view.model_copy(update={"compare_blocked": _NO_COMPARE})
        try:
            plan = self._plan_shots(view.prompt_text)
        except (ValueError, SoraError) as exc:
            return view.model_copy(
                update={"blocked": str(exc), "compare_blocked": _NO_COMPARE, "cost_text": ""}
            )
        return view.model_copy(
            update={"cost_text": plan.describe(), "compare_blocked": _NO_COMPARE}
        )

    def _plan_shots(self, text: str) -> ChainPlan:
        return self._session.plan_shots(
            text, model=self.model, size=self.size, characters=list(self.characters)
        )

    # -- running ----------------------------------------------------------------------------

    def generate(self) -> Take | GridRun:
        """Send the prompt on screen with the chosen model, size, seconds, takes and
        characters, and show its Player (one take) or Grid (several) below the studio; returns
        the take or run. Shot by shot, the storyboard's chain is sent step after step and its
        last take returned (``last_chain`` holds them all)."""
        if self.shot_by_shot:
            return self._run_shots()
        run = self._run(vary=None)
        return run.takes[0] if len(run.takes) == 1 else run

    def compare_lengths(self) -> GridRun:
        """Send the short, medium and long versions of the prompt (and, with ``enhance``, the
        enhancer's rewrite as one more rung) and show them in a Grid."""
        return self._run(vary={"length": [*LENGTHS, *(["enhanced"] if self.enhance else [])]})

    def _run(self, vary: dict[str, list[str]] | None) -> GridRun:
        from sora_nb.notebook.widgets.views import widget_for
        from sora_nb.runs.grid import Axis

        reason = self.compare_blocked if vary else self.blocked
        if reason:
            raise ValueError(reason)
        session = self._session
        axes = [Axis.parse(name, values) for name, values in (vary or {}).items()]
        offered = set(self.knobs_offered)
        knobs = {n: v for n, v in self.options.items() if n in offered and v not in (None, "")}
        plan = session.plan(
            self.prompt_text,
            axes=axes,
            model=self.model,
            size=self.size,
            seconds=self.seconds,
            takes=self.takes,
            characters=list(self.characters),
            **self._source_args(knobs),
            enhance=self.enhance and not vary,
        )
        run = session.run_plan(plan, wait=False)
        self.last_run = run
        single = not plan.axes and len(run.takes) == 1
        self.result = widget_for(run.takes[0] if single else run, session)
        self.status = run_status(run, ", ".join(LENGTHS) if vary else None)
        self.error = ""
        return run

    def _run_shots(self) -> Take:
        from sora_nb.notebook.widgets.player import Player

        if self.blocked:
            raise ValueError(self.blocked)
        session = self._session
        plan = self._plan_shots(self.prompt_text)
        takes = session.run_chain(plan, wait=False)
        self.last_chain = takes
        self.result = Player.from_take(takes[-1], session=session, chain=takes)
        self.status = f"{plan.describe()}. Each step is sent once the video before it is made."
        self.error = ""
        return takes[-1]

    def _handle_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if self._chunks.handle(content) or not isinstance(content, dict):
            return
        action = content.get("type")
        if action not in ("generate", "compare", "make-character", "characters"):
            return
        try:
            if action == "generate":
                self.generate()
            elif action == "compare":
                self.compare_lengths()
            elif action == "make-character":
                self.make_character(str(content.get("name", "")))
            else:
                self.refresh_characters()
        except Exception as exc:  # shown in the studio, where the user clicked
            self.error = str(exc) or type(exc).__name__
            self.status = "Nothing was sent."
        finally:
            self.handled += 1

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


def _knobs(session: Session, model: str) -> tuple[list[str], KnobDefaults]:
    """The knobs this studio's server takes for ``model`` (none where the server cannot be
    asked or does not serve it), and the model's own steps and guidance."""
    from sora_nb.api.dialects import ServerInfo

    offered: list[str] = []
    try:
        info: ServerInfo | None = session.server_info(strict=False)
    except SoraError:
        info = None
    if info is not None and info.takes_knobs and info.serves(model):
        offered = [
            option.name
            for option in options_table.OPTIONS
            if option.studio and info.takes([option.wire_name(info.dialect.name)])
        ]
    profile = catalog.get_profile(model)
    if profile is None:
        return offered, KnobDefaults()
    return offered, KnobDefaults(steps=profile.default_steps, guidance=profile.default_guidance)
