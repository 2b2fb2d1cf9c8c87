"""A Jupyter server (JupyterLab and Notebook 7 in one) for browser tests, and what those tests
do in its pages: open a notebook, run one cell without waiting on the run, ask the kernel a
question, measure the page's JavaScript heap. Every wait is bounded and names what it waited
for; a failing test leaves a screenshot, the console and the server's log in tests/artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import playwright.sync_api

#: Where failing browser tests leave what they saw (git-ignored).
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
#: Lab's first-run notices (news, update checks) stay quiet so nothing covers the page.
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


@dataclass
class JupyterServer:
    """A running server: its base URL and its log file."""

    base: str
    log: Path

    def lab(self, notebook: str, workspace: str) -> str:
        """JupyterLab on ``notebook`` in a fresh workspace (no restored tabs)."""
        return f"{self.base}/lab/workspaces/{workspace}/tree/{notebook}?reset"

    def notebook7(self, notebook: str) -> str:
        """Notebook 7's page for ``notebook``."""
        return f"{self.base}/notebooks/{notebook}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def jupyter_server(tmp: Path, root: Path, env: dict[str, str]) -> Iterator[JupyterServer]:
    """JupyterLab's server on loopback (Notebook 7's pages too), rooted at ``root``, with the
    server extensions this environment enabled (sora_nb's among them)."""
    settings = tmp / "settings"
    for name, values in QUIET_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    port = _free_port()
    full_env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        **env,
    }
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        full_env.pop(name, None)
    args = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    log_path = tmp / "jupyter.log"
    log = log_path.open("wb")
    server = subprocess.Popen(
        args, cwd=root, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError("jupyter lab exited early:\n" + log_path.read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{base}/api/status", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise RuntimeError("jupyter lab did not answer /api/status in 60 s") from None
                time.sleep(0.2)
        yield JupyterServer(base, log_path)
    finally:
        # The server and the kernels it started share its session: end them together.
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
        except ProcessLookupError:
            pass
        log.close()


@contextmanager
def artifacts_on_failure(
    page: playwright.sync_api.Page, server: JupyterServer, name: str
) -> Iterator[None]:
    """On failure, save the page's screenshot, its console and the server's log under
    ``tests/artifacts/<name>/`` (and say where in the error)."""
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
    page.on("pageerror", lambda exc: console.append(f"[pageerror] {exc}"))
    try:
        yield
    except BaseException:
        folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", name)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(folder / "screenshot.png"), full_page=True, timeout=10_000)
        except playwright.sync_api.Error as exc:
            console.append(f"[artifacts] no screenshot: {exc}")
        (folder / "console.log").write_text("\n".join(console))
        shutil.copyfile(server.log, folder / "server.log")
        print(f"browser test artifacts in {folder}", file=sys.stderr)
        raise


#: The notebook panel in view, in JupyterLab and in Notebook 7 alike.
PANEL = "window.jupyterapp.shell.currentWidget"


def open_notebook(page: playwright.sync_api.Page, url: str, cells: int) -> None:
    """Open ``url`` and wait (bounded) for its ``cells`` cells and an idle kernel."""
    page.goto(url, timeout=60_000)
    page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
    page.wait_for_function(
        f"{PANEL}?.content?.widgets?.length === {cells}",
        timeout=60_000,
    )
    # "run" must not race the kernel's start (see shared/TESTING.md).
    page.wait_for_function(
        f"{PANEL}.sessionContext?.session?.kernel?.status === 'idle'", timeout=60_000
    )


def run_cell(page: playwright.sync_api.Page, index: int) -> None:
    """Run cell ``index`` without awaiting the run (its outputs are waited for one by one);
    ``window.__soraRunAt`` records when, on the page's clock."""
    page.evaluate(
        f"""() => {{
          const nb = {PANEL}.content;
          nb.deselectAll();
          nb.activeCellIndex = {index};
          window.__soraRunAt = performance.now();
          window.jupyterapp.commands.execute('notebook:run-cell');
        }}"""
    )


def wait_idle(page: playwright.sync_api.Page, what: str, timeout_ms: int = 60_000) -> None:
    """Wait (bounded) for the kernel to finish what it was asked (``what`` names it)."""
    try:
        page.wait_for_function(
            f"{PANEL}.sessionContext.session.kernel.status === 'idle'",
            timeout=timeout_ms,
            polling=100,
        )
    except playwright.sync_api.TimeoutError:
        raise AssertionError(
            f"the kernel was still busy with {what} after {timeout_ms} ms"
        ) from None


def kernel_value(page: playwright.sync_api.Page, expression: str, timeout_ms: int = 30_000) -> Any:
    """The value of a Python ``expression`` in the notebook's kernel (as repr text, evaluated)."""
    text = page.evaluate(
        f"""async () => {{
          const kernel = {PANEL}.sessionContext.session.kernel;
          const future = kernel.requestExecute({{
            code: '', silent: true, store_history: false,
            user_expressions: {{ value: {json.dumps(expression)} }},
          }});
          const timeout = new Promise((_, reject) =>
            setTimeout(() => reject(new Error('no answer from the kernel in {timeout_ms} ms')),
                       {timeout_ms}));
          const reply = await Promise.race([future.done, timeout]);
          const value = reply.content.user_expressions.value;
          if (value.status !== 'ok') throw new Error(value.ename + ': ' + value.evalue);
          return value.data['text/plain'];
        }}"""
    )
    return json.loads(text) if text[:1] in "-0123456789[{" else text


def js_heap_mb(page: playwright.sync_api.Page) -> float:
    """The page's JavaScript heap in MB after a full garbage collection (Chrome DevTools)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("HeapProfiler.enable")
        cdp.send("HeapProfiler.collectGarbage")
        used = cdp.send("Runtime.getHeapUsage")["usedSize"]
    finally:
        cdp.detach()
    return float(used) / 1e6


def disable_http_cache(page: playwright.sync_api.Page) -> None:
    """No HTTP cache for this page, so a second load of the same files costs what the first did."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
