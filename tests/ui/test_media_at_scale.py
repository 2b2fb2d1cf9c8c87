"""Media at real sizes in JupyterLab and Notebook 7 (issue 17's acceptance test).

Gallery notebook 03's grid (3 lengths × 3 takes), cached in the ledger, with every take a
~40 MB 1280x720 clip. In one run on one machine the test times nine plain
``<video src="sora_media/...">`` in an HTML output, then the grid widget, from "run" to every
video ready to play: the grid may take at most 0.5 s more. Then: the browser's JavaScript heap
stays under 80 MB and the kernel grows by under 30 MB (the videos stream from the Jupyter
server, not through the kernel); the grid fits the notebook's width; its plan line reads
"$3.60" and "$0.00" as money, not maths; media outside the server's root stream through
sora_nb's server extension; with the URL routes blocked the kernel sends the videos in chunks
and the memory bounds still hold. Notebook 7 runs the same grid. Every wait is bounded
(tests/browser.py); a failure keeps the screenshots, console and server log under
tests/artifacts/failures/.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import playwright.sync_api
import pytest

from tests.browser import Artifacts, WaitTimedOut, wait_js
from tests.jupyter import PANEL, serve
from tests.ui._media import BRIEF_03, big_clip, cached_grid, make_take
from tests.ui._pages import (
    disable_http_cache,
    js_heap_mb,
    kernel_value,
    open_notebook,
    run_cell,
    wait_idle,
)

#: The budgets issue 17 sets.
SLACK_S = 0.5
HEAP_MB = 80.0
KERNEL_MB = 30.0
RSS = "__import__('psutil').Process().memory_info().rss"
GRID_CELL = "%%sora --vary length=short,medium,long --takes 3 --seconds 4 --as study\n{brief}"
VIDEOS_READY = """(cell) => {
  const videos = [...%s.content.widgets[cell].node.querySelectorAll('%s')];
  if (videos.length === 9 && videos.every((v) => v.readyState >= 3)) {
    window.__soraReadyAt ??= performance.now();
    return true;
  }
  return false;
}"""


@dataclass
class Study:
    root: Path
    media: Path
    folders: list[str]


def _setup_source(outside_json: Path | None) -> str:
    lines = [
        "%load_ext sora_nb",
        "import os",
        "import sora_nb",
        "from sora_nb.notebook import display, widgets",
        "# The session and the widgets' code are loaded before anything is timed.",
        "sora_nb.session().runner",
        "# The kernel's working folder need not be the notebook's: the links must not care.",
        'os.chdir("/")',
        f"brief = {BRIEF_03!r}",
    ]
    if outside_json is not None:
        lines.append(f"OUTSIDE = {str(outside_json)!r}")
    return "\n".join(lines)


def _write_notebook(path: Path, folders: list[str], outside_json: Path | None) -> None:
    # As plain as the issue's page: the browser's defaults, a size to fit nine on screen.
    plain = "".join(
        f'<video src="sora_media/{folder}/video.mp4" width="400"></video>' for folder in folders
    )
    cells = [
        nbformat.v4.new_code_cell(_setup_source(outside_json)),
        nbformat.v4.new_code_cell(f"from IPython.display import HTML\nHTML({plain!r})"),
        nbformat.v4.new_code_cell(GRID_CELL),
    ]
    if outside_json is not None:
        cells.append(
            nbformat.v4.new_code_cell(
                "from pathlib import Path\n"
                "from sora_nb.notebook.widgets import Player\n"
                "from sora_nb.runs.take import Take\n"
                "Player.from_take(Take.model_validate_json(Path(OUTSIDE).read_text())"
                ".attach(Path(OUTSIDE).parent.parent))"
            )
        )
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    """A server whose root holds ``study/`` with its notebooks and a cached 3×3 grid of 40 MB
    takes in ``study/sora_media``, and a small take in a media folder outside the root."""
    tmp = tmp_path_factory.mktemp("media-scale")
    root = tmp / "root"
    media = root / "study" / "sora_media"
    takes = cached_grid(media, big_clip(40))
    folders = [take.folder for take in takes]
    outside = make_take(tmp / "elsewhere" / "sora_media", "outside", seconds=2)
    outside_json = tmp / "elsewhere" / "sora_media" / "outside" / "take.json"
    outside_json.write_text(outside.model_dump_json())
    _write_notebook(root / "study" / "grid.ipynb", folders, outside_json)
    _write_notebook(root / "study" / "grid7.ipynb", folders, None)
    return Study(root, media, folders)


def _time_to_ready(
    page: playwright.sync_api.Page, cell: int, selector: str, what: str, timeout_s: int = 30
) -> float:
    """Seconds from running ``cell`` to all nine of its videos able to play."""
    page.evaluate("() => { window.__soraReadyAt = undefined; }")
    run_cell(page, cell)
    try:
        wait_js(page, VIDEOS_READY % (PANEL, selector), f"{what}: nine videos", timeout_s, arg=cell)
    except WaitTimedOut:
        states = page.evaluate(
            f"(cell) => [...{PANEL}.content.widgets[cell].node.querySelectorAll('{selector}')]"
            ".map((v) => v.readyState)",
            cell,
        )
        raise AssertionError(
            f"{what}: not all nine videos could play after {timeout_s} s: {states}"
        ) from None
    return float(page.evaluate("() => (window.__soraReadyAt - window.__soraRunAt) / 1000"))


def _stop_videos(page: playwright.sync_api.Page, cell: int) -> None:
    """Let the plain page's videos go, so they do not share the network with the grid's."""
    page.evaluate(
        f"""(cell) => {{
          for (const v of {PANEL}.content.widgets[cell].node.querySelectorAll('video')) {{
            v.removeAttribute('src');
            v.load();
          }}
        }}""",
        cell,
    )


def _grid_cells(page: playwright.sync_api.Page, cell: int) -> list[dict[str, object]]:
    return list(
        page.evaluate(
            f"""(cell) => [...{PANEL}.content.widgets[cell].node.querySelectorAll('.sora-cell')]
              .map((c) => ({{ path: c.dataset.mediaPath, src: c.querySelector('video').src,
                             poster: c.querySelector('video').poster }}))""",
            cell,
        )
    )


def _plain(page: playwright.sync_api.Page, label: str) -> float:
    seconds = _time_to_ready(page, 1, "video", f"{label}: the plain <video> page")
    _stop_videos(page, 1)
    wait_idle(page, "the plain page's cell")
    return seconds


def _grid(page: playwright.sync_api.Page, label: str) -> float:
    seconds = _time_to_ready(page, 2, ".sora-cell video", f"{label}: the grid")
    wait_idle(page, "the grid's cell")
    return seconds


def _plain_then_grid(page: playwright.sync_api.Page, label: str) -> dict[str, float]:
    """Time the plain page and the grid in turn, three times each, in the notebook in ``page``,
    and hold the grid's best to the plain page's best: one slow round on a busy machine (or
    the first, cold one) decides nothing."""
    run_cell(page, 0)
    wait_idle(page, "the setup cell")
    rss_before = kernel_value(page, RSS)
    plain: list[float] = []
    grid: list[float] = []
    for _ in range(3):
        plain.append(_plain(page, label))
        grid.append(_grid(page, label))
    rss_after = kernel_value(page, RSS)
    figures = {
        "plain_s": min(plain),
        "grid_s": min(grid),
        "plain_median_s": sorted(plain)[1],
        "grid_median_s": sorted(grid)[1],
        "heap_mb": js_heap_mb(page),
        "kernel_growth_mb": (rss_after - rss_before) / 1e6,
    }
    print(f"\n{label}: {json.dumps({k: round(v, 3) for k, v in figures.items()})}")
    cells = _grid_cells(page, 2)
    assert [c["path"] for c in cells] == ["url"] * 9, cells
    assert all("/files/study/sora_media/takes/" in str(c["src"]) for c in cells), cells
    assert all(str(c["poster"]).endswith(tuple("0123456789abcdef")) for c in cells), cells
    assert min(grid) <= min(plain) + SLACK_S, (
        f"{label}: the grid was ready in {grid} s, the plain page in {plain} s"
    )
    assert figures["heap_mb"] < HEAP_MB, figures
    assert figures["kernel_growth_mb"] < KERNEL_MB, figures
    return figures


#: Seconds each of a grid's videos has played so far (its TimeRanges of played media).
PLAYED = """(grid) => [...grid.querySelectorAll('.sora-cell video')].map((v) => {
  let total = 0;
  for (let i = 0; i < v.played.length; i++) total += v.played.end(i) - v.played.start(i);
  return total;
})"""


def _plays(page: playwright.sync_api.Page, cell: int, what: str, timeout_s: int = 60) -> float:
    """Press Play all and wait (bounded) until every one of the nine videos has played a
    quarter of a second on the shared clock; returns the seconds that took. (Nine 40 MB noise
    streams outrun two busy cores' decoders, so this asks what each cell played, not that all
    nine run in step at one instant.)"""
    grid = f"{PANEL}.content.widgets[{cell}].node.querySelector('[data-widget=sora-grid]')"
    # A user looks at what they play: the grid on screen, so its clock waits for its cells.
    page.evaluate(f"() => {grid}.scrollIntoView({{ block: 'start' }})")
    wait_js(page, f"{grid}.soraGrid.cells().every((c) => c.visible)", "cells on screen", 10)
    page.evaluate(
        f"() => {{ window.__soraPlayAt = performance.now();"
        f" {grid}.querySelector('[data-action=play]').click(); }}"
    )
    try:
        wait_js(
            page,
            f"(() => {{ const g = {grid}; return g.soraGrid.clock.playing"
            f" && ({PLAYED})(g).every((t) => t > 0.25); }})()",
            f"{what}: all nine cells to play",
            timeout_s,
        )
    except WaitTimedOut:
        played = page.evaluate(f"() => ({PLAYED})({grid})")
        states = page.evaluate(
            f"() => [...{grid}.querySelectorAll('.sora-cell video')].map((v) => v.readyState)"
        )
        raise AssertionError(
            f"{what}: not every cell played within {timeout_s} s (seconds played: {played},"
            f" ready states: {states})"
        ) from None
    seconds = float(page.evaluate("() => (performance.now() - window.__soraPlayAt) / 1000"))
    page.evaluate(f"() => {grid}.querySelector('[data-action=play]').click()")
    return seconds


def test_a_grid_of_40_mb_takes_streams_in_jupyterlab(
    study: Study,
    browser: playwright.sync_api.Browser,
    browser_artifacts: Artifacts,
    tmp_path: Path,
) -> None:
    env = {"SORA_NB_HOME": str(study.media)}
    with serve("lab", study.root, tmp_path, browser_artifacts, env=env) as served:
        page = browser_artifacts.watch(browser.new_page(viewport={"width": 1400, "height": 1000}))
        cache = disable_http_cache(page)
        open_notebook(page, served.url("study/grid.ipynb"), cells=4)
        _plain_then_grid(page, "JupyterLab")

        # The plan line reads as money: Lab's MathJax leaves it alone.
        plan = f"{PANEL}.content.widgets[2].node.querySelector('.sora-nb-plan')"
        text = page.evaluate(f"() => {plan}.innerText")
        assert "would cost $3.60 on sora-2" in text and "nothing to send, $0.00" in text, text
        assert page.evaluate(f"() => {plan}.querySelectorAll('mjx-container').length") == 0

        # The grid fits the notebook: lengths across, takes down, nothing past the right edge.
        layout = page.evaluate(
            f"""() => {{
              const out = {PANEL}.content.widgets[2].node
                .querySelector('.jp-OutputArea-output [data-widget=sora-grid]');
              const box = out.getBoundingClientRect();
              const cells = [...out.querySelectorAll('.sora-cell')]
                .map((c) => c.getBoundingClientRect());
              return {{
                right: box.right,
                cellsRight: Math.max(...cells.map((c) => c.right)),
                cols: out.querySelectorAll('[data-role=col-head]').length,
                rows: [...out.querySelectorAll('[data-role=row-head]')].map((r) => r.innerText),
                overflow: out.scrollWidth - out.clientWidth,
                viewport: window.innerWidth,
              }};
            }}"""
        )
        assert layout["cols"] == 3 and layout["rows"] == ["take 1", "take 2", "take 3"], layout
        assert layout["cellsRight"] <= layout["right"] + 1 <= layout["viewport"], layout
        assert layout["overflow"] <= 0, layout
        print(f"JupyterLab: all nine played {_plays(page, 2, 'JupyterLab'):.1f} s after play")

        # A take in a media folder outside the server's root streams through sora_nb's route.
        run_cell(page, 3)
        player = f"{PANEL}.content.widgets[3].node.querySelector('[data-widget=sora-player]')"
        wait_js(page, f"{player}?.querySelector('video')?.readyState >= 2", "the player", 60)
        src = page.evaluate(f"() => {player}.querySelector('video').src")
        assert "/sora-nb/media/" in src, src
        assert page.evaluate(f"() => {player}.dataset.mediaPath") == "url"
        wait_idle(page, "the outside-root player's cell")

        # With every URL route blocked (as in VS Code or Colab), the kernel sends the videos:
        # those of the cells on screen at once, the rest when the user plays.
        blocked = re.compile(r".*/(files/study/sora_media/|sora-nb/media/).*")
        page.route(blocked, lambda route: route.abort())
        rss_before = kernel_value(page, RSS)
        run_cell(page, 2)
        grid = f"{PANEL}.content.widgets[2].node.querySelector('[data-widget=sora-grid]')"
        wait_js(page, f"{grid}?.soraGrid !== undefined", "the kernel route's grid", 30)
        # The user plays at once: cells off screen are asked for too, and the clock waits.
        played = _plays(page, 2, "the kernel route", timeout_s=90)
        figures = {
            "run_to_all_nine_played_s": float(
                page.evaluate("() => (performance.now() - window.__soraRunAt) / 1000")
            ),
            "play_to_all_nine_played_s": played,
            "heap_mb": js_heap_mb(page),
            "kernel_growth_mb": (kernel_value(page, RSS) - rss_before) / 1e6,
        }
        wait_idle(page, "the kernel route's grid")
        print(f"\nJupyterLab, URL routes blocked: {json.dumps(figures)}")
        cells = _grid_cells(page, 2)
        assert [c["path"] for c in cells] == ["kernel"] * 9, cells
        assert all(str(c["src"]).startswith("blob:") for c in cells), cells
        assert figures["heap_mb"] < HEAP_MB, figures
        assert figures["kernel_growth_mb"] < KERNEL_MB, figures
        cache.detach()
        page.close()


def test_the_same_grid_streams_in_notebook_7(
    study: Study,
    browser: playwright.sync_api.Browser,
    browser_artifacts: Artifacts,
    tmp_path: Path,
) -> None:
    env = {"SORA_NB_HOME": str(study.media)}
    with serve("notebook", study.root, tmp_path, browser_artifacts, env=env) as served:
        page = browser_artifacts.watch(browser.new_page(viewport={"width": 1400, "height": 1000}))
        cache = disable_http_cache(page)
        open_notebook(page, served.url("study/grid7.ipynb"), cells=3)
        _plain_then_grid(page, "Notebook 7")
        plan = f"{PANEL}.content.widgets[2].node.querySelector('.sora-nb-plan')"
        text = page.evaluate(f"() => {plan}.innerText")
        assert "would cost $3.60 on sora-2" in text and "$0.00" in text, text
        print(f"Notebook 7: all nine played {_plays(page, 2, 'Notebook 7'):.1f} s after play")
        cache.detach()
        page.close()
