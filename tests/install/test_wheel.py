"""Installed as users install it: the wheel (built with ``python -m build``) in a clean
virtualenv with no node or npm on PATH; ``%load_ext sora_nb`` works there, and a Player renders
and plays in Chromium from the wheel's own static files, in JupyterLab."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import playwright.sync_api
import pytest

from tests.browser import Artifacts, wait_for, wait_js
from tests.installed import KERNEL, Installed
from tests.jupyter import Served, cell, run_all, serve

pytestmark = pytest.mark.timeout(600)  # the first test builds and installs the wheel

NOTEBOOK = "from_the_wheel.ipynb"
PROMPT = "A paper boat drifts down a rain gutter, close-up, slow tracking shot."
FACTS = """\
import json, shutil, sys
import sora_nb
from sora_nb.notebook.widgets._base import esm_path
json.dump({
    "python": sys.executable,
    "sora_nb": sora_nb.__file__,
    "player_js": str(esm_path("player.js")),
    "node": shutil.which("node"),
    "npm": shutil.which("npm"),
    "magics": sorted(get_ipython().magics_manager.magics["cell"]),
}, open("facts.json", "w"))
"""


def test_the_wheel_carries_the_built_front_end(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for module in ("player.js", "grid.js", "studio.js"):
        assert f"sora_nb/static/{module}" in names
    assert not any(name.startswith(("js/", "tests/")) for name in names)
    metadata = zipfile.ZipFile(wheel).read("sora_nb-0.1.0.dist-info/METADATA").decode()
    assert "Requires-Dist: pandas" in metadata and "Requires-Dist: ipykernel" in metadata


def test_the_clean_environment_has_no_node_and_not_this_checkout(installed: Installed) -> None:
    assert shutil.which("node", path=installed.path) is None
    assert shutil.which("npm", path=installed.path) is None
    assert installed.has("sora_nb") and installed.has("ipykernel") and installed.has("pandas")
    assert not installed.has("matplotlib")  # no extra came with the wheel
    assert not installed.has("pytest")


@pytest.fixture
def lab(tmp_path: Path, installed: Installed, browser_artifacts: Artifacts) -> Iterator[Served]:
    """JupyterLab (from the test environment) whose notebook runs on the wheel's kernel."""
    root = tmp_path / "root"
    root.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext sora_nb"),
        nbformat.v4.new_code_cell(FACTS),
        nbformat.v4.new_code_cell(f"%%sora --seconds 4\n{PROMPT}"),
    ]
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
    nbformat.write(nb, root / NOTEBOOK)
    env = {"JUPYTER_PATH": str(installed.jupyter_path)}
    with serve("lab", root, tmp_path, browser_artifacts, env=env) as served:
        yield served


@pytest.fixture
def lab_page(
    browser: playwright.sync_api.Browser, browser_artifacts: Artifacts
) -> Iterator[playwright.sync_api.Page]:
    page = browser_artifacts.watch(browser.new_page(viewport={"width": 1280, "height": 900}))
    yield page
    page.close()


def test_load_ext_and_a_player_from_the_wheel_play_in_chromium(
    lab: Served, lab_page: playwright.sync_api.Page, installed: Installed, tmp_path: Path
) -> None:
    page = lab_page
    run_all(page, lab, NOTEBOOK, 3)
    player = page.locator(".jp-NotebookPanel .jp-Cell").nth(2).locator("[data-widget=sora-player]")
    wait_for(player, "the %%sora cell's Player, run by the wheel's kernel", 90)
    video = f"{cell(2)}.querySelector('[data-widget=sora-player] video')"
    wait_js(page, f"{video} && {video}.readyState >= 2", "the take's video to load", 45)
    player.locator("[data-action=play]").click()
    wait_js(page, f"{video}.currentTime > 0.5", "the take's video to play half a second", 20)
    assert page.evaluate(f"{video}.videoWidth") == 1280
    assert player.locator("[data-role=prompt]").inner_text() == PROMPT

    facts = json.loads((tmp_path / "root" / "facts.json").read_text())
    venv = str(installed.root)
    assert facts["python"].startswith(venv), facts
    assert facts["sora_nb"].startswith(venv) and "site-packages" in facts["sora_nb"], facts
    assert facts["player_js"].startswith(venv), facts  # the widget's code came from the wheel
    assert facts["node"] is None and facts["npm"] is None
    assert "sora" in facts["magics"]
