"""JupyterLab and Notebook 7 themselves, served on loopback: a notebook with a ``%%sora`` cell
runs and its video plays, and the Studio works there too (its Generate shows a playing Player
below it).

Nothing here waits on a promise that may never resolve: "run all" is started with ``fire`` and
each output is then waited for with its own bound. A failure keeps a screenshot, the page's
console log and the Jupyter server's log under ``tests/artifacts/failures/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
import playwright.sync_api
import pytest

from tests.browser import Artifacts, fire, wait_for, wait_js
from tests.jupyter import ALL_RAN, APPS, Served, cell, run_all, serve

NOTEBOOK = "sora_lab_test.ipynb"
PROMPT = "A red kite over the dunes at golden hour, wide shot, slow push-in."
STUDIO_PROMPT = (
    "Subject: A heron\nSetting: in the reeds\nTime of day: Dawn\n\n"
    "Cinematography:\nFraming: Wide shot\nPalette: sage, bone, slate"
)


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


@pytest.fixture(params=list(APPS), ids=["jupyterlab", "notebook7"])
def jupyter(
    request: pytest.FixtureRequest, tmp_path: Path, browser_artifacts: Artifacts
) -> Iterator[Served]:
    """JupyterLab or Notebook 7 on loopback in a fresh root folder, with a fresh workspace."""
    root = tmp_path / "root"
    root.mkdir()
    _write_notebook(root / NOTEBOOK)
    with serve(request.param, root, tmp_path, browser_artifacts) as served:
        yield served


@pytest.fixture
def jupyter_page(
    browser: playwright.sync_api.Browser, browser_artifacts: Artifacts
) -> Iterator[playwright.sync_api.Page]:
    """A fresh page, watched for the artifacts, closed after them."""
    page = browser_artifacts.watch(browser.new_page(viewport={"width": 1280, "height": 1000}))
    yield page
    page.close()


def test_a_sora_cell_runs_and_its_video_plays(
    jupyter: Served, jupyter_page: playwright.sync_api.Page, screenshots: Path
) -> None:
    page = jupyter_page
    shot = {"lab": "jupyterlab", "notebook": "notebook7"}[jupyter.app]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    run_all(page, jupyter, NOTEBOOK, 3)
    cells = page.locator(".jp-NotebookPanel .jp-Cell")

    player = cells.nth(1).locator("[data-widget=sora-player]")
    wait_for(player, "the %%sora cell's Player (the cell ran and its widget rendered)", 60)
    video = f"{cell(1)}.querySelector('[data-widget=sora-player] video')"
    wait_js(page, f"{video} && {video}.readyState >= 2", "the take's video to load", 45)
    player.locator("[data-action=play]").click()
    wait_js(page, f"{video}.currentTime > 0.5", "the take's video to play half a second", 20)
    assert page.evaluate(f"{video}.videoWidth") == 1280
    assert player.locator("[data-role=prompt]").inner_text() == PROMPT
    page.evaluate(f"{video}.pause()")
    player.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"{shot}.png"))

    # The Studio in the same notebook, readable in the light theme (the default) ...
    studio = cells.nth(2).locator("[data-widget=sora-studio]")
    wait_for(studio, "the Studio in the third cell", 30)
    # When "run all" ends the notebook moves its focus; only then does focus stay where put.
    wait_js(page, ALL_RAN, "every cell to have run and the kernel to be idle", 60)
    assert studio.locator("[data-field=subject]").input_value() == "A heron"
    assert _contrast(studio) == ([], [])
    # Keys on the studio's controls belong to the studio, not to the notebook's command-mode
    # shortcuts (ArrowDown would move to another cell, "k" or "a" would move or add cells).
    count = cells.count()
    framing = studio.locator("[data-field=framing]")
    framing.focus()
    focused = "document.activeElement && document.activeElement.dataset.field === 'framing'"
    wait_js(page, focused, "the framing control to hold the focus", 10)
    page.keyboard.press("ArrowDown")  # wide -> medium wide
    wait_js(
        page,
        f"{cell(2)}.querySelector('[data-role=prompt-text]').textContent"
        ".includes('Framing: Medium wide shot')",
        "ArrowDown on the framing control to change the prompt's framing",
        15,
    )
    studio.locator("[data-field=lens_mm]").focus()
    for key in ("a", "b", "d", "d", "k"):
        page.keyboard.press(key)
    page.wait_for_timeout(200)
    assert cells.count() == count
    framing.select_option("wide")
    # ... and its Generate shows a playing Player below it, through the widget manager.
    studio.locator("[data-action=generate]").click()
    nested = f"{cell(2)}.querySelector('[data-role=result] [data-widget=sora-player] video')"
    wait_js(page, f"{nested} && {nested}.readyState >= 2", "the Studio's Generate result", 60)
    fire(page, f"{nested}.play()")
    wait_js(page, f"{nested}.currentTime > 0.5", "the Studio's result to play", 20)
    page.evaluate(f"{nested}.pause()")

    # The dark theme: the studio takes the theme's colours and stays readable.
    fire(page, "window.jupyterapp.commands.execute('apputils:change-theme', "
               "{theme: 'JupyterLab Dark'})")  # fmt: skip
    wait_js(page, "document.body.dataset.jpThemeLight === 'false'", "the dark theme", 20)
    page.wait_for_timeout(300)  # the theme's stylesheet applies after the flag flips
    assert _contrast(studio) == ([], [])
    page.evaluate(f"{cell(2)}.scrollIntoView({{block: 'start'}})")
    page.screenshot(path=str(screenshots / f"{shot}_studio_dark.png"))
    assert dialogs == []
