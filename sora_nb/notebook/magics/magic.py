"""SoraMagics: the ``%%sora`` cell (plan, price, run, wait) and the dispatch of ``%sora COMMAND``
to the commands its mixins define; ``%%sora?`` shows the help built in :mod:`.help_text`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import line_cell_magic, magics_class

from sora_nb.notebook.magics.help_text import usage
from sora_nb.notebook.magics.registry import COMMANDS
from sora_nb.notebook.magics.user_errors import _user_errors

# isort: off
# %%sora? and the unknown-command message list the commands in the order their classes fill the
# table as they are defined: the order of these imports (information, connect, the folder's work).
from sora_nb.notebook.magics.info_commands import InfoCommands
from sora_nb.notebook.magics.connect_commands import ConnectCommands
from sora_nb.notebook.magics.media_commands import MediaCommands

# isort: on

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.notebook.options import SoraOptions


@magics_class
class SoraMagics(InfoCommands, ConnectCommands, MediaCommands):
    """Write a shot in a cell, generate takes, watch and compare them."""

    # -- %%sora and %sora -------------------------------------------------------------------

    @line_cell_magic
    def sora(self, line: str, cell: str | None = None) -> Any:
        """Generate video from the cell's prompt; ``%sora COMMAND`` manages sora_nb.

        ``%%sora?`` lists every option and command (built from the option parser);
        on engines that take them, --seed, --negative, --steps, --guidance, --fps, --frames.
        %sora connect local:MODEL [--device D] [--dtype T] [--offload] [--vae-tiling]
        renders with an open model on this machine.
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
            options=options.options,
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


# IPython's ? asks an object for getdoc() before its docstring: %%sora? shows usage(), built
# when asked (building it imports the parser, which %load_ext must not pay for).
SoraMagics.sora.getdoc = usage  # type: ignore[union-attr]
