"""A JupyterLab or Notebook 7 server on loopback for browser tests, and the page code that runs a
notebook in it without awaiting a promise that may never resolve (see TESTING.md)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import playwright.sync_api

from tests.browser import Artifacts, fire, wait_for, wait_js

#: How each front end is started and where it opens a notebook.
APPS = {
    "lab": ("jupyterlab", "LabApp", "/lab/tree/"),
    "notebook": ("notebook", "JupyterNotebookApp", "/notebooks/"),
}
NAMES = {"lab": "JupyterLab", "notebook": "Notebook 7"}
#: Lab's own first-run notices (news, update checks) stay quiet so nothing covers the page.
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
#: Variables that would point a test's kernel at a real server or key.
SERVER_VARIABLES = ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY")
#: The notebook on the page: the shell's current widget (Lab and Notebook 7 alike).
PANEL = "window.jupyterapp.shell.currentWidget"
#: The kernel of that notebook, connected and idle: "run all" then runs every cell.
KERNEL_IDLE = f"""(() => {{
  const panel = {PANEL};
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}})()"""
#: Every code cell of that notebook has run (and the kernel is idle again).
ALL_RAN = f"""{KERNEL_IDLE} && {PANEL}.content.widgets.every(
  (cell) => cell.model.type !== 'code' || cell.model.executionCount !== null)"""


@dataclass(frozen=True)
class Served:
    """A Jupyter front end serving a folder: which one, its base URL and its log."""

    app: str
    base: str
    log: Path

    def url(self, notebook: str) -> str:
        """Where this front end opens ``notebook``."""
        return f"{self.base}{APPS[self.app][2]}{notebook}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(
    app: str,
    root: Path,
    work: Path,
    artifacts: Artifacts,
    *,
    env: Mapping[str, str] | None = None,
) -> Iterator[Served]:
    """Serve ``root`` with JupyterLab (``app="lab"``) or Notebook 7 (``"notebook"``) on loopback,
    with fresh settings, workspaces and runtime folders under ``work``; stops it and its kernels
    on exit. Its log is kept with ``artifacts``."""
    module, app_class, _route = APPS[app]
    settings = work / "settings"
    for name, values in QUIET_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    port = free_port()
    environment = {
        **os.environ,
        "SORA_NB_HOME": str(work / "sora_home"),
        "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
        "JUPYTER_CONFIG_DIR": str(work / "config"),
        **(env or {}),
    }
    for name in SERVER_VARIABLES:
        environment.pop(name, None)
    args = [
        sys.executable,
        "-m",
        module,
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--{app_class}.expose_app_in_browser=True",
        f"--ServerApp.root_dir={root}",
        f"--{app_class}.user_settings_dir={settings}",
        f"--{app_class}.workspaces_dir={work / 'workspaces'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")  # containers and CI run as root
    log_path = work / f"jupyter-{app}.log"
    artifacts.server_log(log_path)
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            args,
            cwd=root,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(server, base, log_path, NAMES[app], 60)
            yield Served(app, base, log_path)
        finally:
            # The server and the kernels it started share its session: end them together.
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)


def _wait_until_up(
    server: subprocess.Popen[bytes], base: str, log: Path, name: str, timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n" + log.read_text()[-2000:])
        try:
            with urllib.request.urlopen(f"{base}/api/status", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{name} did not answer within {timeout_s:.0f} s:\n" + log.read_text()[-2000:]
                ) from None
            time.sleep(0.2)


def run_all(page: playwright.sync_api.Page, served: Served, notebook: str, cells: int) -> None:
    """Open ``notebook`` and start "run all" once its kernel is idle; returns without waiting
    for the cells (wait for each output with its own bound)."""
    name = NAMES[served.app]
    page.goto(served.url(notebook), timeout=60_000)
    wait_js(page, f"window.jupyterapp && {PANEL} && {PANEL}.content", f"{name}'s notebook", 60)
    found = page.locator(".jp-NotebookPanel .jp-Cell")
    wait_for(found.nth(cells - 1), f"the notebook's {cells} cells", 30)
    # "Run all" runs every cell only once the kernel is connected and idle.
    wait_js(page, KERNEL_IDLE, "the notebook's kernel to be connected and idle", 60)
    fire(page, "window.jupyterapp.commands.execute('notebook:run-all-cells')")


def cell(index: int) -> str:
    """Page JavaScript for the notebook's cell ``index`` (0-based)."""
    return f"document.querySelectorAll('.jp-NotebookPanel .jp-Cell')[{index}]"
