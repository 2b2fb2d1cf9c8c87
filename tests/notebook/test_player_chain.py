"""The Player's Extend and Edit beside Remix, and the chain it shows: against the bundled server
(the animatic at a sixteenth of the size), as the page's clicks reach the kernel."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sora_nb.notebook.widgets import Player
from sora_nb.notebook.widgets.player import NO_SESSION
from sora_nb.research.joins import read_joins
from sora_nb.runs.session import Session
from sora_nb.runs.take import Take
from sora_nb.server import ServerSettings
from tests.cameos import figure_clip
from tests.notebook.test_continuity import small
from tests.ui._media import make_take


def _session(root: Path, dialect: str | None = None) -> Session:
    return Session(
        root / "media",
        bundled=ServerSettings(media_dir=root / "server", time_scale=0, renderer=small),
        dialect=dialect,
    )


@pytest.fixture
def session(tmp_path: Path) -> Session:
    return _session(tmp_path)


def _made(
    session: Session, prompt: str = "A red kite over the dunes at dusk.", **plan: object
) -> Take:
    (take,) = session.run_plan(session.plan(prompt, seconds=4, **plan)).takes  # type: ignore[arg-type]
    assert take.ok, take.error
    return take


def _click(player: Player, action: str, prompt: str, **extra: object) -> None:
    """What the page sends when a button is pressed (see js/src/player_actions.js)."""
    player._handle_message(player, {"type": action, "prompt": prompt, **extra}, [])


def _until(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        time.sleep(0.02)


def test_extend_and_edit_are_offered_only_where_the_server_has_them(
    session: Session, tmp_path: Path
) -> None:
    take = _made(session)
    assert Player.from_take(take, session=session).blocked.model_dump() == {
        "remix": "",
        "extend": "",
        "edit": "",
    }
    engine = _session(tmp_path / "engine", dialect="vllm-omni")
    blocked = Player.from_take(take, session=engine).blocked
    assert blocked.extend == (
        "The vLLM-Omni cannot extend a video (it has no /videos/extensions route)."
    )
    assert blocked.edit == "The vLLM-Omni cannot edit a video (it has no /videos/edits route)."
    assert blocked.remix.startswith("The vLLM-Omni cannot remix a video")
    # Without a session nothing can send: each button says so, until something listens.
    alone = Player.from_take(take)
    assert alone.blocked.extend == alone.blocked.edit == alone.blocked.remix == NO_SESSION
    asked: list[tuple[str, int]] = []
    stop = alone.on_extend(lambda prompt, seconds: asked.append((prompt, seconds)))
    assert alone.blocked.extend == "" and alone.blocked.edit == NO_SESSION
    _click(alone, "extend", "She waves.", seconds=12)
    assert asked == [("She waves.", 12)]
    stop()
    assert alone.blocked.extend == NO_SESSION


def test_extend_then_edit_grow_the_chain_the_player_shows(session: Session) -> None:
    take = _made(session)
    player = Player.from_take(take, session=session)
    assert [(s.kind, s.current) for s in player.chain] == [("create", True)]
    assert player.chain[0].thumbnail is not None

    _click(player, "extend", "  The kite dives toward the sand.  ", seconds=8)
    extension = player.take
    assert extension is not None and extension is not take
    assert (extension.kind, extension.parent) == ("extension", take)
    assert player.handled == 1 and player.error == ""
    extension.wait(60)
    _until(lambda: player.status == "completed", "the extension to complete in the player")
    assert player.seconds == 12 == extension.video_seconds  # the whole video, not the 8 s added
    steps = player.chain
    assert [(s.take_id, s.kind, s.label, s.seconds, s.video_seconds) for s in steps] == [
        (take.id, "create", "create 4 s", 4, 4),
        (extension.id, "extension", "extend +8 s", 8, 12),
    ]
    assert [s.current for s in steps] == [False, True]
    assert [s.status for s in steps] == ["completed", "completed"]
    assert steps[1].prompt == "The kite dives toward the sand."
    assert all(s.thumbnail is not None for s in steps)
    # Continuity at the join is read in the background, then shown on the extension's step.
    _until(lambda: player.chain[1].join is not None, "the join's continuity reading")
    (reading,) = read_joins(extension)
    join = player.chain[1].join
    assert join is not None
    assert (join.at_seconds, join.colour, join.layout) == (4.0, reading.colour, reading.layout)
    assert player.chain[0].join is None
    assert "1 = the same" in player.chain_note
    # A step's poster is one of the files the page may ask the kernel for; nothing else is.
    assert player._file_for(f"chain:{take.id}") == take.path("thumbnail")
    assert player._file_for("chain:take_elsewhere") is None

    _click(player, "edit", "Make it night.")
    edit = player.take
    assert edit is not None and edit.kind == "edit"
    edit.wait(60)
    _until(lambda: player.status == "completed", "the edit to complete in the player")
    assert [(s.kind, s.video_seconds) for s in player.chain] == [
        ("create", 4),
        ("extension", 12),
        ("edit", 12),
    ]
    assert player.seconds == 12
    # The extension's join now reads from the edited video, the latest that holds it.
    _until(lambda: player.chain[1].join is not None, "the edited video's join reading")
    assert player.handled == 2

    # The chain comes from the ledger: a take read back shows the same steps.
    found = session.ledger.get(edit.id)
    assert found is not None
    again = Player.from_take(found, session=session)
    assert [s.take_id for s in again.chain] == [take.id, extension.id, edit.id]


def test_a_refusal_shows_in_the_error_line_and_sends_nothing(
    session: Session, tmp_path: Path
) -> None:
    running = make_take(session.media_dir, "running", status="in_progress", with_files=False)
    player = Player.from_take(running, session=session)
    _click(player, "edit", "Make it night.")
    assert player.take is running
    assert player.error == (
        "The edit was not sent: Take running is in_progress; only a finished take can be edited."
    )
    # The take's own updates keep the refusal on screen (until the next action).
    running.update(progress=50)
    assert player.error.startswith("The edit was not sent")
    assert session.ledger.count() == 0

    # The service's caps: six extensions at most.
    take = _made(session)
    for _ in range(6):
        take = session.derive(take, "extension", "The kite climbs again.", seconds=4)
        assert take.ok
    player = Player.from_take(take, session=session)
    made = session.ledger.count()
    _click(player, "extend", "And again.", seconds=4)
    assert player.take is take
    assert player.error == (
        "The extension was not sent: This video has been extended 6 times, the most a video "
        "may be; edit it, or start a new video."
    )
    assert session.ledger.count() == made
    _click(player, "extend", "A length it does not take.", seconds=5)
    assert player.error.startswith("An extension adds 4, 8, 12, 16 or 20 seconds, not 5")
    assert player.handled == 2


def test_remix_keeps_the_takes_characters(session: Session, tmp_path: Path) -> None:
    session.add_character("Maya", figure_clip(tmp_path / "maya.mp4"))
    take = _made(session, "Maya flies a red kite on the beach.", characters=["Maya"])
    player = Player.from_take(take, session=session)
    _click(player, "remix", "Maya flies it at night.")
    remix = player.take
    assert remix is not None and remix.kind == "remix"
    assert remix.request.characters == take.request.characters
    assert [m.name for m in remix.request.characters] == ["Maya"]
    assert remix.request.remix_of == take.job_id


def test_a_chain_to_follow_ends_with_its_take(session: Session) -> None:
    take = _made(session)
    other = _made(session, "A heron in the reeds.")
    with pytest.raises(ValueError, match="ends with the take it follows"):
        Player().follow(take, chain=[take, other])
