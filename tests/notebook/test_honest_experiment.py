"""An honest experiment from the first cell, driven through %%sora as a user types it: the
rungs are the user's own words, every cell shows its prompt before anything is spent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from sora_nb.notebook import functions, kernel
from sora_nb.prompt import word_count
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
    functions.configure(bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0))
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


def test_an_animatic_take_costs_nothing_and_says_what_it_would_have_cost(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    cell(shell, "--dry-run --as p --seconds 4", "A red kite over the dunes.")
    plan_line = capsys.readouterr().out
    assert "$0.00 (it would cost $0.40 on sora-2; the offline animatic charges nothing)" in (
        plan_line
    )
    cell(shell, "--as t --seconds 4", "A red kite over the dunes.")
    take = shell.user_ns["t"]
    assert (take.cost, take.would_cost) == (0.0, 0.4)
    said = repr(shell.run_line_magic("sora", "cost"))
    assert "$0.00 charged for 1 take since this kernel started" in said
    assert "would have cost $0.40 on the hosted models they imitate" in said
    assert "$0.40 charged" not in said


def test_config_shows_the_model_size_and_seconds_a_cell_gets_and_what_draws_it(
    shell: InteractiveShell,
) -> None:
    rows = {row["setting"]: row for row in shell.run_line_magic("sora", "config")}
    assert rows["model"]["value"] == "sora-2"
    assert rows["model"]["note"] == (
        "drawn by the bundled server's offline animatic, following sora-2's rules"
    )
    assert (rows["size"]["value"], rows["seconds"]["value"]) == ("1280x720", 4)
    assert rows["size"]["from"] == "the server's usual"
    shell.run_line_magic("config", "SoraMagics.seconds = 8")
    rows = {row["setting"]: row for row in shell.run_line_magic("sora", "config")}
    assert (rows["seconds"]["value"], rows["seconds"]["from"]) == (8, "set")


def test_a_take_on_the_bundled_server_names_the_animatic_that_drew_it(
    shell: InteractiveShell,
) -> None:
    from sora_nb.notebook.widgets.player import Player

    cell(shell, "--as t", "A kite.")
    player = Player.from_take(shell.user_ns["t"])
    assert player.model_name == "sora-2 (offline animatic)"
    assert player.cost == 0.0


def test_the_studio_offers_the_models_the_server_serves(shell: InteractiveShell) -> None:
    from sora_nb.notebook.widgets import Studio

    studio = Studio("A kite.")
    served = functions.session().server_info().models
    assert studio.model_options[: len(served)] == list(served)
    assert "LTX-2" in studio.model_options  # the animatic draws open models' rules too


@pytest.mark.parametrize(
    ("line", "says", "never"),
    [
        ("--seconds 7", "7 seconds needs LTX-2", "not offered by any known model"),
        (
            "--model nonexistent",
            "the bundled server (the offline animatic, following sora-2's rules) serves sora-2",
            "OpenAI Videos API",
        ),
    ],
)
def test_validation_speaks_of_the_server_in_use(
    shell: InteractiveShell, line: str, says: str, never: str
) -> None:
    with pytest.raises(UsageError) as caught:
        cell(shell, line, "A quiet street.")
    assert says in str(caught.value) and never not in str(caught.value)


def test_connecting_to_an_address_where_nothing_answers_fails_at_once_and_keeps_the_server(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    import getpass
    import time

    asked: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or "sk-x")
    started = time.monotonic()
    with pytest.raises(UsageError) as caught:
        shell.run_line_magic("sora", "connect http://127.0.0.1:9/v1")
    said = str(caught.value)
    assert "Nothing answered at http://127.0.0.1:9/v1" in said
    assert "%sora connect local" in said
    assert time.monotonic() - started < 5, "connecting retried a server that is not there"
    assert asked == [], "a key was asked for a server on this machine that never answered"
    # The kernel still uses the bundled server: the next cell works.
    assert functions.session().server == "local"
    cell(shell, "--as t", "A kite.")
    assert shell.user_ns["t"].ok


def test_a_key_is_asked_only_when_a_server_on_this_machine_answers_401(
    shell: InteractiveShell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import getpass

    from sora_nb.server import create_app
    from tests.server.conftest import serve

    asked: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or "sk-right")
    open_app = create_app(ServerSettings(media_dir=tmp_path / "open", time_scale=0))
    locked = create_app(
        ServerSettings(media_dir=tmp_path / "locked", time_scale=0, api_key="sk-right")
    )
    try:
        with serve(open_app) as url:
            shell.run_line_magic("sora", f"connect {url}")
            assert asked == []
        with serve(locked) as url:
            said = repr(shell.run_line_magic("sora", f"connect {url}"))
            assert len(asked) == 1 and "401" in asked[0]
            assert "Connected to" in said
            cell(shell, "--as t", "A kite.")
            assert shell.user_ns["t"].ok and shell.user_ns["t"].server == url
    finally:
        open_app.state.server.close()
        locked.state.server.close()


def test_a_failed_takes_player_shows_its_error_and_offers_no_actions(
    shell: InteractiveShell,
) -> None:
    from sora_nb.notebook.widgets.player import Player

    # The bundled server's simulated guardrail refuses a copyrighted character.
    cell(shell, "--as t", "Mickey Mouse flies a kite.")
    take = shell.user_ns["t"]
    assert take.status == "failed"
    player = Player.from_take(take, session=functions.session())
    assert player.error
    assert "video" not in player.files
    for why in (player.blocked.remix, player.blocked.extend, player.blocked.edit):
        assert why == "This take failed: there is no video to " + why.rsplit(" ", 1)[-1]


def test_history_shows_the_columns_a_person_reads_first_and_drops_empty_ones(
    shell: InteractiveShell,
) -> None:
    import datetime as dt

    import sora_nb

    cell(shell, "--as a --seconds 4", BRIEF)
    cell(shell, "--as b --seconds 8", "A red kite over the dunes.")
    table = shell.run_line_magic("sora", "history -n 3")
    assert table.title == "All 2 takes in this media folder"  # the caption says what it shows
    assert table.columns() == [
        "when", "take", "prompt", "model", "size", "seconds", "status", "cost"
    ]  # fmt: skip
    newest, oldest = table.rows
    assert newest["take"] == shell.user_ns["b"].id
    assert newest["prompt"] == "A red kite over the dunes. (6 words)"
    assert oldest["prompt"].endswith(f"… ({word_count(BRIEF)} words)")
    assert len(oldest["prompt"]) < 80
    made = dt.datetime.fromtimestamp(round(shell.user_ns["b"].created_at))
    assert newest["when"] == made.strftime("%Y-%m-%d %H:%M:%S")  # local time, not epoch
    assert len(shell.run_line_magic("sora", "history -n 1").rows) == 1
    assert shell.run_line_magic("sora", "history -n 1").title == "The last take"

    frame = sora_nb.history()
    assert list(frame.columns[:4]) == ["when", "take_id", "prompt", "words"]
    assert frame["prompt"][1] == BRIEF  # the DataFrame keeps the whole prompt
    assert "steps" not in frame.columns  # empty in every row
    assert "created_at" not in frame.columns  # epoch seconds: ``when`` shows the local time
    everything = sora_nb.history(all_columns=True)
    assert {"steps", "seed", "created_at", "would_cost"} <= set(everything.columns)


def test_models_say_what_the_bundled_server_does_with_them(shell: InteractiveShell) -> None:
    rows = {row["model"]: row for row in shell.run_line_magic("sora", "models")}
    assert rows["sora-2"]["here"] == "offline animatic following sora-2's rules, $0"
