"""Every gallery notebook runs top to bottom, offline, on the bundled server, and stays clean.

Each notebook runs headless with nbclient as a user would run it: in a virtualenv made from the
wheel (``pip install sora_nb``) plus only the extras its first cell names, with no other package
added, in a copy of the notebooks folder (so its ``sora_media`` lands in a temporary folder),
without storing widget state.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from tests.installed import KERNEL, Installed, copy_with

GALLERY = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(GALLERY.glob("*.ipynb"))
#: The issue's limit for one notebook on the bundled server.
LIMIT_SECONDS = 60
#: The line of a notebook's first cell that says what it needs installed.
NEEDS = re.compile(r"\*\*Needs:\*\* `pip install sora_nb(?P<extras>(?: [\w.\-\[\]<>=]+)*)`")
#: What notebook 03 says when matplotlib, its one extra, is missing.
NO_MATPLOTLIB = "The plot needs matplotlib, which is not installed: pip install matplotlib."
#: The extras of the notebooks that render with open models through diffusers (07, 08, 10).
OPEN_MODELS = ["torch", "diffusers", "transformers", "accelerate", "ftfy"]
#: What the extras install may take of torch. A notebook's line says `torch`, as a user types
#: it; on these machines PyPI's torch is a multi-GB CUDA build, while torch 2.13.0 is a CPU
#: build on local disk (shared/TESTING.md), so pip is held to that one by a constraint.
TORCH_CONSTRAINT = "torch==2.13.0"

pytestmark = pytest.mark.timeout(600)  # the first run builds and installs the wheel


def extras_of(path: Path) -> list[str]:
    """The packages a notebook's first cell says it needs beyond sora_nb."""
    first = nbformat.read(path, as_version=4).cells[0].source
    found = NEEDS.search(first)
    assert found, f"{path.name}: its first cell must say what it needs (**Needs:** `pip ...`)"
    return found["extras"].split()


