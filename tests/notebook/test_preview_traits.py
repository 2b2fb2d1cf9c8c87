"""The preview a running take carries reaches the Player's and the Grid's state while it runs,
and leaves it once the take is done (a finished take's widget state holds no bytes)."""

from __future__ import annotations

from pathlib import Path

from sora_nb.notebook.widgets import Grid, Player
from tests.ui._media import make_take

JPEG = b"\xff\xd8\xff\xe0 a preview"


def test_player_and_grid_carry_the_preview_while_the_take_runs(tmp_path: Path) -> None:
    done = make_take(tmp_path, "done")
    running = make_take(tmp_path, "running", status="in_progress", with_files=False)
    player = Player.from_take(running)
    grid = Grid([done, running])
    assert player.preview is None and grid.previews == {}
    running.show_preview(JPEG)
    assert player.preview == JPEG
    assert grid.previews == {"1": JPEG}  # by cell index: the second cell
    newer = JPEG + b" later"
    running.show_preview(newer)
    assert player.preview == newer and grid.previews == {"1": newer}
    running.update(status="failed", progress=0)
    assert player.preview is None and grid.previews == {}
