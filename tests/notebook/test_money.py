"""Prices in HTML outputs stay money: MathJax (JupyterLab and Notebook 7: version 3; nbconvert's
HTML: version 2) typesets ``$…$`` as maths unless the element carries its ignore class.
The browser test in tests/ui/test_media_at_scale.py reads the plan line back in JupyterLab."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbconvert import HTMLExporter

from sora_nb.notebook import display
from sora_nb.notebook.nomath import NO_MATH_CLASSES, no_math
from sora_nb.runs.grid import Axis
from sora_nb.runs.session import Session

#: Lab's two dollar signs as a user reads them.
PLAN = "$0.00 (it would cost $3.60 on sora-2); all in the ledger already: nothing to send, $0.00"


def _outside_maths(fragment: str, text: str) -> bool:
    """True when ``text`` sits in ``fragment`` inside an element with both ignore classes."""
    match = re.search(r'class="([^"]*)"', fragment)
    return (
        bool(match)
        and set(NO_MATH_CLASSES.split()) <= set(match.group(1).split())
        and text in fragment
    )


def test_the_plan_line_keeps_its_dollars_out_of_mathjaxs_reach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[dict[str, str]] = []
    monkeypatch.setattr(display, "_publish", lambda bundle, *a, **k: shown.append(bundle))
    session = Session(tmp_path / "sora_media")
    plan = session.plan(
        "A lighthouse keeper climbs the stairs. Camera: medium shot, slow push-in. "
        "Lighting: lantern key. Palette: amber, slate. Mood: quiet.",
        axes=[Axis.parse("length", ["short", "medium", "long"])],
        takes=3,
    )
    display.show_plan(plan, session, dry_run=False)
    (bundle,) = shown
    assert "it would cost $3.60 on sora-2" in bundle["text/plain"]
    assert _outside_maths(bundle["text/html"], "it would cost $3.60 on sora-2")


def test_tables_keep_their_dollars_out_of_mathjaxs_reach() -> None:
    table = display.table([{"take": "t1", "note": "cheaper at $0.10 a second"}])
    assert _outside_maths(table._repr_html_(), "cheaper at $0.10 a second")


def test_nbconverts_mathjax_ignores_the_class_sora_nb_uses(tmp_path: Path) -> None:
    """nbconvert's HTML page configures MathJax 2 without changing its ignore class
    (``tex2jax_ignore``), and keeps sora_nb's wrapper around the plan line."""
    html = no_math(PLAN, classes="sora-nb-plan")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("plan")
    output: Any = nbformat.v4.new_output(
        "display_data", data={"text/html": html, "text/plain": PLAN}
    )
    cell.outputs = [output]
    nb.cells = [cell]
    page, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert "tex2jax" in page and "MathJax.Hub.Config" in page
    assert "ignoreClass" not in page  # MathJax 2's default, tex2jax_ignore, stands
    assert re.search(
        r'<div class="[^"]*\btex2jax_ignore\b[^"]*">\$0\.00 \(it would cost \$3\.60', page
    )
