"""Settings survive mistakes: a refused setting is not kept, and a later command keeps the
settings a user chose (the media folder, the server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.error import UsageError

from sora_nb.notebook import functions
from sora_nb.runs.take import Take
from sora_nb.server import ServerSettings, create_app
from tests.reliability.conftest import PROMPT, Studio
from tests.server.conftest import serve


def test_a_bad_server_url_in_one_cell_does_not_break_the_next(studio: Studio) -> None:
    with pytest.raises(UsageError, match="'notaurl' is not an http"):
        studio.cell("--server notaurl")
    studio.cell("--as after")  # the next cell, without --server, uses the bundled server again
    assert studio.shell.user_ns["after"].ok


def test_a_bad_setting_in_python_does_not_poison_the_next_call(studio: Studio) -> None:
    with pytest.raises(ValueError, match="not an http"):
        functions.configure(base_url="notaurl")
    # A later, valid change must not bring the refused URL back with it.
    studio.configure(budget=5)
    take = functions.generate(PROMPT)
    assert isinstance(take, Take) and take.ok and take.server == "local"


def test_connect_keeps_the_chosen_media_folder(
    studio: Studio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SORA_NB_API_KEY", "sk-test-connect")
    chosen = tmp_path / "chosen"
    studio.shell.run_line_magic("config", f"SoraMagics.media_dir = {str(chosen)!r}")
    app = create_app(ServerSettings(media_dir=tmp_path / "remote", time_scale=0))
    try:
        with serve(app) as url:
            studio.line(f"connect {url}")
            studio.cell("--as remote")
    finally:
        app.state.server.close()
    take = studio.shell.user_ns["remote"]
    assert take.ok and take.server == url
    assert take.media_dir == chosen, "%sora connect dropped SoraMagics.media_dir"
