"""Secrets: a sentinel key used for a whole notebook session appears in no file, log or output.

A real kernel (through nbclient, as Jupyter runs a notebook) connects with a sentinel key to
a bundled server that requires it, makes a take and a grid (widgets), exports a bundle, an HTML
report and CSV/JSON results, lists its history and settings, and walks every error path: a
refused model, an unknown remix source, a budget breach, a flaky server, a wrong key, a hostile
server that echoes the key back, an unreachable server, and a direct client call that raises.
The notebook is saved with its widget state; then every file produced (the ledger, the bundle
and each of its members, the report and its files, the bundled servers' folders), the kernel's DEBUG
log, the test process's logs and the processes' stdout and stderr are searched for the key.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import socket
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import quote

import nbformat
import pytest
from nbclient import NotebookClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sora_nb.server import FaultSettings, ServerSettings, create_app
from tests.server.conftest import serve

SENTINEL = "sk-sentinel-" + secrets.token_hex(20)
PROMPT = "A red kite over the dunes, wide shot, late afternoon."


def forms(key: str) -> list[bytes]:
    """The key as it could appear in a file: plain, URL-quoted, or inside base64 at any offset."""
    raw = key.encode()
    found = [raw, quote(key).encode()]
    for shift in range(3):
        # The base64 of the key's bytes starting at this offset, minus the partial edges.
        encoded = base64.b64encode(b"\0" * shift + raw)
        found.append(encoded[4 : len(encoded) - 4])
    return found


def leaks(data: bytes, key: str = SENTINEL) -> bool:
    return any(form in data for form in forms(key))


def echo_app() -> Starlette:
    """A hostile server: refuses every request and echoes its headers, key included."""

    async def echo(request: Request) -> JSONResponse:
        headers = dict(request.headers)
        message = f"bad request; you sent {headers}"
        return JSONResponse({"error": {"message": message, "type": "invalid_request_error"}}, 400)

    return Starlette(routes=[Route("/v1/{path:path}", echo, methods=["GET", "POST"])])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class CaptureAll(logging.Handler):
    """Every log record of the test process (the servers' side), formatted with its args."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured_logs() -> Iterator[CaptureAll]:
    handler = CaptureAll()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def notebook(urls: dict[str, str], work: Path) -> Any:
    media, log, bundle = work / "media", work / "kernel.log", work / "lesson.zip"
    cells = [
        "import logging\n"
        f"logging.basicConfig(filename={str(log)!r}, level=logging.DEBUG, force=True,\n"
        "                    format='%(asctime)s %(name)s %(levelname)s %(message)s')",
        f"%load_ext sora_nb\n%config SoraMagics.media_dir = {str(media)!r}",
        # The key comes from SORA_NB_API_KEY, as a user would set it: never typed in a cell.
        f"%sora connect {urls['good']}",
        f"%%sora --as kite\n{PROMPT}",
        f"%%sora --vary length=short,long --as grid1\n{PROMPT} Gulls wheel overhead.",
        "import sora_nb\nfrom sora_nb.notebook import functions\n"
        "print(repr(functions.session()), repr(functions.session().runner.client), kite, grid1)\n"
        "print(functions.history(), functions.session().__dict__)",
        # The research exports: an HTML report with its files, and the results as CSV and JSON.
        "from sora_nb.research.report import write_report\n"
        "from sora_nb.research.results import history_results, write_csv, write_json\n"
        f"write_report(grid1, {str(work / 'report.html')!r}, ledger=functions.session().ledger)\n"
        "rows = history_results(functions.session().ledger, None)\n"
        f"write_csv(rows, {str(work / 'results.csv')!r})\n"
        f"write_json(rows, {str(work / 'results.json')!r})",
        "%sora config",
        "%sora history",
        "%sora cost",
        f"%sora export {bundle}",
        f"%%sora --model sora-9 --as refused_model\n{PROMPT}",
        f"%%sora --remix video_0123456789abcdef0123456789abcdef --as lost\n{PROMPT}",
        f"%%sora --budget 0.01 --no-cache\n{PROMPT}",
        f"sora_nb.generate({PROMPT!r}, budget=0.01, cache=False)",
        f"%sora connect {urls['flaky']}",
        f"%%sora --as flaky\n{PROMPT} Rain begins.",
        f"%sora connect {urls['wrong']}",
        f"%%sora --as refused_key\n{PROMPT} Night falls.",
        f"%sora connect {urls['echo']}",
        f"%%sora --as echoed\n{PROMPT} Fog rolls in.",
        "import os\nfrom sora_nb.api.sync import SyncVideosClient\n"
        f"SyncVideosClient({urls['echo']!r}, os.environ['SORA_NB_API_KEY']).list_page()",
        f"SyncVideosClient({urls['wrong']!r}, os.environ['SORA_NB_API_KEY']).retrieve('v')",
        f"%sora connect {urls['closed']}",
        f"%%sora --as unreachable\n{PROMPT} The kite falls.",
        "print([(t.id, t.status, t.error) for t in functions.session().ledger.history(None)])",
    ]
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]  # type: ignore[no-untyped-call]
    return nb


