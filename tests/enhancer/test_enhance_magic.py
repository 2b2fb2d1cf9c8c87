"""``%sora enhancer`` and ``%%sora --enhance`` in a real IPython shell, against the tests' chat
server on a real socket: the cell sends the rewrite and keeps the user's words; the errors a
user sees are one line that says what to do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from sora_nb.notebook import functions, kernel
from sora_nb.notebook.widgets import Grid
from sora_nb.runs.grid import GridRun
from sora_nb.runs.take import Take
from sora_nb.server import ServerSettings
from tests.enhancer.chat_server import ADDED, ChatServer, serve

BRIEF = "A heron lifts off the reeds at dawn, low mist, slow push-in."
KEY = "sk-magic-" + "5e1d" * 6


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    for name in (
        "SORA_NB_BASE_URL",
        "OPENAI_BASE_URL",
        "SORA_NB_API_KEY",
        "OPENAI_API_KEY",
        "SORA_NB_ENHANCER_URL",
        "SORA_NB_ENHANCER_MODEL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SORA_NB_ENHANCER_KEY", KEY)
    monkeypatch.setenv("SORA_NB_HOME", str(tmp_path / "sora_media"))
    monkeypatch.chdir(tmp_path)
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "sora_nb")
    magics = ip.magics_manager.registry["SoraMagics"]
    magics.media_dir = str(tmp_path / "sora_media")
    kernel.reset()
    functions.configure(bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0))
    yield ip
    ip.user_ns.clear()
    for name in magics.trait_names(config=True):
        magics._trait_values.pop(name, None)
    magics._applied = {}
    kernel.reset()


def test_a_cell_sends_the_rewrite_and_keeps_your_words(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = ChatServer(key=KEY)
    with serve(chat) as url:
        shell.run_line_magic("sora", f"enhancer {url} --model tiny-writer")
        said = capsys.readouterr().out
        assert said.strip() == f"Prompt enhancer: tiny-writer at {url} (asked only with --enhance)."
        shell.run_cell_magic("sora", "--seconds 4 --as plain", BRIEF)
        assert chat.bodies == []  # named, not asked
        shell.run_cell_magic("sora", "--seconds 4 --enhance --as rich", BRIEF)
        shell.run_cell_magic("sora", "--seconds 4 --vary prompt=mine,enhanced --as both", BRIEF)
    plain, rich, both = (shell.user_ns[n] for n in ("plain", "rich", "both"))
    assert isinstance(plain, Take) and plain.prompt == BRIEF and not plain.enhanced
    assert isinstance(rich, Take) and rich.status == "completed"
    assert rich.prompt == BRIEF + ADDED and rich.mine == BRIEF
    assert isinstance(both, GridRun)
    assert [t.prompt for t in both.takes] == [BRIEF, BRIEF + ADDED]
    # The same brief to the same enhancer: asked once, the grid's rewrite read from the cache;
    # the take of the rewrite is the one the --enhance cell made.
    assert len(chat.bodies) == 1 and chat.authorizations == [f"Bearer {KEY}"]
    assert both.takes[1].id == rich.id
    # The grid shows the prompt each cell sent, and offers the user's words beside a rewrite.
    view = Grid.from_run(both)
    assert [(c.prompt, c.mine) for c in view.cells] == [(BRIEF, ""), (BRIEF + ADDED, BRIEF)]
    out = capsys.readouterr().out
    assert KEY not in out
    # The plan line says who rewrote the prompt and that its price is not known.
    assert f"Prompt enhanced by tiny-writer at {url}: 1 rewrite, price unknown." in out
    assert KEY not in repr(functions.enhancer()) and KEY not in repr(kernel.session().rewrites)


def test_enhance_with_no_enhancer_named_says_how(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError) as caught:
        shell.run_cell_magic("sora", "--enhance", BRIEF)
    message = str(caught.value)
    assert "\n" not in message and "none is named" in message
    assert "%sora enhancer URL --model M" in message
    assert kernel.session().ledger.count() == 0


def test_an_enhancer_that_answers_garbage_stops_the_cell(shell: InteractiveShell) -> None:
    chat = ChatServer(mode="garbage")
    with serve(chat) as url:
        shell.run_line_magic("sora", f"enhancer {url} --model tiny-writer")
        with pytest.raises(UsageError, match="is not a chat completion") as caught:
            shell.run_cell_magic("sora", "--enhance", BRIEF)
    assert "\n" not in str(caught.value)
    assert kernel.session().ledger.count() == 0


def test_the_enhancer_command_says_what_to_type(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="--model") as caught:
        shell.run_line_magic("sora", "enhancer http://localhost:11434/v1")
    assert "%sora enhancer URL --model M" in str(caught.value)
    with pytest.raises(UsageError, match="is not an http"):
        shell.run_line_magic("sora", "enhancer localhost --model m")
    with pytest.raises(UsageError, match="drop it with --extend"):
        shell.run_cell_magic("sora", "--enhance --extend t1 --seconds 4", BRIEF)
