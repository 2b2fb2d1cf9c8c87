"""Readable in JupyterLab's light and dark themes: the widgets take their colours from the
theme's own variables (loaded here from the installed JupyterLab), and text keeps its contrast."""

from __future__ import annotations

from pathlib import Path

import jupyterlab
import playwright.sync_api
import pytest
from IPython.display import display

from sora_nb.notebook.widgets import Grid, Player
from sora_nb.runs.take import Take
from tests.browser import wait_for
from tests.ui._media import make_take
from tests.ui.conftest import hide_solara_badge

THEMES = Path(jupyterlab.__file__).parent / "themes" / "@jupyterlab"

# Contrast (WCAG formula) of an element's text against what is actually behind it: the
# backgrounds of its ancestors composited over white.
CONTRAST_JS = """
(els) => els.map((el) => {
  const parse = (c) => {
    const m = c.match(/[\\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  };
  const over = (top, bottom) =>
    [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const chain = [];
  for (let n = el; n; n = n.parentElement) {
    chain.push(parse(getComputedStyle(n).backgroundColor));
  }
  let bg = [255, 255, 255, 1];
  for (const c of chain.reverse()) bg = over(c, bg);
  const fg = over(parse(getComputedStyle(el).color), bg);
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const lum = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return [el.dataset.role || el.dataset.action || el.className, (a + 0.05) / (b + 0.05)];
})
"""

PRIMARY = (
    "[data-widget=sora-player] [data-role=prompt],"
    " [data-widget=sora-grid] .sora-head > span:first-child,"
    " [data-widget=sora-grid] .sora-cell button, [data-widget=sora-grid] [data-action=play]"
)
SECONDARY = (
    "[data-widget=sora-player] [data-role=meta] span, [data-widget=sora-player] [data-role=words],"
    " [data-widget=sora-grid] [data-role=label], [data-widget=sora-grid] .sora-words"
)


@pytest.fixture(scope="module")
def theme_takes(tmp_path_factory: pytest.TempPathFactory) -> list[Take]:
    media = tmp_path_factory.mktemp("theme-media")
    return [make_take(media, f"th{i}", prompt=f"a kite, take {i}") for i in range(4)]


@pytest.mark.parametrize("theme", ["theme-light-extension", "theme-dark-extension"])
def test_text_keeps_its_contrast_in_light_and_dark_themes(
    solara_test: None,
    page_session: playwright.sync_api.Page,
    theme_takes: list[Take],
    theme: str,
    screenshots: Path,
) -> None:
    page = page_session
    page.add_style_tag(content=(THEMES / theme / "index.css").read_text())
    display(Player.from_take(theme_takes[0]))
    display(
        Grid(
            theme_takes,
            col_labels=["sora-2", "sora-2-pro"],
            row_labels=[{"text": "short", "words": 4}, {"text": "long", "words": 40}],
        )
    )
    wait_for(page.locator("[data-widget=sora-grid] .sora-cell").nth(3), "the grid's four cells", 30)
    primary = page.locator(PRIMARY).evaluate_all(CONTRAST_JS)
    secondary = page.locator(SECONDARY).evaluate_all(CONTRAST_JS)
    assert len(primary) > 20 and len(secondary) > 8
    # WCAG AA: 4.5:1 for body text; 3:1 for the secondary, larger-weight UI text.
    assert [p for p in primary if p[1] < 4.5] == []
    assert [s for s in secondary if s[1] < 3.0] == []
    hide_solara_badge(page)
    page.locator("[data-widget=sora-grid]").screenshot(
        path=str(screenshots / f"grid-{theme.split('-')[1]}.png")
    )
