"""Callbacks that let go: a take shown many times keeps one follower, a closed widget stops
following its takes, and a failing user callback shows in the widget instead of vanishing."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from ipywidgets.widgets.widget import _instances

from sora_nb.notebook import kernel
from sora_nb.notebook.widgets import Grid, Player
from sora_nb.runs.take import Take
from tests.notebook.test_magics import shell_config_reset
from tests.ui._media import make_take

WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.chdir(tmp_path)
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "sora_nb")
    magics = ip.magics_manager.registry["SoraMagics"]
    magics.media_dir = str(tmp_path / "sora_media")
    kernel.reset()
    yield ip
    shell_config_reset(magics)
    kernel.reset()


def _players() -> int:
    return sum(isinstance(w, Player) for w in _instances.values())


def test_showing_one_take_a_hundred_times_leaves_one_follower(
    shell: InteractiveShell, tmp_path: Path
) -> None:
    take = make_take(tmp_path / "media", "shown")
    running = make_take(tmp_path / "media", "running", status="in_progress", with_files=False)
    before = _players()
    for _ in range(100):
        for result in (take, running):
            data, _meta = shell.display_formatter.format(result)
            assert WIDGET in data
    # One player per take, with as many views as it was shown: not a hundred players.
    assert (take.subscribers, running.subscribers) == (1, 1)
    assert _players() - before == 2
    ids = {shell.display_formatter.format(take)[0][WIDGET]["model_id"] for _ in range(3)}
    assert len(ids) == 1
    # The running take still reaches its (one) player.
    running.update(progress=60)
    player = next(w for w in _instances.values() if isinstance(w, Player) and w.take is running)
    assert player.progress == 60


def test_a_closed_player_lets_go_of_its_take_and_a_new_one_follows(tmp_path: Path) -> None:
    take = make_take(tmp_path, "t", status="in_progress", with_files=False)
    player = Player.from_take(take)
    assert take.subscribers == 1
    player.close()
    assert take.subscribers == 0
    take.update(progress=50)  # nobody to tell, and nothing fails
    from sora_nb.notebook.display import widget_for

    again = widget_for(take)
    assert again is not player and take.subscribers == 1
    assert widget_for(take) is again


def test_a_player_following_a_remix_lets_go_of_the_first_take(tmp_path: Path) -> None:
    first = make_take(tmp_path, "first")
    remix = make_take(tmp_path, "remix", status="queued", with_files=False)
    player = Player.from_take(first)
    player.follow(remix)
    assert (first.subscribers, remix.subscribers) == (0, 1)


def test_a_closed_grid_lets_go_of_every_take(tmp_path: Path) -> None:
    takes = [make_take(tmp_path, f"g{i}", status="queued", with_files=False) for i in range(4)]
    grid = Grid(takes)
    assert [t.subscribers for t in takes] == [1] * 4
    grid.close()
    gc.collect()
    assert [t.subscribers for t in takes] == [0] * 4


def test_a_failing_rating_callback_shows_in_the_grid_and_the_others_still_run(
    tmp_path: Path,
) -> None:
    takes = [make_take(tmp_path, f"r{i}", status="queued", with_files=False) for i in range(2)]
    grid = Grid(takes)
    seen: list[int] = []

    def broken(index: int, take_id: str, rating: int | None, note: str) -> None:
        raise ZeroDivisionError("division by zero")

    grid.on_rate(broken)
    grid.on_rate(lambda index, *_: seen.append(index))
    grid.feedback = {"1": {"rating": 1, "note": ""}}  # as a click in the page sets it
    assert seen == [1]
    assert grid.error == (
        "Your on_rate callback broken failed: ZeroDivisionError: division by zero"
    )
    grid.on_rate(broken, remove=True)
    grid.feedback = {"1": {"rating": -1, "note": ""}}
    assert grid.error == "" and seen == [1, 1]


def test_unsubscribing_from_a_take(tmp_path: Path) -> None:
    take: Take = make_take(tmp_path, "u", status="queued", with_files=False)
    calls: list[str] = []
    unsubscribe = take.on_change(lambda t: calls.append(t.status))
    take.update(status="in_progress")
    unsubscribe()
    unsubscribe()  # a second call is harmless
    take.update(status="completed")
    assert calls == ["in_progress"] and take.subscribers == 0

    def follow(t: Take) -> None:
        calls.append("again")

    take.on_change(follow)
    take.on_change(follow, remove=True)
    take.update(progress=100)
    assert take.subscribers == 0 and calls == ["in_progress"]
