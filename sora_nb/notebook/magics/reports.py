"""What ``%sora history``, ``cost`` and ``config`` show, and how ``%sora connect`` checks a
server before the kernel uses it: the parts of those commands that need no magic traits."""

from __future__ import annotations

import getpass
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from IPython.core.error import UsageError

from sora_nb.api import errors
from sora_nb.notebook import display as show
from sora_nb.notebook import kernel


def history_table(session: Any, n: int) -> Any:
    """The newest ``n`` takes as a person reads them, captioned with what the table shows."""
    from sora_nb.research.results import history_records, history_view

    rows = history_view(history_records(session.ledger, n))
    if not rows:
        return show.text("No takes yet in this media folder.")
    # The caption says what the table shows: fewer rows than asked are all there are.
    if len(rows) < n:
        title = "The only take" if len(rows) == 1 else f"All {len(rows)} takes"
        title += " in this media folder"
    else:
        title = "The last take" if n == 1 else f"The last {n} takes"
    return show.table(rows, title=title)


def cost_text(session: Any, started: float) -> Any:
    """What this kernel and the media folder were charged, and apart from that what the free
    takes would have cost on hosted models and the GPU seconds one's own GPUs took."""
    kernel_part = session.ledger.spending(since=started).text("since this kernel started")
    folder = session.ledger.spending().text(f"in {session.media_dir}, in all")
    return show.text(f"{kernel_part}. {folder}.")


def effective(session: Any) -> list[dict[str, Any]]:
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
        row = {"setting": name, "value": value, "from": source}
        if name == "model" and info.renderer == "animatic":
            row["note"] = (
                f"drawn by the bundled server's offline animatic, following {value}'s rules"
            )
        elif name == "model" and info.renderer is not None:
            row["note"] = "rendered on this machine by the bundled server"
        rows.append(row)
    return rows


def server_name(session: Any) -> str:
    """The server as a user knows it: the bundled server by what it draws, else its URL."""
    from sora_nb.runs.fitting import server_title

    info = session.server_info(strict=False)
    return server_title(info) if info.renderer is not None else str(session.server)


def loopback(url: str) -> bool:
    """True when ``url`` names this machine (a server there needs no key unless it says so)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ask_key(url: str, why: str = "") -> str:
    """The API key for ``url``, typed by the user (not echoed, kept in memory only)."""
    return getpass.getpass(f"API key for {url}{why} (not echoed, kept in memory only): ")


def connect_checked(url: str, key: str | None, settings: dict[str, Any]) -> None:
    """Point the kernel at ``url`` with ``settings``, asking the server what it is first
    (once, without retries). Nothing answering, or a refused key, puts the kernel back on the
    server it used and raises a UsageError saying so; a 401 without a key asks for one."""
    saved = kernel.snapshot()
    try:
        try:
            kernel.configure(**settings, api_key=key or None)
            kernel.session().check_server()
        except errors.AuthenticationError:
            if key:
                raise
            kernel.configure(api_key=ask_key(url, why=" (it answered 401: it needs one)"))
            kernel.session().check_server()
    except errors.APIConnectionError as exc:
        kernel.restore(saved)
        raise UsageError(
            f"Nothing answered at {url} ({exc}). Start the server there and connect again, "
            "or go back to the bundled server with %sora connect local."
        ) from None
    except errors.AuthenticationError as exc:
        kernel.restore(saved)
        raise UsageError(
            f"The server at {url} refused the API key ({exc}). Set SORA_NB_API_KEY to its "
            "key and connect again, or go back to the bundled server with %sora connect local."
        ) from None
    except errors.SoraError:
        pass  # it answered, but not what it is: %sora connect's lines say so
