"""How much a 3×3 Grid adds to a saved notebook, with and without widget state.

Target: under 100 KB either way. The grid's state says where each take's files are and how big
they are, never their bytes: the videos stay in the media folder, and the page streams them from
the Jupyter server (or asks the kernel for them) when it shows them. Saving with widget state
(JupyterLab's "Save Widget State Automatically", nbclient's ``store_widget_state=True``) stores
that small state, not the videos.

Run: .venv/bin/python tests/bench/bench_widget_size.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.ui._media import make_clip, make_take  # noqa: E402

TARGET_KB = 100.0
SIZE = (1280, 720)


def _notebook(media: Path, names: list[str], show: bool) -> nbformat.NotebookNode:
    setup = (
        "import json\n"
        "from pathlib import Path\n"
        "from sora_nb.runs.take import Take\n"
        "from sora_nb.notebook.widgets import Grid\n"
        f"media = Path({str(media)!r})\n"
        f"takes = [Take.model_validate_json((media / n / 'take.json').read_text()).attach(media)"
        f" for n in {names!r}]\n"
        "grid = Grid(takes, col_labels=['a', 'b', 'c'], row_labels=['x', 'y', 'z'])"
    )
    cells = [nbformat.v4.new_code_cell(setup)]
    cells.append(nbformat.v4.new_code_cell("grid" if show else "len(takes)"))
    return nbformat.v4.new_notebook(cells=cells)


def _saved_size(nb: nbformat.NotebookNode, store_state: bool, folder: Path) -> int:
    NotebookClient(nb, timeout=120, store_widget_state=store_state).execute()
    path = folder / f"nb-{store_state}-{len(nb.cells[-1].source)}.ipynb"
    nbformat.write(nb, path)
    return path.stat().st_size


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        media = Path(tmp) / "sora_media"
        names = [f"cell{i}" for i in range(9)]
        video_bytes = 0
        for i, name in enumerate(names):
            take = make_take(
                media, name, seconds=4, prompt=f"shot {i} of a red kite over a beach", hue=i * 28
            )
            # make_take writes 160x90 clips; re-encode at a real size so the comparison is honest.
            make_clip(take.path("video"), seconds=4, width=SIZE[0], height=SIZE[1], hue=i * 28)
            video_bytes += take.path("video").stat().st_size
            (media / name / "take.json").write_text(take.model_dump_json())

        base = _saved_size(_notebook(media, names, show=False), False, Path(tmp))
        without_state = _saved_size(_notebook(media, names, show=True), False, Path(tmp))
        with_state = _saved_size(_notebook(media, names, show=True), True, Path(tmp))

    print(f"3x3 grid of {SIZE[0]}x{SIZE[1]} 4 s clips, {video_bytes / 1024:.0f} KB of video in all")
    print(f"notebook without the grid output:        {base / 1024:8.1f} KB")
    failed = False
    for name, size in (("without", without_state), ("with", with_state)):
        added = (size - base) / 1024
        verdict = "PASS" if added < TARGET_KB else "FAIL"
        failed = failed or verdict == "FAIL"
        print(
            f"added by the grid, {name + ' widget state:':22} {added:8.1f} KB"
            f"  (target < {TARGET_KB:.0f} KB: {verdict})"
        )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
