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
        from sora_nb.notebook import display as show
        from sora_nb.notebook import functions

        return show.table(functions.models(), title="Models (prices in USD per second)")

    @command("history [-n N]", "the newest N takes in this media folder (20 unless told)")
    def _cmd_history(self, rest: str) -> Any:
        from sora_nb.notebook import display as show
        from sora_nb.research.results import history_records

        n = 20
        if rest:
            flag, _, value = rest.partition(" ")
            if flag != "-n" or not value.strip().isdigit() or int(value) < 1:
                raise UsageError("%sora history takes -n N (1 or more), like %sora history -n 5.")
            n = int(value)
        rows = history_records(self._session().ledger, n)
        return show.table(rows, title=f"The last {n} takes")

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

    @command("cost", "what this kernel and this media folder have spent")
    def _cmd_cost(self, rest: str) -> Any:
        from sora_nb.notebook import display as show

        session = self._session()
        kernel = session.ledger.spent(since=self.started)
        folder = session.ledger.spent()
        return show.text(
            f"Spent since this kernel started: ${kernel:.2f}; "
            f"in {session.media_dir}: ${folder:.2f} in all."
        )

    @command("config", "the defaults and settings in force")
    def _cmd_config(self, rest: str) -> Any:
        from sora_nb.notebook import display as show

        session = self._session()
        rows = [
            {"setting": name, "value": value}
            for name, value in session.defaults.model_dump().items()
        ]
        rows.extend(
            {"setting": name, "value": getattr(self, name)}
            for name in ("budget", "concurrency", "wait", "dialect")
        )
        rows.append({"setting": "media_dir", "value": str(session.media_dir)})
        rows.append({"setting": "server", "value": session.server})
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
