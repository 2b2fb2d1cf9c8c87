"""JupyterLab itself, served on loopback: a notebook with a ``%%sora`` cell runs and its video
plays, and the Studio works there too (its Generate shows a playing Player below it)."""

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
from collections.abc import Iterator
from pathlib import Path

import nbformat
import playwright.sync_api
import pytest

NOTEBOOK = "sora_lab_test.ipynb"
PROMPT = "A red kite over the dunes at golden hour, wide shot, slow push-in."
STUDIO_PROMPT = (
    "Subject: A heron\nSetting: in the reeds\nTime of day: Dawn\n\n"
    "Cinematography:\nFraming: Wide shot\nPalette: sage, bone, slate"
)
#: Lab's own first-run notices (news, update checks) stay quiet so nothing covers the page.
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


# WCAG contrast of each element's text against what is behind it: its ancestors' backgrounds
# composited over white.
CONTRAST_JS = """
(els) => els.map((el) => {
  const parse = (c) => {
    const m = c.match(/[\\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  };
  const over = (top, bottom) =>
    [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const chain = [];
  for (let n = el; n; n = n.parentElement) chain.push(parse(getComputedStyle(n).backgroundColor));
  let bg = [255, 255, 255, 1];
  for (const c of chain.reverse()) bg = over(c, bg);
  const fg = over(parse(getComputedStyle(el).color), bg);
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const lum = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  const name = el.dataset.field || el.dataset.role || el.dataset.action || el.tagName;
  return [name, Math.round(((a + 0.05) / (b + 0.05)) * 100) / 100];
})
"""
#: Text a user reads and types: 4.5:1 (WCAG AA).
PRIMARY = (
    "input[type=text]:not(:disabled), textarea, select, legend, [data-role=prompt-text],"
    " [data-role=lint] li, .sora-chip > span:not(.sora-swatch), button:not(:disabled),"
    " [data-role=cost]"
)
#: Field labels, hints and reasons: quieter, 3:1 at least.
SECONDARY = ".sora-label, .sora-hint, [data-role=reasons] li, .sora-readout"


def _contrast(studio: playwright.sync_api.Locator) -> tuple[list[object], list[object]]:
    """Elements of the studio whose text falls below its contrast bar, and how many were seen."""
    primary = studio.locator(PRIMARY).evaluate_all(CONTRAST_JS)
    secondary = studio.locator(SECONDARY).evaluate_all(CONTRAST_JS)
    assert len(primary) > 30 and len(secondary) > 20
    return [p for p in primary if p[1] < 4.5], [s for s in secondary if s[1] < 3.0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext sora_nb"),
        nbformat.v4.new_code_cell(f"%%sora --seconds 4\n{PROMPT}"),
        nbformat.v4.new_code_cell(
            "from sora_nb.notebook.widgets import Studio\n"
            f"studio = Studio({STUDIO_PROMPT!r})\nstudio"
        ),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[str]:
    """A JupyterLab server on loopback in a fresh root folder; yields the notebook's URL."""
    root = tmp_path / "root"
    root.mkdir()
    _write_notebook(root / NOTEBOOK)
    settings = tmp_path / "settings"
    for name, values in QUIET_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    port = _free_port()
    env = {
        **os.environ,
        "SORA_NB_HOME": str(tmp_path / "sora_home"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
    }
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        env.pop(name, None)
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
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    log = (tmp_path / "lab.log").open("wb")
    server = subprocess.Popen(
        args, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                raise RuntimeError(
                    "jupyter lab exited early:\n" + (tmp_path / "lab.log").read_text()[-2000:]
                )
            try:
                with urllib.request.urlopen(f"{base}/api/status", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise RuntimeError("jupyter lab did not answer within 30 s") from None
                time.sleep(0.2)
        yield f"{base}/lab/tree/{NOTEBOOK}"
    finally:
        # The server and the kernels it started share its session: end them together.
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
        log.close()


def test_a_sora_cell_runs_in_jupyterlab_and_its_video_plays(
    lab: str, browser: playwright.sync_api.Browser, screenshots: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(lab)
    page.wait_for_function("window.jupyterapp !== undefined", timeout=30_000)
    page.locator(".jp-NotebookPanel .jp-Cell").nth(2).wait_for(timeout=30_000)
    # Wait until the kernel is up, so "run all" does not race its start.
    page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]").wait_for(timeout=30_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")

    player = page.locator(".jp-Cell").nth(1).locator("[data-widget=sora-player]")
    player.wait_for(timeout=60_000)
    video = (
        "document.querySelectorAll('.jp-Cell')[1].querySelector('[data-widget=sora-player] video')"
    )
    page.wait_for_function(f"{video} && {video}.readyState >= 2", timeout=45_000)
    player.locator("[data-action=play]").click()
    page.wait_for_function(f"{video}.currentTime > 0.5", timeout=15_000)
    assert page.evaluate(f"{video}.videoWidth") == 1280
    assert player.locator("[data-role=prompt]").inner_text() == PROMPT
    page.evaluate(f"{video}.pause()")
    player.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "jupyterlab.png"))

    # The Studio in the same notebook, readable in Lab's light theme (the default) ...
    studio = page.locator(".jp-Cell").nth(2).locator("[data-widget=sora-studio]")
    studio.wait_for(timeout=15_000)
    assert studio.locator("[data-field=subject]").input_value() == "A heron"
    assert _contrast(studio) == ([], [])
    # Keys on the studio's controls belong to the studio, not to Lab's command-mode shortcuts
    # (ArrowDown would move to another cell, "k" or "a" would move or add cells).
    cells = page.locator(".jp-Cell").count()
    framing = studio.locator("[data-field=framing]")
    framing.focus()
    page.keyboard.press("ArrowDown")  # wide -> medium wide
    page.wait_for_function(
        "document.querySelectorAll('.jp-Cell')[2].querySelector('[data-role=prompt-text]')"
        ".textContent.includes('Framing: Medium wide shot')",
        timeout=10_000,
    )
    studio.locator("[data-field=lens_mm-on]").focus()
    for key in ("a", "b", "d", "d", "k"):
        page.keyboard.press(key)
    page.wait_for_timeout(200)
    assert page.locator(".jp-Cell").count() == cells
    framing.select_option("wide")
    # ... and its Generate shows a playing Player below it, through Lab's widget manager.
    studio.locator("[data-action=generate]").click()
    nested = (
        "document.querySelectorAll('.jp-Cell')[2]"
        ".querySelector('[data-role=result] [data-widget=sora-player] video')"
    )
    page.wait_for_function(f"{nested} && {nested}.readyState >= 2", timeout=45_000)
    page.evaluate(f"{nested}.play()")
    page.wait_for_function(f"{nested}.currentTime > 0.5", timeout=15_000)
    page.evaluate(f"{nested}.pause()")

    # Lab's dark theme: the studio takes the theme's colours and stays readable.
    page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', "
                  "{theme: 'JupyterLab Dark'})")  # fmt: skip
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'", timeout=15_000)
    page.wait_for_timeout(300)  # the theme's stylesheet applies after the flag flips
    assert _contrast(studio) == ([], [])
    studio.scroll_into_view_if_needed()
    page.evaluate("document.querySelectorAll('.jp-Cell')[2].scrollIntoView({block: 'start'})")
    page.screenshot(path=str(screenshots / "jupyterlab_studio_dark.png"))
    assert dialogs == []
    page.close()