def test_the_gallery_is_there() -> None:
    assert [p.name for p in NOTEBOOKS][:1] == ["01_quickstart.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_without_outputs_or_widget_state(path: Path) -> None:
    book = json.loads(path.read_text())
    assert "widgets" not in book.get("metadata", {})
    for cell in book["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_first_cell_says_what_the_notebook_needs(path: Path) -> None:
    needs = {"03_prompt_length": ["matplotlib"], "07_open_models": OPEN_MODELS}
    needs["08_real_video_local"] = OPEN_MODELS
    needs["10_open_model_controls"] = [*OPEN_MODELS, "peft"]  # diffusers loads LoRAs with it
    assert extras_of(path) == needs.get(path.stem, [])


def _run(path: Path, env: Installed, work: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run ``path`` headless on ``env``'s kernel in a copy of the gallery; the executed book."""
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SORA_NB_HOME", raising=False)
    monkeypatch.setenv("JUPYTER_PATH", str(env.jupyter_path))  # where the kernel spec is
    # 08 renders with a tiny model on the CPU: one torch thread, so other work on a shared
    # machine cannot stall it at OpenMP's barriers.
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    shutil.copytree(GALLERY, work, ignore=shutil.ignore_patterns("sora_media", ".ipynb_*"))
    book = nbformat.read(work / path.name, as_version=4)
    client = NotebookClient(
        book,
        timeout=LIMIT_SECONDS,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(work)}},
        store_widget_state=False,
    )
    start = time.monotonic()
    client.execute()
    elapsed = time.monotonic() - start
    assert elapsed < LIMIT_SECONDS, f"{path.name} took {elapsed:.0f} s"
    saved = nbformat.writes(book)
    assert "video/mp4" not in saved and "AAAAIGZ0eXBpc29t" not in saved  # no embedded MP4
    assert (work / "sora_media" / "ledger.sqlite3").is_file()
    # Whatever a notebook writes (clips, tiny models) goes under its media folder, not beside it.
    left = {p.name for p in work.iterdir()} - {p.name for p in GALLERY.iterdir()}
    assert left <= {"sora_media", ".ipynb_checkpoints"}, f"{path.name} left {sorted(left)}"
    return book


def _texts(book: Any) -> str:
    """What the notebook printed and showed as plain text, cell after cell."""
    return "\n".join(
        output.get("text", "") or output.get("data", {}).get("text/plain", "")
        for cell in book.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


@pytest.fixture(scope="session")
def with_extras(
    installed: Installed, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, ...], Installed]:
    """The wheel's virtualenv plus a notebook's extras, made once per set of extras."""
    made: dict[tuple[str, ...], Installed] = {(): installed}
    constraints = tmp_path_factory.mktemp("constraints") / "constraints.txt"
    constraints.write_text(TORCH_CONSTRAINT + "\n")
    for path in NOTEBOOKS:
        extras = tuple(extras_of(path))
        if extras not in made:
            started = time.monotonic()
            made[extras] = copy_with(
                installed,
                tmp_path_factory.mktemp("extras") / "venv",
                *extras,
                constraints=constraints,
            )
            # The figure CI pays for each set of extras, in the log of a run with -s.
            print(f"virtualenv with {' '.join(extras)}: {time.monotonic() - started:.0f} s")
    return made


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_runs_on_the_wheel_and_its_first_cells_extras(
    path: Path,
    with_extras: dict[tuple[str, ...], Installed],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = with_extras[tuple(extras_of(path))]
    book = _run(path, env, tmp_path / "notebooks", monkeypatch)
    if path.stem == "01_quickstart":
        # `%sora history -n 3` after the first take: its caption says what it shows.
        history = _texts(book).split("The only take in this media folder\n", 1)
        assert len(history) == 2 and history[1].startswith("when | take | prompt |")
        assert "The last 3 takes" not in _texts(book)
    if path.stem == "03_prompt_length":
        plots = [
            output
            for cell in book.cells
            if cell.cell_type == "code"
            for output in cell.outputs
            if "image/png" in output.get("data", {})
        ]
        assert plots, "notebook 03 draws its plot with matplotlib"
        assert NO_MATPLOTLIB not in _texts(book)
        # The rungs are the brief's own words; the dry run shows every cell as sent.
        assert "The long rung is the brief, character for character: True" in _texts(book)
        assert "Cell 3 of 3 (length=long):" in _texts(book)
    if path.stem in ("07_open_models", "08_real_video_local"):
        texts = _texts(book)
        assert "on cpu in float32" in texts  # the tiny model, on this machine's CPU
        assert "GPU s" in texts and "failed" not in texts
    if path.stem == "07_open_models":
        # Both engines found for what they are; the same seed made the same video on both.
        assert "Dialect: vLLM-Omni 0.30.0 (/v1/models owned_by 'vllm')." in texts
        assert "Dialect: SGLang Diffusion 0.5.23 (/v1/models owned_by 'sglang')." in texts
        assert texts.count(" True") >= 3 and " False" not in texts
    if path.stem == "10_open_model_controls":
        texts = _texts(book)
        # Mine beside the rewrite, both kept; the ladder's enhanced rung read from the cache.
        assert "Prompt enhanced by stand-in at http://127.0.0.1:" in texts
        assert "enhanced take 2: A heron lifts off the reeds at dawn." in texts
        assert "questions asked of the enhancer: 1" in texts
        # A last frame reaches the model, a wrong-sized one is refused; a strength grid's
        # takes all name the take they were made from.
        assert "the last frame changed the frames: True" in texts
        assert "refused: The last frame is 224x100 but the video is 112x64" in texts
        assert "fitted: completed" in texts
        assert texts.count("made from the source take: True") == 3
        # A strength sweep of adapters: every adapter, at every strength, moves the frames.
        for label in ("ghibli:0.5", "ghibli:1", "grain:1"):
            assert f"adapter {label} moved the frames: True" in texts
    if path.stem == "08_real_video_local":
        assert "[(7, True, True), (8, True, True)]" in texts  # --no-cache, same seeds, same bytes


def test_without_its_extra_notebook_03_says_so_plainly_and_runs_on(
    installed: Installed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not installed.has("matplotlib")
    book = _run(GALLERY / "03_prompt_length.ipynb", installed, tmp_path / "notebooks", monkeypatch)
    assert NO_MATPLOTLIB in _texts(book)
