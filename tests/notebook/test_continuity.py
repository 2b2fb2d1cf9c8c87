"""Cameos and continuity in a real IPython shell: %sora character add, %sora characters,
%%sora --character (the lint's warning for a name the prompt lacks), --extend, --edit,
--shot-by-shot with the whole chain's cost first, --vary character, %sora chain, and the same
in Python (sora_nb.character, take.extend, take.edit, chain_grid, continuity)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from sora_nb.notebook import functions, kernel
from sora_nb.runs.take import Take
from sora_nb.server import ServerSettings
from sora_nb.server.renderers.animatic import AnimaticFiles, AnimaticRequest, render
from tests.cameos import figure_clip
from tests.notebook.test_magics import cell, shell_config_reset


def small(request: AnimaticRequest, out_dir: Path) -> AnimaticFiles:
    """The animatic at a sixteenth of the size: the same chains, in a fraction of the time."""
    return render(
        dataclasses.replace(
            request, width=request.width // 32 * 2, height=request.height // 32 * 2
        ),
        out_dir,
    )


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "sora_nb")
    magics = ip.magics_manager.registry["SoraMagics"]
    magics.media_dir = str(tmp_path / "sora_media")
    kernel.reset()
    settings = ServerSettings(media_dir=tmp_path / "server", time_scale=0, renderer=small)
    functions.configure(bundled=settings)
    figure_clip(tmp_path / "maya.mp4")
    figure_clip(tmp_path / "theo.mp4", coat=(30, 130, 70), hat=(230, 190, 40))
    yield ip
    ip.user_ns.clear()
    shell_config_reset(magics)
    kernel.reset()


def line(ip: InteractiveShell, text: str) -> object:
    return ip.run_line_magic("sora", text)


def test_characters_are_made_listed_and_featured(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    said = line(shell, "character add Maya maya.mp4")
    assert "Maya is ready" in repr(said) and "--character Maya" in repr(said)
    line(shell, "character add Theo theo.mp4")
    table = line(shell, "characters")
    assert [row["name"] for row in table] == ["Maya", "Theo"]  # type: ignore[attr-defined]
    assert all(row["ids"]["local"].startswith("char_") for row in table)  # type: ignore[attr-defined]
    capsys.readouterr()
    cell(shell, "--character Maya --character Theo --as both", "Maya and Theo share an umbrella.")
    both = shell.user_ns["both"]
    assert [m.name for m in both.request.characters] == ["Maya", "Theo"]
    assert both.status == "completed"
    assert "Lint:" not in capsys.readouterr().out
    # A character the prompt does not name: warned before it is sent (and sent).
    cell(shell, "--character Theo --as unnamed", "A man waits at the bus stop.")
    out = capsys.readouterr().out
    assert "Lint: warning: The character Theo is sent with this prompt but the prompt never" in out
    assert shell.user_ns["unnamed"].status == "completed"
    with pytest.raises(UsageError, match="two characters at most"):
        cell(shell, "--character A --character B --character C", "A, B and C.")
    with pytest.raises(UsageError, match="no character Zed in this media folder"):
        cell(shell, "--character Zed", "Zed waits.")


def test_extend_edit_and_the_chain_after_a_restart(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    line(shell, "character add Maya maya.mp4")
    cell(shell, "--character Maya --seconds 4 --as first", "Maya walks through a forest at noon.")
    capsys.readouterr()
    cell(shell, "--extend first --seconds 8 --as longer", "She stops and looks up at the pines.")
    out = capsys.readouterr().out
    first, longer = shell.user_ns["first"], shell.user_ns["longer"]
    assert f"Extension of {first.id}" in out and "3 steps" not in out
    assert "will have 2 steps and last 12 s" in out
    cell(shell, "--edit longer --as night", "Make it night.")
    night = shell.user_ns["night"]
    assert [t.kind for t in night.chain()] == ["create", "extension", "edit"]
    with pytest.raises(UsageError, match="--extend needs how much longer"):
        cell(shell, "--extend first", "More.")
    with pytest.raises(UsageError, match="an edit keeps its video's length"):
        cell(shell, "--edit first --seconds 8", "More.")
    # A restarted kernel reads the same chain from the ledger, and extends a take it finds.
    kernel.reset()
    functions.configure(bundled=ServerSettings(media_dir=Path("server").resolve(), time_scale=0))
    found = functions.session().ledger.get(night.id)
    assert found is not None
    assert [t.id for t in found.chain()] == [first.id, longer.id, night.id]
    assert found.parent == longer
    # A take read back from the ledger extends through the kernel's session: the same
    # extension as before, so it comes from the ledger.
    first_found = functions.session().ledger.get(first.id)
    assert first_found is not None
    again = first_found.extend("She stops and looks up at the pines.", seconds=8)
    assert again.cached and again.id == longer.id


def test_python_face(shell: InteractiveShell) -> None:
    import sora_nb

    maya = sora_nb.character("Maya", "maya.mp4")
    assert maya.name == "Maya" and [c.name for c in sora_nb.characters()] == ["Maya"]
    take = sora_nb.generate("Maya crosses a bridge at dusk.", characters=["Maya"], seconds=4)
    assert isinstance(take, Take)
    longer = take.extend("She reaches the far side.", seconds=4)
    edited = longer.edit("New palette: teal, sand, rust.")
    assert (longer.parent, edited.parent) == (take, longer)
    again = sora_nb.extend(take, "She reaches the far side.", seconds=4)
    assert again.cached and again.id == longer.id
    table = sora_nb.continuity(edited)
    assert list(table["join"]) == [1] and list(table["at_seconds"]) == [4.0]
    assert 0 <= float(table["colour"][0]) <= 1


def test_shot_by_shot_shows_the_whole_cost_first_and_a_grid_of_steps(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    line(shell, "character add Maya maya.mp4")
    storyboard = (
        "Maya walks through a forest at noon.\n\n"
        "Shot 1 (4s): wide shot, Maya walks between the pines; slow pan.\n"
        "Shot 2 (8s): close-up, she stops and listens; push-in.\n"
    )
    cell(shell, "--shot-by-shot --character Maya --dry-run", storyboard)
    out = capsys.readouterr().out
    assert "Dry run, nothing sent: Shot by shot: 2 steps (create 4 s, extend +8 s) = 12 s" in out
    assert "it would cost $1.20 on sora-2" in out and functions.session().ledger.count() == 0
    cell(shell, "--shot-by-shot --character Maya --as scene", storyboard)
    scene = shell.user_ns["scene"]
    assert [t.kind for t in scene.chain()] == ["create", "extension"]
    run = kernel.last_run()
    assert run is not None and run.plan.shape == (1, 2)
    with pytest.raises(UsageError, match="storyboard of two shots or more"):
        cell(shell, "--shot-by-shot", "One shot only.")


def test_a_grid_over_characters_and_one_over_chain_steps(shell: InteractiveShell) -> None:
    line(shell, "character add Maya maya.mp4")
    line(shell, "character add Theo theo.mp4")
    cell(shell, "--vary character=Maya,Theo --as cast", "Maya waits under a street lamp at night.")
    run = shell.user_ns["cast"]
    assert [c.prompt for c in run.plan.cells] == [
        "Maya waits under a street lamp at night.",
        "Theo waits under a street lamp at night.",
    ]
    maya, theo = run.takes
    shell.user_ns["m2"] = maya.extend("She looks up.", seconds=4)
    shell.user_ns["t2"] = theo.extend("He looks up.", seconds=4)
    table = line(shell, "chain m2 t2")
    chains = kernel.last_run()
    assert chains is not None and chains.plan.shape == (2, 2)
    rows = list(table)  # type: ignore[call-overload]
    assert [row["join"] for row in rows] == [1, 1] and all(row["at_seconds"] == 4.0 for row in rows)
