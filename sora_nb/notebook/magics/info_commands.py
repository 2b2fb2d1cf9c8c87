"""``%sora`` commands that say what the kernel and its media folder hold: ``models``,
``history``, ``status``, ``resume``, ``cost`` and ``config``; and the few lines that say what
a server is (``%sora connect`` says them too)."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError

from sora_nb.notebook.magics.base import SoraMagicsBase
from sora_nb.notebook.magics.registry import command


class InfoCommands(SoraMagicsBase):
    """The catalog, the ledger's takes, the server, the money spent and the settings in force."""

    @command("models", "the model catalog: sizes, durations, prices per second")
    def _cmd_models(self, rest: str) -> Any:
        from sora_nb.notebook import api
        from sora_nb.notebook import display as show

        return show.table(api.models(), title="Models (prices in USD per second)")

    @command("history [-n N]", "the newest N takes in this media folder (20 unless told)")
    def _cmd_history(self, rest: str) -> Any:
        from sora_nb.notebook import display as show
        from sora_nb.research.results import history_records, history_view

        n = 20
        if rest:
            flag, _, value = rest.partition(" ")
            if flag != "-n" or not value.strip().isdigit() or int(value) < 1:
                raise UsageError("%sora history takes -n N (1 or more), like %sora history -n 5.")
            n = int(value)
        rows = history_view(history_records(self._session().ledger, n))
        if not rows:
            return show.text("No takes yet in this media folder.")
        # The caption says what the table shows: fewer rows than asked are all there are.
        if len(rows) < n:
            title = "The only take" if len(rows) == 1 else f"All {len(rows)} takes"
            title += " in this media folder"
        else:
            title = "The last take" if n == 1 else f"The last {n} takes"
        return show.table(rows, title=title)

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
        from sora_nb.notebook import display as show

        session = self._session()
        kernel = session.ledger.spending(since=self.started)
        folder = session.ledger.spending()
        return show.text(
            f"{kernel.text('since this kernel started')}. "
            f"{folder.text(f'in {session.media_dir}, in all')}."
        )

    @command("config", "the defaults and settings in force")
    def _cmd_config(self, rest: str) -> Any:
        from sora_nb.notebook import display as show

        session = self._session()
        rows = _effective(session)
        rows.extend(
            {"setting": name, "value": getattr(self, name)}
            for name in ("budget", "concurrency", "wait", "dialect")
        )
        rows.append({"setting": "media_dir", "value": str(session.media_dir)})
        rows.append({"setting": "server", "value": _server_name(session)})
        return show.table(rows, title="sora_nb settings (change with %config SoraMagics.x)")


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


def _effective(session: Any) -> list[dict[str, Any]]:
    """The model, size, seconds and takes a cell gets now, and where each comes from: set
    (with %config or configure) or the server's; the model says what really draws it."""
    chosen = session.fit()
    info = session.server_info(strict=False)
    rows = []
    for name, value in chosen.model_dump().items():
        given = getattr(session.defaults, name) is not None and name != "takes"
        source = "set" if given else "the server's usual"
        if name == "takes":
            source = "set" if value != 1 else "one take unless told"
        shown = str(value)
        if name == "model" and info.renderer == "animatic":
            shown += f" (drawn by the bundled server's offline animatic, following {value}'s rules)"
        elif name == "model" and info.renderer is not None:
            shown += " (rendered on this machine by the bundled server)"
        rows.append({"setting": name, "value": shown, "from": source})
    return rows


def _server_name(session: Any) -> str:
    from sora_nb.runs.fitting import server_title

    info = session.server_info(strict=False)
    return server_title(info) if info.renderer is not None else str(session.server)