def test_the_key_appears_nowhere(
    tmp_path: Path, captured_logs: CaptureAll, capfd: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    servers = tmp_path / "servers"
    fast = dict(time_scale=0, api_key=SENTINEL)
    with ExitStack() as stack:
        urls = {
            # Imitating OpenAI's paid API, so the budget has dollars to refuse.
            "good": stack.enter_context(
                serve(
                    create_app(ServerSettings(media_dir=servers / "good", dialect="openai", **fast))
                )
            ),
            "flaky": stack.enter_context(
                serve(
                    create_app(
                        ServerSettings(
                            media_dir=servers / "flaky",
                            faults=FaultSettings(rate_429=0.2, rate_500=0.2, retry_after=0.1),
                            **fast,
                        )
                    )
                )
            ),
            "wrong": stack.enter_context(
                serve(
                    create_app(
                        ServerSettings(media_dir=servers / "wrong", time_scale=0, api_key="k2")
                    )
                )
            ),
            "echo": stack.enter_context(serve(echo_app())),
            "closed": f"http://127.0.0.1:{closed_port()}/v1",
        }
        nb = notebook(urls, work)
        env = {k: v for k, v in os.environ.items() if not k.endswith(("_BASE_URL", "_API_KEY"))}
        env.update(SORA_NB_API_KEY=SENTINEL, IPYTHONDIR=str(tmp_path / "ipython"))
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=180,
            allow_errors=True,
            store_widget_state=True,
            resources={"metadata": {"path": str(work)}},
        )
        client.execute(env=env)  # passed to the kernel manager's start_kernel
        nbformat.write(nb, work / "session.ipynb")  # type: ignore[no-untyped-call]

    outputs = [json.dumps(cell.get("outputs", [])) for cell in nb.cells]
    text = "\n".join(outputs)
    # The session really used the key and really went down every path.
    assert "completed" in text and "Exported" in text
    for expected in (
        "sora-9",  # the server refused the model
        "video_0123456789abcdef0123456789abcdef",  # unknown remix source
        "Not sent: 1 take",  # budget, magic and Python
        "BudgetExceededError",
        "Incorrect API key provided",  # the wrong-key server
        "Could not reach",  # the closed port
        "BadRequestError",  # the echoing server
        "AuthenticationError",
    ):
        assert expected in text, expected
    assert "widgets" in nb.metadata and nb.metadata.widgets  # widget state was saved

    searched: list[str] = []

    def check(name: str, data: bytes) -> None:
        searched.append(name)
        assert not leaks(data), f"the key leaked into {name}"

    for path in sorted(p for p in tmp_path.rglob("*") if p.is_file()):
        data = path.read_bytes()
        check(str(path.relative_to(tmp_path)), data)
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as bundle:
                for member in bundle.namelist():
                    check(f"{path.name}!{member}", bundle.read(member))
    check("test process logs", "\n".join(captured_logs.lines).encode())
    out, err = capfd.readouterr()
    check("stdout and stderr of the test and its kernel", (out + err).encode())
    assert any(name.endswith("session.ipynb") for name in searched)
    assert any(name.endswith("kernel.log") for name in searched)
    assert any("ledger.sqlite3" in name for name in searched)
    assert any(name.startswith("lesson.zip!") for name in searched)
    for export in ("report.html", "results.csv", "results.json"):
        assert any(name.endswith(export) for name in searched), export
    assert any("report_files/" in name for name in searched)
    kernel_log = (work / "kernel.log").read_text()
    assert "httpx" in kernel_log and "DEBUG" in kernel_log  # the log really was at DEBUG
    print(f"\nsecrets: searched {len(searched)} places for the key; found it in none")


def test_the_search_finds_the_key_in_every_form_it_could_take() -> None:
    plain = f'{{"auth": "Bearer {SENTINEL}"}}'.encode()
    assert leaks(plain) and leaks(quote(plain.decode()).encode())
    for pad in range(3):  # inside a base64 buffer, whatever the key's offset
        assert leaks(b"x" + base64.b64encode(b"p" * pad + plain) + b"y")
    assert not leaks(plain.replace(SENTINEL.encode(), b"[redacted]"))
