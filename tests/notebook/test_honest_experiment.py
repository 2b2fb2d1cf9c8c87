"""An honest experiment from the first cell, driven through %%sora as a user types it: the
rungs are the user's own words, every cell shows its prompt before anything is spent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sora_nb.notebook import api, kernel
from sora_nb.server import ServerSettings
from tests.notebook.test_magics import cell, shell_config_reset

BRIEF = (
    "A golden retriever puppy chases soap bubbles across a sunlit backyard lawn; slow dolly in "
    "at ground level. Soft backlight through the bubbles, shallow depth of field. Warm summer "
    "afternoon, joyful mood. sound: bubbles popping, a dog barking"
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
    api.configure(bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0))
    yield ip
    ip.user_ns.clear()
    shell_config_reset(magics)
    kernel.reset()


def test_a_length_grid_sends_the_brief_itself_as_its_long_rung_and_shows_every_cell(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    cell(shell, "--dry-run --as g --vary length=short,medium,long", BRIEF)
    out = capsys.readouterr().out
    plan = shell.user_ns["g"]
    prompts = {c.labels["length"]: c.prompt for c in plan.cells}
    assert prompts["long"] == BRIEF
    assert prompts["short"] == (
        "A golden retriever puppy chases soap bubbles across a sunlit backyard lawn"
    )
    # Each cell's prompt is in the dry run, as sent.
    for number, length in enumerate(("short", "medium", "long"), start=1):
        assert f"Cell {number} of 3 (length={length}):" in out
        assert prompts[length] in out
    for invented in ("Push-in", "Light direction", "Ambience:", "Background Sound"):
        assert invented not in out
