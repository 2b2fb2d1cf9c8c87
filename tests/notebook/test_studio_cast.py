"""The Studio's characters and shot-by-shot storyboards, against the bundled server: the folder's
cast offered with posters, picks passed to the plan, the lint for a name the prompt lacks, a
character made on the current server when asked, and a storyboard's whole chain priced first."""

from __future__ import annotations

from pathlib import Path

import pytest
from traitlets import TraitError

from sora_nb.notebook.widgets import Player, Studio
from sora_nb.runs.session import Session
from sora_nb.runs.take import Take
from sora_nb.server import ServerSettings
from tests.cameos import figure_clip
from tests.notebook.test_continuity import small

STORYBOARD = (
    "Maya walks through a forest at noon.\n\n"
    "Shot 1 (4s): wide shot, Maya walks between the pines; slow pan.\n"
    "Shot 2 (4s): close-up, she stops and listens; push-in.\n"
)


def _session(root: Path, dialect: str | None = None) -> Session:
    return Session(
        root / "media",
        bundled=ServerSettings(media_dir=root / "server", time_scale=0, renderer=small),
        dialect=dialect,
    )


@pytest.fixture
def session(tmp_path: Path) -> Session:
    """Maya made on the bundled server; Theo only kept in the folder (made on another one)."""
    made = _session(tmp_path)
    made.add_character("Maya", figure_clip(tmp_path / "maya.mp4"))
    clip = figure_clip(tmp_path / "theo.mp4", coat=(30, 130, 70), hat=(230, 190, 40))
    made.cast.keep("Theo", clip.read_bytes())
    return made


def _lint(studio: Studio) -> list[str]:
    return [issue.message for issue in studio.lint]


def test_the_folders_characters_are_offered_with_posters(session: Session) -> None:
    studio = Studio("Maya waits at the pier.", session=session)
    options = studio.character_options
    assert [(o.name, o.made_here) for o in options] == [("Maya", True), ("Theo", False)]
    maya = options[0].thumbnail
    assert maya is not None and maya.path.startswith("characters/") and maya.size > 0
    assert studio.characters_blocked == ""
    # The page may read the posters it shows, and nothing else.
    record = session.cast.get("Maya")
    assert record is not None
    assert studio._file_for("character:Maya") == record.path(session.media_dir, "thumbnail")
    assert studio._file_for("character:Zed") is None
    assert studio._file_for("video") is None
    state = studio.get_state()
    assert not [k for k, v in state.items() if isinstance(v, (bytes, memoryview))]


def test_picks_go_to_the_plan_and_the_lint_names_a_missing_one(session: Session) -> None:
    studio = Studio("A woman waits at the pier at dusk.", session=session)
    studio.characters = ["maya"]  # any case, as the folder's lookup takes it
    assert studio.blocked == ""
    assert any("The character maya is sent with this prompt" in m for m in _lint(studio))
    studio.prompt = "Maya waits at the pier at dusk."
    assert not [m for m in _lint(studio) if "character" in m.lower()]
    take = studio.generate()
    assert isinstance(take, Take)
    assert [m.name for m in take.request.characters] == ["Maya"]
    assert isinstance(studio.result, Player)
    with pytest.raises(TraitError, match="two characters at most"):
        studio.characters = ["Maya", "Theo", "Ada"]
    assert studio.characters == ["maya"]


def test_a_character_this_server_lacks_is_made_when_asked(session: Session) -> None:
    studio = Studio("Theo and Maya share an umbrella.", session=session)
    studio.characters = ["Theo"]
    assert studio.blocked.startswith("Theo has not been made on this server yet: press Make here")
    studio._handle_message(studio, {"type": "make-character", "name": "Theo"}, [])
    assert studio.handled == 1 and studio.error == ""
    assert studio.status == "Theo is made on this server: pick it to feature it."
    assert [(o.name, o.made_here) for o in studio.character_options] == [
        ("Maya", True),
        ("Theo", True),
    ]
    assert studio.blocked == ""
    theo = session.cast.get("Theo")
    assert theo is not None and (theo.id_on(session.server) or "").startswith("char_")
    # A name the folder does not hold: said in the studio's error line, nothing made.
    studio._handle_message(studio, {"type": "make-character", "name": "Zed"}, [])
    assert "There is no character Zed" in studio.error and studio.handled == 2


def test_a_server_without_characters_says_so(session: Session, tmp_path: Path) -> None:
    engine = _session(tmp_path / "engine", dialect="vllm-omni")
    engine.cast.keep("Maya", (tmp_path / "maya.mp4").read_bytes())
    studio = Studio("Maya waits at the pier.", session=engine)
    why = "The vLLM-Omni cannot feature characters (it has no /videos/characters route)."
    assert studio.characters_blocked == why
    studio.characters = ["Maya"]
    assert studio.blocked == f"{why} Unpick Maya to generate here."


def test_a_storyboard_shot_by_shot_is_priced_first_and_played_as_one_chain(
    session: Session,
) -> None:
    studio = Studio(STORYBOARD, session=session, characters=["Maya"])
    assert len(studio.shots) == 2
    studio.shot_by_shot = True
    assert studio.cost_text.startswith(
        "Shot by shot: 2 steps (create 4 s, extend +4 s) = 8 s; the whole chain $0.00 (it "
        "would cost $0.80 on sora-2; the offline animatic charges nothing)"
    )
    assert studio.compare_blocked.startswith("Compare lengths makes one video per length")
    assert session.ledger.count() == 0  # priced, nothing sent
    last = studio.generate()
    assert isinstance(last, Take) and last.kind == "extension"
    assert [t.kind for t in studio.last_chain] == ["create", "extension"]
    player = studio.result
    assert isinstance(player, Player) and player.take is last
    assert [s.kind for s in player.chain] == ["create", "extension"]
    last.wait(60)
    assert [s.status for s in player.chain] == ["completed", "completed"]
    assert player.seconds == 8
    assert [m.name for m in studio.last_chain[0].request.characters] == ["Maya"]
    # One shot is no storyboard: Generate says why instead of sending.
    studio.prompt = "Maya walks through a forest at noon."
    assert studio.blocked.startswith("Shot by shot needs a storyboard of two shots or more")
