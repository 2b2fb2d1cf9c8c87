"""SoraMagics: ``%%sora`` and ``%sora``, one class and its one job: the configurable traits
(``%config SoraMagics.x``) and the kernel session they drive, the ``%%sora`` cell (plan, price,
run, wait), and the ``%sora`` commands: what the kernel and its media folder hold (``models``,
``history``, ``status``, ``resume``, ``cost``, ``config``), ``connect`` (a Videos API server,
the bundled server, or an open model on this machine), and the folder's work (``export``,
``character``, ``characters``, ``chain``, ``studio``). ``%%sora?`` shows the help built in
:mod:`.help_text`; the commands fill :mod:`.registry`'s table as they are defined, in the order
``%%sora?`` lists them.

Its ``model``, ``size``, ``seconds`` and ``takes`` traits write the kernel's one set of
defaults, so ``generate``, ``grid`` and new Studios see them as cells do.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from traitlets import Bool, Float, Int, TraitError, Unicode, validate

from sora_nb.notebook.magics import reports
from sora_nb.notebook.magics.help_text import usage
from sora_nb.notebook.magics.registry import COMMANDS, command
from sora_nb.notebook.magics.user_errors import _user_errors

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.notebook.options import SoraOptions

#: What the default traits say; their value None means "the session's default".
_DEFAULT_HELP = (
    "Default {what} of %%sora cells, sora_nb.generate, sora_nb.grid and new Studios "
    "(None: the session's, from SORA_NB_{name} or built in; %sora config shows it)."
)


@magics_class
class SoraMagics(Magics):
    """Write a shot in a cell, generate takes, watch and compare them."""

    model = Unicode(
        None, allow_none=True, help=_DEFAULT_HELP.format(what="model", name="MODEL")
    ).tag(config=True)
    size = Unicode(
        None, allow_none=True, help=_DEFAULT_HELP.format(what="size (WxH)", name="SIZE")
    ).tag(config=True)
    seconds = Int(
        None, allow_none=True, help=_DEFAULT_HELP.format(what="seconds", name="SECONDS")
    ).tag(config=True)
    takes = Int(None, allow_none=True, help=_DEFAULT_HELP.format(what="takes", name="TAKES")).tag(
        config=True
    )
    media_dir = Unicode(
        "", help="Folder for the ledger and files; empty means $SORA_NB_HOME or ./sora_media."
    ).tag(config=True)
    server = Unicode(
        "", help="Videos API base URL; empty means $SORA_NB_BASE_URL, then the bundled server."
    ).tag(config=True)
    dialect = Unicode(
        "",
        help="How the server speaks (openai, vllm-omni, sglang, fastvideo, litellm); empty: "
        "$SORA_NB_DIALECT, else found by asking the server.",
    ).tag(config=True)
    budget = Float(
        None, allow_none=True, help="Dollars this kernel may spend in all (None: no limit)."
    ).tag(config=True)
    concurrency = Int(4, help="Jobs running at once.").tag(config=True)
    wait = Bool(True, help="Block until takes finish (False: return at once).").tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.started = time.time()
        self._applied: dict[str, Any] = {}

    # -- the kernel's session follows the traits ------------------------------------------

    @validate("model", "size", "seconds", "takes")
    def _write_default(self, proposal: Any) -> Any:
        # The kernel's one Defaults takes the value (checked there: a bad one is refused and
        # the trait keeps its value), so Python calls and Studios see it as cells do.
        value = proposal["value"]
        if value is not None:
            from sora_nb.notebook import kernel
            from sora_nb.runs.defaults import DefaultsError

            try:
                kernel.set_defaults(**{proposal["trait"].name: value})
            except DefaultsError as exc:
                raise TraitError(f"SoraMagics.{proposal['trait'].name}: {exc}") from None
        return value

    def _session_settings(self) -> dict[str, Any]:
        # Only what was set here (by %config or a command): a budget or folder given to
        # sora_nb.configure() in Python is not overwritten by these traits' defaults.
        settings: dict[str, Any] = {}
        for name in ("concurrency", "budget"):
            if self.trait_has_value(name):
                settings[name] = getattr(self, name)
        if self.media_dir:
            settings["media_dir"] = self.media_dir
        if self.server:
            settings["base_url"] = self.server
        if self.dialect:
            settings["dialect"] = self.dialect
        return settings

    def _session(self) -> Any:
        from sora_nb.notebook import kernel

        wanted = self._session_settings()
        if wanted != self._applied:
            kernel.configure(**wanted)
            self._applied = wanted
        return kernel.session()

    def _take_named(self, name: str | None) -> Any:
        """The Take a name on the line stands for (bound with --as), else the name itself (a
        take id or a job id)."""
        from sora_nb.runs.take import Take

        if name and self.shell is not None:
            bound = self.shell.user_ns.get(name)
            if isinstance(bound, Take):
                return bound
        return name

    # -- %%sora and %sora -------------------------------------------------------------------

    @line_cell_magic
    def sora(self, line: str, cell: str | None = None) -> Any:
        """Generate video from the cell's prompt; ``%sora COMMAND`` manages sora_nb.

        ``%%sora?`` lists every option and command (built from the option parser);
        on engines that take them, --seed, --negative, --steps, --guidance, --fps, --frames.
        %sora connect local:MODEL [--device D] [--dtype T] [--offload] [--vae-tiling]
        [--lora-dir DIR] renders with an open model on this machine.
        """
        from sora_nb.notebook.options import parse_options

        with _user_errors():
            if cell is None:
                return self._run_command(line)
            return self._cell(parse_options(line), cell)

    def _cell(self, options: SoraOptions, cell: str) -> Any:
        from sora_nb.notebook import display as show
        from sora_nb.notebook import kernel
        from sora_nb.prompt import interpolate
        from sora_nb.runs.grid import Axis

        text = interpolate(cell, self.shell.user_ns if self.shell else {}).strip()
        if not text:
            raise UsageError("%%sora: the cell is empty; write the shot to generate below %%sora.")
        if options.server:
            from sora_nb.api.config import normalize_base_url

            normalize_base_url(options.server)  # a bad URL fails here, before it is kept
            self.server = options.server
        session = self._session()
        if options.shot_by_shot:
            return self._shot_by_shot(options, text, session)
        # --remix/--extend/--edit take1 name a Take bound earlier with --as take1; else a take
        # id or a job id.
        remix = self._take_named(options.remix)
        source = self._take_named(options.options.video)  # --video TAKE: a take is its source
        request_options = options.options.replace(video=getattr(source, "id", source))
        # What the line does not say comes from the session's defaults.
        plan = session.plan(
            text,
            axes=[Axis.parse(axis.name, axis.values) for axis in options.vary],
            model=options.model,
            size=options.size,
            seconds=options.seconds,
            takes=options.takes,
            image=options.image,
            fit=options.fit,
            remix_of=remix,
            characters=options.characters,
            extend=self._take_named(options.extend),
            edit=self._take_named(options.edit),
            options=request_options,
            enhance=options.enhance,
        )
        if options.dry_run:
            show.show_plan(plan, session, dry_run=True, cache=options.cache)
            self._bind(options, plan)  # shown above already; --as keeps it
            return None
        show.show_plan(plan, session, dry_run=False, cache=options.cache)
        wait = self.wait if options.wait is None else options.wait
        run = kernel.remember(
            session.run_plan(plan, cache=options.cache, budget=options.budget, wait=False)
        )
        result = run.takes[0] if len(run.takes) == 1 and not plan.axes else run
        self._bind(options, result)
        show.show_run(run, session)
        if wait:
            try:
                run.wait()
            except KeyboardInterrupt:
                # Stop waiting, not working: the jobs are paid for and in the ledger.
                print(
                    "Stopped waiting; the takes keep running in the background and the "
                    "player updates when they finish (%sora status shows them)."
                )
        return None

    def _shot_by_shot(self, options: SoraOptions, text: str, session: Any) -> Any:
        """A storyboard made as a chain: priced first, then run step after step, shown as a
        grid whose rows are the steps."""
        from sora_nb.notebook import display as show
        from sora_nb.notebook import kernel
        from sora_nb.runs.chains import chain_grid

        plan = session.plan_shots(
            text, model=options.model, size=options.size, characters=options.characters
        )
        show.show_chain_plan(plan, dry_run=options.dry_run)
        if options.dry_run:
            return None
        wait = self.wait if options.wait is None else options.wait
        takes = session.run_chain(plan, wait=False, budget=options.budget)
        run = kernel.remember(chain_grid([takes], run_type=session.run_type))
        self._bind(options, takes[-1])
        show.show_run(run, session)
        if wait:
            try:
                run.wait()
            except KeyboardInterrupt:
                print("Stopped waiting; the chain goes on in the background, step after step.")
        return None

    def _bind(self, options: SoraOptions, value: Any) -> Any:
        if options.bind and self.shell is not None:
            self.shell.user_ns[options.bind] = value
        return value

    def _run_command(self, line: str) -> Any:
        name, _, rest = line.strip().partition(" ")
        if name not in COMMANDS:
            known = ", ".join(usage for usage, _help in COMMANDS.values())
            said = f"%sora {name}: unknown command" if name else "%sora needs a command"
            raise UsageError(f"{said}. Try: {known} (%%sora? explains each).")
        return getattr(self, f"_cmd_{name}")(rest.strip())

    # -- %sora commands: the catalog, the ledger's takes, the server, the money, the settings

    @command("models", "the model catalog: sizes, durations, prices per second")
    def _cmd_models(self, rest: str) -> Any:
        from sora_nb.notebook import display as show
        from sora_nb.notebook import functions

        return show.table(functions.models(), title="Models (prices in USD per second)")

    @command("history [-n N]", "the newest N takes in this media folder (20 unless told)")
    def _cmd_history(self, rest: str) -> Any:
        n = 20
        if rest:
            flag, _, value = rest.partition(" ")
            if flag != "-n" or not value.strip().isdigit() or int(value) < 1:
                raise UsageError("%sora history takes -n N (1 or more), like %sora history -n 5.")
            n = int(value)
        return reports.history_table(self._session(), n)

    @command("status", "the takes still running")
    def _cmd_status(self, rest: str) -> Any:
        """What the server is, serves and cannot do; then the takes still running."""
        from sora_nb.notebook import display as show
        from sora_nb.research.results import take_record

        session = self._session()
        about = _about(session)
        running = session.ledger.unfinished()
        if not running:
            return show.text(f"{about}\nNo takes are running.")
        return show.table([take_record(t) for t in running], title=f"{about}\nRunning takes")

    @command("resume", "finish takes left unfinished (after a crash or a restart)")
    def _cmd_resume(self, rest: str) -> Any:
        from sora_nb.notebook import display as show
        from sora_nb.research.results import take_record

        session = self._session()
        if not session.ledger.unfinished():
            return show.text("Nothing to resume: every take in this media folder is final.")
        takes = session.resume()
        return show.table([take_record(t) for t in takes], title="Resumed takes")

    @command("cost", "what this kernel and this media folder were charged")
    def _cmd_cost(self, rest: str) -> Any:
        return reports.cost_text(self._session(), self.started)

    @command("config", "the defaults and settings in force")
    def _cmd_config(self, rest: str) -> Any:
        from sora_nb.notebook import display as show

        session = self._session()
        rows = reports.effective(session)
        rows.extend(
            {"setting": name, "value": getattr(self, name)}
            for name in ("budget", "concurrency", "wait", "dialect")
        )
        rows.append({"setting": "media_dir", "value": str(session.media_dir)})
        rows.append({"setting": "server", "value": reports.server_name(session)})
        named = session.rewrites.enhancer
        rows.append({"setting": "enhancer", "value": named.describe() if named else "none"})
        return show.table(rows, title="sora_nb settings (change with %config SoraMagics.x)")

    # -- %sora connect and its local forms ---------------------------------------------------

    @command(
        "connect URL [--dialect NAME]",
        "use the Videos API at URL (asks for its key) and say what it is, serves and cannot do; "
        "--dialect: openai, vllm-omni, sglang, fastvideo or litellm. local: the bundled server's "
        "animatic; local:MODEL [--device D] [--dtype T] [--offload] [--vae-tiling] "
        "[--lora-dir DIR]: an open model on this machine",
    )
    def _cmd_connect(self, rest: str) -> Any:
        import shlex

        from sora_nb.api.dialects import dialect_named
        from sora_nb.notebook import display as show
        from sora_nb.notebook import kernel

        words = shlex.split(rest)
        if words and (words[0] == "local" or words[0].startswith("local:")):
            return self._connect_local(words)
        dialect = ""
        if "--dialect" in words:
            at = words.index("--dialect")
            if at + 1 >= len(words):
                raise UsageError(
                    "%sora connect URL --dialect NAME: NAME is one of openai, vllm-omni, "
                    "sglang, fastvideo, litellm."
                )
            dialect = dialect_named(words[at + 1]).name  # a wrong name fails here
            del words[at : at + 2]
        if len(words) != 1:
            raise UsageError(
                "%sora connect needs a server URL, like %sora connect http://localhost:4000/v1 "
                "(add --dialect vllm-omni to say how it speaks); use %sora connect local to go "
                "back to the bundled server, or %sora connect local:MODEL to render with an open "
                "model on this machine."
            )
        url = words[0]
        from sora_nb.api.config import normalize_base_url

        normalize_base_url(url)  # a bad URL fails here, before it is kept
        key = os.environ.get("SORA_NB_API_KEY") or os.environ.get("OPENAI_API_KEY")
        if not key and not reports.loopback(url):
            key = reports.ask_key(url)  # a server elsewhere wants one; one here may not
        before = self.server, self.dialect
        self.server = url
        self.dialect = dialect
        # The media folder, budget and concurrency set with %config come along.
        settings = self._session_settings() | {"dialect": dialect or None}
        try:
            reports.connect_checked(url, key, settings)
        except UsageError:
            self.server, self.dialect = before  # still on the server it used
            raise
        self._applied = self._session_settings()
        return show.text(_about(kernel.session(), "Connected to"))

    def _connect_local(self, words: list[str]) -> Any:
        """``local``: the animatic; ``local:MODEL [--device D] [--dtype T] [--offload]
        [--vae-tiling]``: that open model through diffusers, in this kernel."""
        from sora_nb.notebook import display as show
        from sora_nb.notebook import kernel

        target = words[0][len("local:") :] if words[0].startswith("local:") else ""
        if words[0] == "local" and len(words) > 1:
            raise UsageError("%sora connect local takes no options; they go with local:MODEL.")
        if words[0].startswith("local:") and not target:
            raise UsageError(
                "%sora connect local:MODEL needs a model: a diffusers pipeline folder or a "
                "Hugging Face id, like %sora connect local:Wan-AI/Wan2.1-T2V-1.3B-Diffusers."
            )
        chosen: dict[str, Any] = {"renderer": "animatic"}
        if target:
            chosen = {"renderer": "diffusers", "model": target, **_local_flags(words[1:])}
        self.server = ""
        self.dialect = ""  # the bundled server speaks OpenAI's dialect
        kernel.configure(**self._session_settings(), base_url=None, api_key=None, **chosen)
        self._applied = self._session_settings()
        if not target:
            return show.text(_about(kernel.session(), "Connected to"))
        from sora_nb.connection import local_options, local_renderer

        options = {k: v for k, v in chosen.items() if k != "renderer"}
        renderer = local_renderer(local_options(**options))
        session = kernel.session()
        info = session.server_info()
        model = session.local_model or ""
        usual = info.usual.get(model)
        clip = f", at {usual[0]} for {usual[1]} s unless told" if usual else ""
        taken = info.flags_taken()
        takes = f", and take {', '.join(taken)}" if taken else ""
        return show.text(
            f"Connected to the bundled server rendering {renderer.describe()}. Cells without "
            f"--model use {model}{clip}{takes}."
        )

    # -- %sora commands on the folder's takes: exports, characters, chains, the Studio -------

    @command(
        "export KIND [PATH]",
        "the last run as html, mp4, contact, csv or json; export PATH.zip: a replay bundle",
    )
    def _cmd_export(self, rest: str) -> Any:
        from sora_nb.notebook import display as show
        from sora_nb.notebook import kernel
        from sora_nb.research.export import export_run, kind_of
        from sora_nb.runs.bundle import export_bundle

        word, _, path = rest.strip().partition(" ")
        if not word:
            raise UsageError(
                "%sora export needs what to make: html, mp4, contact, csv or json (of the last "
                "grid, with an optional PATH), or a bundle PATH such as lesson.zip."
            )
        session = self._session()
        kind = kind_of(word)
        if kind is None:
            takes = [t for t in session.ledger.history(None) if t.ok]
            bundle = export_bundle(takes, rest.strip())
            return show.text(f"Exported {len(takes)} takes as a replay bundle: {bundle}.")
        run = kernel.last_run()
        if run is None:
            raise UsageError(
                f"%sora export {kind} exports the last grid or take of this kernel; run one first."
            )
        # The same function as run.export(kind) and sora_nb.export(run, kind).
        target = export_run(run, kind, path.strip() or None)
        return show.text(f"Exported the last run as {kind}: {target}.")

    @command(
        "character add NAME [CLIP.mp4] [--consent]",
        "make a character from a 2 to 4 s clip (16:9 or 9:16) and keep it in the media folder; "
        "without CLIP, make the folder's NAME on this server; --consent: the person filmed "
        "agreed (a face needs it)",
    )
    def _cmd_character(self, rest: str) -> Any:
        import shlex

        from sora_nb.notebook import display as show

        words = shlex.split(rest)
        consent = "--consent" in words
        words = [w for w in words if w != "--consent"]
        if len(words) not in (2, 3) or words[0] != "add":
            raise UsageError(
                "%sora character add NAME CLIP.mp4 makes a character from a clip (add "
                "--consent for a clip of a person who agreed); %sora characters lists them."
            )
        name, clip = words[1], (words[2] if len(words) == 3 else None)
        record = self._session().add_character(name, clip, consent=consent)
        return show.text(
            f"{record.name} is ready: write {record.name} in a prompt and add --character "
            f"{record.name} (clip {record.clip}; made on {', '.join(record.ids)})."
        )

    @command("characters", "the characters of this media folder: name, clip, id per server")
    def _cmd_characters(self, rest: str) -> Any:
        from sora_nb.notebook import display as show

        session = self._session()
        rows = [
            {
                "name": record.name,
                "clip": record.clip,
                "thumbnail": record.thumbnail,
                "ids": record.ids,
                "consent": record.consent,
            }
            for record in session.characters()
        ]
        if not rows:
            return show.text(
                "No characters yet: %sora character add NAME CLIP.mp4 makes one from a clip."
            )
        return show.table(rows, title=f"Characters in {session.media_dir}")

    @command(
        "chain TAKE [TAKE ...]",
        "a grid of the takes' chains, a row per step (the video, then each extension or "
        "edit), and the continuity at each join",
    )
    def _cmd_chain(self, rest: str) -> Any:
        import shlex

        from sora_nb.notebook import display as show
        from sora_nb.notebook import kernel
        from sora_nb.runs.chains import chain_grid
        from sora_nb.runs.take import Take

        session = self._session()
        takes = []
        for name in shlex.split(rest):
            found = self._take_named(name)
            if not isinstance(found, Take):
                found = session.ledger.get(found) or session.ledger.find_job(found)
            if found is None:
                raise UsageError(
                    f"%sora chain: no take {name!r} (a NAME kept with --as, or an id)."
                )
            takes.append(found)
        if not takes:
            raise UsageError("%sora chain TAKE [TAKE ...] shows the chains of one or more takes.")
        run = kernel.remember(chain_grid([t.chain() for t in takes], run_type=session.run_type))
        show.show_run(run, session)
        return show.continuity(run)

    @command(
        "enhancer [URL --model M]",
        "the prompt enhancer (an OpenAI-compatible chat endpoint) that --enhance and "
        "--vary prompt=mine,enhanced ask; its key from $SORA_NB_ENHANCER_KEY (or --key-env "
        "VAR); --price-in/--price-out X: dollars per million tokens. Alone: the one named",
    )
    def _cmd_enhancer(self, rest: str) -> Any:
        import os

        from sora_nb.notebook.functions import enhancer
        from sora_nb.notebook.options import ENHANCER_USAGE, parse_enhancer

        self._session()  # the magic's settings first: naming an enhancer keeps them
        if not rest:
            named = enhancer()
            return print(f"Prompt enhancer: {named.describe()}." if named else ENHANCER_USAGE)
        line = parse_enhancer(rest)
        named = enhancer(
            line.url,
            model=line.model,
            api_key=os.environ.get(line.key_env) or None,
            price_in=line.price_in,
            price_out=line.price_out,
        )
        assert named is not None
        return print(f"Prompt enhancer: {named.describe()} (asked only with --enhance).")

    @command("studio [PROMPT]", "the prompt studio, with this kernel's defaults")
    def _cmd_studio(self, rest: str) -> Any:
        from sora_nb.notebook.widgets import Studio

        return Studio(rest or None, session=self._session())


def _about(session: Any, lead: str = "") -> str:
    """The server in a few lines; a server that cannot say what it is is said plainly."""
    from sora_nb.api.errors import SoraError

    try:
        text: str = session.describe_server()
    except SoraError as exc:
        return (
            f"Server: {session.server}. It did not say what it is ({exc}). Name its dialect "
            "with %sora connect URL --dialect NAME."
        )
    return f"{lead} {text[0].lower()}{text[1:]}" if lead else text


def _local_flags(words: list[str]) -> dict[str, Any]:
    """The options after ``%sora connect local:MODEL``."""
    flags: dict[str, Any] = {}
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word in ("--offload", "--vae-tiling"):
            flags[word[2:].replace("-", "_")] = True
        elif word in ("--device", "--dtype", "--lora-dir") and rest:
            flags[word[2:].replace("-", "_")] = rest.pop(0)
        else:
            raise UsageError(
                f"%sora connect local:MODEL: unknown option {word!r}; it takes --device cuda|cpu, "
                "--dtype bfloat16|float16|float32, --offload, --vae-tiling and --lora-dir DIR."
            )
    return flags


# IPython's ? asks an object for getdoc() before its docstring: %%sora? shows usage(), built
# when asked (building it imports the parser, which %load_ext must not pay for).
SoraMagics.sora.getdoc = usage  # type: ignore[union-attr]
