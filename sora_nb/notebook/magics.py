"""``%%sora`` and ``%sora``: the notebook's voice for sora_nb.

``%load_ext sora_nb`` registers :class:`SoraMagics`; its traits are the defaults a user sets
with ``%config SoraMagics.model = "sora-2-pro"``. User mistakes come back as one-line
UsageErrors, never a wall of traceback.
"""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from traitlets import Bool, Float, Int, Unicode

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.notebook.options import SoraOptions

# The rest of sora_nb (pydantic, httpx, the runner, the widgets) is imported when a cell first
# needs it, inside the methods: %load_ext must stay fast.

#: Errors that mean "the user asked for something that cannot be done": shown in one line.
_USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, KeyError, RuntimeError, OSError)


@magics_class
class SoraMagics(Magics):
    """Write a shot in a cell, generate takes, watch and compare them."""

    model = Unicode(
        "",
        help="Model for %%sora cells without --model; empty: the server's default (sora-2, or "
        "the local model after %sora connect local:MODEL).",
    ).tag(config=True)
    size = Unicode("1280x720", help="Video size (width x height) without --size.").tag(config=True)
    seconds = Int(4, help="Clip length in seconds without --seconds.").tag(config=True)
    takes = Int(1, help="Takes per request without --takes.").tag(config=True)
    media_dir = Unicode(
        "", help="Folder for the ledger and files; empty means $SORA_NB_HOME or ./sora_media."
    ).tag(config=True)
    server = Unicode(
        "", help="Videos API base URL; empty means $SORA_NB_BASE_URL, then the bundled server."
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
        return settings

    def _session(self) -> Any:
        from sora_nb.notebook import api

        wanted = self._session_settings()
        if wanted != self._applied:
            api.configure(**wanted)
            self._applied = wanted
        return api.session()

    # -- %%sora and %sora -------------------------------------------------------------------

    @line_cell_magic
    def sora(self, line: str, cell: str | None = None) -> Any:
        """Generate video from the cell's prompt; ``%sora COMMAND`` manages sora_nb.

        Cell options: --model M, --size WxH or --landscape/--portrait, --seconds N,
        --image PATH [--fit], --takes N, --as NAME, --budget DOLLARS, --dry-run, --no-wait,
        --no-cache, --remix TAKE_OR_ID, --server URL (switches this kernel's server, like
        %sora connect), --vary AXIS=v1,v2,... (up to three:
        columns, rows, pages; AXIS is model, size, seconds, length, a clause such as camera or
        lighting, or sr="text to replace,replacement,...").

        Commands: models, status, history [-n N], resume, cost, studio, config,
        connect URL (or local, or local:MODEL [--device D] [--dtype T] [--offload]
        [--vae-tiling] for an open model on this machine), export PATH
        """
        from sora_nb.notebook.options import parse_options

        with _user_errors():
            if cell is None:
                return self._command(line)
            return self._cell(parse_options(line), cell)

    def _cell(self, options: SoraOptions, cell: str) -> Any:
        from sora_nb.notebook import api
        from sora_nb.notebook import display as show
        from sora_nb.prompt import interpolate
        from sora_nb.runs.take import Take

        text = interpolate(cell, self.shell.user_ns if self.shell else {}).strip()
        if not text:
            raise UsageError("%%sora: the cell is empty; write the shot to generate below %%sora.")
        if options.server:
            from sora_nb.api.config import normalize_base_url

            normalize_base_url(options.server)  # a bad URL fails here, before it is kept
            self.server = options.server
        session = self._session()
        remix = options.remix
        if remix and self.shell is not None:
            # --remix take1 names a Take bound earlier with --as take1; else it is a job id.
            bound = self.shell.user_ns.get(remix)
            if isinstance(bound, Take):
                remix = api.remix_id(bound)
        plan = session.plan(
            text,
            axes=[api.Axis.parse(axis.name, axis.values) for axis in options.vary],
            model=options.model or self.model or session.default_model,
            size=options.size or self.size,
            seconds=options.seconds or self.seconds,
            takes=options.takes or self.takes,
            image=options.image,
            fit=options.fit,
            remix_of=remix,
        )
        if options.dry_run:
            show.show_plan(plan, session, dry_run=True)
            self._bind(options, plan)  # shown above already; --as keeps it
            return None
        show.show_plan(plan, session, dry_run=False)
        wait = self.wait if options.wait is None else options.wait
        run = session.run_plan(plan, cache=options.cache, budget=options.budget, wait=False)
        api.remember(run)
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

    def _bind(self, options: SoraOptions, value: Any) -> Any:
        if options.bind and self.shell is not None:
            self.shell.user_ns[options.bind] = value
        return value

    def _command(self, line: str) -> Any:
        name, _, rest = line.strip().partition(" ")
        rest = rest.strip()
        handler = getattr(self, f"_cmd_{name}", None)
        if not name or handler is None:
            raise UsageError(
                f"%sora {name}: unknown command. Try: models, status, history, resume, cost, "
                "studio, config, connect URL, export PATH."
            )
        return handler(rest)

    def _cmd_models(self, rest: str) -> Any:
        from sora_nb.notebook import api
        from sora_nb.notebook import display as show

        return show.table(api.models(), title="Models (prices in USD per second)")

    def _cmd_history(self, rest: str) -> Any:
        from sora_nb.notebook import display as show
        from sora_nb.research.results import history_results

        n = 20
        if rest:
            flag, _, value = rest.partition(" ")
            if flag != "-n" or not value.strip().isdigit() or int(value) < 1:
                raise UsageError("%sora history takes -n N (1 or more), like %sora history -n 5.")
            n = int(value)
        rows = history_results(self._session().ledger, n, as_frame=False)
        return show.table(rows, title=f"The last {n} takes")

    def _cmd_status(self, rest: str) -> Any:
        from sora_nb.notebook import display as show
        from sora_nb.research.results import take_record

        running = self._session().ledger.unfinished()
        if not running:
            return show.text("No takes are running.")
        return show.table([take_record(t) for t in running], title="Running takes")

    def _cmd_resume(self, rest: str) -> Any:
        from sora_nb.notebook import display as show
        from sora_nb.research.results import take_record

        session = self._session()
        if not session.ledger.unfinished():
            return show.text("Nothing to resume: every take in this media folder is final.")
        takes = session.resume()
        return show.table([take_record(t) for t in takes], title="Resumed takes")

    def _cmd_cost(self, rest: str) -> Any:
        from sora_nb.notebook import display as show

        session = self._session()
        kernel = session.ledger.spent(since=self.started)
        folder = session.ledger.spent()
        return show.text(
            f"Spent since this kernel started: ${kernel:.2f}; "
            f"in {session.media_dir}: ${folder:.2f} in all."
        )

    def _cmd_config(self, rest: str) -> Any:
        from sora_nb.notebook import display as show

        session = self._session()
        rows = [
            {"setting": name, "value": getattr(self, name)}
            for name in ("model", "size", "seconds", "takes", "budget", "concurrency", "wait")
        ]
        rows[0]["value"] = self.model or f"{session.default_model} (the server's default)"
        rows.append({"setting": "media_dir", "value": str(session.media_dir)})
        rows.append({"setting": "server", "value": session.server})
        return show.table(rows, title="sora_nb settings (change with %config SoraMagics.x)")

    def _cmd_connect(self, rest: str) -> Any:
        from sora_nb.notebook import api
        from sora_nb.notebook import display as show

        url = rest.strip()
        if not url:
            raise UsageError(
                "%sora connect needs a server URL, like %sora connect http://localhost:4000/v1; "
                "use %sora connect local to go back to the bundled server, or "
                "%sora connect local:MODEL to render with an open model on this machine."
            )
        if url == "local" or url.startswith("local:"):
            return self._connect_local(url)
        key = os.environ.get("SORA_NB_API_KEY") or os.environ.get("OPENAI_API_KEY")
        if not key:
            key = getpass.getpass(f"API key for {url} (not echoed, kept in memory only): ")
        from sora_nb.api.config import normalize_base_url

        normalize_base_url(url)  # a bad URL fails here, before it is kept
        self.server = url
        # The media folder, budget and concurrency set with %config come along.
        api.configure(**self._session_settings(), api_key=key or None)
        self._applied = self._session_settings()
        return show.text(f"Connected to {api.session().server}.")

    def _connect_local(self, line: str) -> Any:
        """``local``: the animatic; ``local:MODEL [--device D] [--dtype T] [--offload]
        [--vae-tiling]``: that open model through diffusers, in this kernel."""
        from sora_nb.notebook import api
        from sora_nb.notebook import display as show

        words = line.split()
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
        api.configure(**self._session_settings(), base_url=None, api_key=None, **chosen)
        self._applied = self._session_settings()
        if not target:
            return show.text("Connected to the bundled server (offline animatic).")
        from sora_nb.connection import local_renderer
        from sora_nb.server.renderers.diffusers import DiffusersOptions

        options = {k: v for k, v in chosen.items() if k != "renderer"}
        renderer = local_renderer(DiffusersOptions(**options))
        return show.text(
            f"Connected to the bundled server rendering {renderer.describe()}. Cells without "
            f"--model use {api.session().default_model}."
        )

    def _cmd_export(self, rest: str) -> Any:
        """``%sora export KIND [PATH]``: the last grid as html, mp4, contact, csv or json;
        ``%sora export PATH`` (a folder or .zip): a replay bundle of the whole media folder."""
        from sora_nb.notebook import api
        from sora_nb.notebook import display as show
        from sora_nb.research.export import export, kind_of
        from sora_nb.research.judgements import Votes
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
        run = api.last_run()
        if run is None:
            raise UsageError(
                f"%sora export {kind} exports the last grid or take of this kernel; run one first."
            )
        with Votes(session.ledger) as votes:
            recorded = votes.all(run.takes)
        target = export(run, kind, path.strip() or None, ledger=session.ledger, votes=recorded)
        return show.text(f"Exported the last run as {kind}: {target}.")

    def _cmd_studio(self, rest: str) -> Any:
        """``%sora studio [PROMPT]``: the prompt studio, with this kernel's defaults."""
        from sora_nb.notebook.widgets import Studio

        session = self._session()
        return Studio(
            rest or None,
            session=session,
            model=self.model or session.default_model,
            size=self.size,
            seconds=self.seconds,
            takes=self.takes,
        )


def _local_flags(words: list[str]) -> dict[str, Any]:
    """The options after ``%sora connect local:MODEL``."""
    flags: dict[str, Any] = {}
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word in ("--offload", "--vae-tiling"):
            flags[word[2:].replace("-", "_")] = True
        elif word in ("--device", "--dtype") and rest:
            flags[word[2:]] = rest.pop(0)
        else:
            raise UsageError(
                f"%sora connect local:MODEL: unknown option {word!r}; it takes --device cuda|cpu, "
                "--dtype bfloat16|float16|float32, --offload and --vae-tiling."
            )
    return flags


def register_formatters(ipython: Any) -> None:
    """Show a Take as a Player and a GridRun as a Grid wherever IPython displays them.

    Registered by name, so nothing more of sora_nb is imported until such a result is shown.
    """
    formatter = ipython.display_formatter.mimebundle_formatter
    formatter.for_type_by_name("sora_nb.runs.take", "Take", _as_widget)
    formatter.for_type_by_name("sora_nb.runs.grid", "GridRun", _as_widget)


def _as_widget(result: Any, include: Any = None, exclude: Any = None) -> Any:
    from sora_nb.notebook import api
    from sora_nb.notebook.display import widget_for

    return widget_for(result, api.session())._repr_mimebundle_(include=include, exclude=exclude)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn a user's mistake into one UsageError line; real bugs keep their traceback."""
    from pydantic import ValidationError

    from sora_nb.api.errors import SoraError
    from sora_nb.catalog import CatalogError
    from sora_nb.notebook.options import OptionsError

    try:
        yield
    except UsageError:
        raise
    except OptionsError as exc:
        raise UsageError(str(exc)) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the request"
        raise UsageError(f"%%sora: {where}: {first['msg']}.") from None
    except (SoraError, CatalogError) as exc:
        raise UsageError(f"%%sora: {exc}") from None
    except _USER_ERRORS as exc:
        if type(exc).__module__.startswith("sora_nb"):
            raise UsageError(f"%%sora: {exc}") from None
        raise
