"""The runs layer's continuity: the folder's characters, takes that extend and edit takes, their
chains in the ledger (after a restart too), storyboards made shot by shot, grids over characters
and chain steps, and bundles that carry characters and chains to a replay with no server."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from sora_nb.api import errors
from sora_nb.runs import chains
from sora_nb.runs.bundle import export_bundle, import_bundle
from sora_nb.runs.characters import CharacterError
from sora_nb.runs.grid import Axis
from sora_nb.runs.ledger import SCHEMA_VERSION, Ledger
from sora_nb.runs.session import Session
from sora_nb.server import ServerSettings
from sora_nb.server.renderers.animatic import AnimaticFiles, AnimaticRequest, render
from tests.cameos import face_clip, figure_clip

STORYBOARD = """Maya walks through a forest at noon. Palette: amber, teal, moss.

Shot 1 (4s): wide shot, Maya walks between the pines; slow pan.
Shot 2 (4s): close-up, she stops and listens; push-in.
Shot 3 (8s): medium shot, she turns back toward the camera; static.
"""


def small(request: AnimaticRequest, out_dir: Path) -> AnimaticFiles:
    """The animatic at a sixteenth of the size: the same continuity, in a fraction of the time."""
    return render(
        dataclasses.replace(
            request, width=request.width // 32 * 2, height=request.height // 32 * 2
        ),
        out_dir,
    )


def never(request: AnimaticRequest, out_dir: Path) -> AnimaticFiles:
    raise AssertionError(f"a replay rendered {request.prompt!r}")


def session(media: Path, server: Path, renderer: object = small) -> Session:
    return Session(media, bundled=ServerSettings(media_dir=server, time_scale=0, renderer=renderer))


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    return {
        "maya": figure_clip(folder / "maya.mp4"),
        "theo": figure_clip(folder / "theo.mp4", coat=(30, 130, 70), hat=(230, 190, 40)),
    }


def test_a_character_is_kept_in_the_folder_and_made_once_per_server(
    tmp_path: Path, clips: dict[str, Path]
) -> None:
    s = session(tmp_path / "media", tmp_path / "server")
    maya = s.add_character("Maya", clips["maya"])
    assert maya.path(s.media_dir).read_bytes() == clips["maya"].read_bytes()
    assert maya.path(s.media_dir, "thumbnail").read_bytes()[8:12] == b"WEBP"
    made = maya.id_on("local")
    assert made is not None and made.startswith("char_")
    # Again, with the same clip or none: nothing new is made.
    assert s.add_character("maya", clips["maya"]).id_on("local") == made
    assert s.add_character("Maya").ids == {"local": made}
    assert len(list((tmp_path / "server" / "characters").iterdir())) == 1
    with pytest.raises(CharacterError, match="made from another clip"):
        s.add_character("Maya", clips["theo"])
    with pytest.raises(CharacterError, match=r"character add Theo CLIP\.mp4"):
        s.plan("Theo waits.", characters=["Theo"])
    # A clip the server refuses (a face, without consent) leaves nothing in the folder.
    face = face_clip(tmp_path / "face.mp4")
    with pytest.raises(errors.BadRequestError, match="real person's face"):
        s.add_character("Sam", face)
    assert [c.name for c in s.characters()] == ["Maya"]
    assert s.add_character("Sam", face, consent=True).consent
    # Another server over the same media folder makes her there from her clip.
    other = session(tmp_path / "media", tmp_path / "server-2")
    other.server = "http://elsewhere.test/v1"  # the label its ids are kept under
    assert other.add_character("Maya").ids.keys() == {"local", "http://elsewhere.test/v1"}


def test_characters_in_a_plan_and_across_a_grid(tmp_path: Path, clips: dict[str, Path]) -> None:
    s = session(tmp_path / "media", tmp_path / "server")
    maya = s.add_character("Maya", clips["maya"])
    theo = s.add_character("Theo", clips["theo"])
    [request] = s.plan("Maya walks in the rain.", characters=["maya"]).requests
    assert [(m.name, m.id) for m in request.characters] == [("Maya", maya.id_on("local"))]
    assert request.cache_key("local") != request.model_copy(update={"characters": ()}).cache_key(
        "local"
    )
    plan = s.plan("Maya walks in the rain.", axes=[Axis.parse("character", ["Maya", "Theo"])])
    cells = [(c.prompt, [m.name for m in c.requests[0].characters]) for c in plan.cells]
    assert cells == [("Maya walks in the rain.", ["Maya"]), ("Theo walks in the rain.", ["Theo"])]
    assert theo.id_on("local") == plan.cells[1].requests[0].characters[0].id


def test_extensions_and_edits_make_a_chain_the_ledger_keeps_after_a_restart(
    tmp_path: Path, clips: dict[str, Path]
) -> None:
    s = session(tmp_path / "media", tmp_path / "server")
    s.add_character("Maya", clips["maya"])
    [first] = s.run_plan(s.plan("Maya walks through a forest.", characters=["Maya"])).takes
    longer = first.extend("She stops and looks up.", seconds=8)
    night = longer.edit("Make it night.")
    assert [t.status for t in (first, longer, night)] == ["completed"] * 3
    assert (longer.kind, night.kind, longer.parent, night.parent) == (
        "extension",
        "edit",
        first,
        longer,
    )
    assert chains.video_seconds(night.chain()) == 12
    assert night.request.characters == first.request.characters
    # A restarted kernel: a new session over the folder reads the same chain.
    fresh = session(tmp_path / "media", tmp_path / "server")
    found = fresh.ledger.get(night.id)
    assert found is not None
    assert [t.id for t in found.chain()] == [first.id, longer.id, night.id]
    assert [t.id for t in fresh.ledger.children(first.id)] == [longer.id]


def test_limits_are_checked_before_sending(tmp_path: Path) -> None:
    s = session(tmp_path / "media", tmp_path / "server")
    [first] = s.run_plan(s.plan("A lighthouse at dusk.", seconds=20)).takes
    with pytest.raises(chains.ChainError, match="4, 8, 12, 16 or 20 seconds, not 5"):
        s.plan("More.", extend=first, seconds=5)
    take = first
    for _ in range(5):
        take = take.extend("The tide rises.", seconds=20)
    assert chains.video_seconds(take.chain()) == 120
    with pytest.raises(chains.ChainError, match="makes 124 s, past the 120 s"):
        s.plan("More.", extend=take, seconds=4)
    with pytest.raises(chains.ChainError, match="keeps its video's length"):
        s.plan("Night.", edit=take, seconds=8)
    sent = len(list((tmp_path / "server" / "jobs").glob("video_*")))
    assert sent == 6


def test_a_storyboard_made_shot_by_shot_is_priced_first_and_stops_at_a_failed_step(
    tmp_path: Path, clips: dict[str, Path]
) -> None:
    s = session(tmp_path / "media", tmp_path / "server")
    s.add_character("Maya", clips["maya"])
    plan = s.plan_shots(STORYBOARD, characters=["Maya"])
    assert plan.describe() == (
        "Shot by shot: 3 steps (create 4 s, extend +4 s, extend +8 s) = 16 s; "
        "the whole chain $0.00 (it would cost $1.60 on sora-2; the offline animatic charges "
        "nothing)"
    )
    assert s.ledger.count() == 0  # planned, nothing sent
    takes = s.run_chain(plan)
    assert [(t.status, t.kind) for t in takes] == [
        ("completed", "create"),
        ("completed", "extension"),
        ("completed", "extension"),
    ]
    assert [t.id for t in takes[-1].chain()] == [t.id for t in takes]
    assert (
        s.plan_shots(STORYBOARD, characters=["Maya"])
        .describe()
        .endswith("3 in the ledger already; the whole chain $0.00")
    )
    # A step the server refuses (its guardrail) stops the steps after it, unsent.
    blocked = STORYBOARD.replace("she stops and listens", "she meets Darth Vader")
    failing = s.run_chain(s.plan_shots(blocked, characters=["Maya"]))
    assert [t.status for t in failing] == ["completed", "failed", "failed"]
    assert failing[2].error is not None and failing[2].error.code == "not_sent"
    assert s.ledger.get(failing[2].id) is None


def test_a_grid_whose_rows_are_the_steps_of_chains(tmp_path: Path, clips: dict[str, Path]) -> None:
    s = session(tmp_path / "media", tmp_path / "server")
    for name in ("Maya", "Theo"):
        s.add_character(name, clips[name.lower()])
    ends = []
    for name in ("Maya", "Theo"):
        ends.append(
            s.run_chain(s.plan_shots(STORYBOARD.replace("Maya", name), characters=[name]))[-1]
        )
    run = chains.chain_grid([end.chain() for end in ends])
    assert run.plan.shape == (2, 3)
    assert [a.values for a in run.plan.axes][1] == (
        "1 · create 4 s",
        "2 · extend +4 s",
        "3 · extend +8 s",
    )
    assert [c.labels["chain"].split(" ")[0] for c in run.plan.cells[:2]] == ["Maya", "Theo"]
    with pytest.raises(chains.ChainError, match="same length"):
        chains.chain_grid([ends[0].chain(), ends[1].chain()[:2]])


def test_a_bundle_carries_characters_and_chains_to_a_replay_with_no_server(
    tmp_path: Path, clips: dict[str, Path]
) -> None:
    s = session(tmp_path / "a", tmp_path / "server")
    s.add_character("Maya", clips["maya"])
    [first] = s.run_plan(s.plan("Maya walks through a forest.", characters=["Maya"])).takes
    longer = first.extend("She stops.", seconds=4)
    bundle = export_bundle([longer], tmp_path / "lesson.zip")  # the chain comes along

    replay = session(tmp_path / "b", tmp_path / "empty-server", renderer=never)
    imported = import_bundle(bundle, replay.ledger)
    assert {t.id for t in imported} == {first.id, longer.id}
    [maya] = replay.characters()
    assert maya.name == "Maya" and maya.path(replay.media_dir).is_file()
    # The lesson's cells run again: every take comes from the bundle, nothing is made.
    [again] = replay.run_plan(
        replay.plan("Maya walks through a forest.", characters=["Maya"])
    ).takes
    assert again.cached and again.id == first.id
    extended = again.extend("She stops.", seconds=4)
    assert extended.cached and extended.id == longer.id
    assert [t.id for t in extended.chain()] == [first.id, longer.id]
    assert not list((tmp_path / "empty-server").glob("**/video_*"))
    assert not list((tmp_path / "empty-server" / "characters").iterdir())


def test_a_ledger_of_schema_1_opens_with_empty_lineage(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    ledger = Ledger(folder)
    ledger.close()
    db = sqlite3.connect(folder / "ledger.sqlite3")
    db.execute("DROP INDEX takes_by_parent")
    for table, column in (("takes", "parent_id"), ("takes", "parent_kind")):
        db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    db.execute("DROP TABLE character_ids")
    db.execute("DROP TABLE characters")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    reopened = Ledger(folder)
    columns = {row[1] for row in reopened.read("PRAGMA table_info(takes)")}
    assert {"parent_id", "parent_kind"} <= columns
    assert reopened.read("PRAGMA user_version")[0][0] == SCHEMA_VERSION == 5
    assert reopened.read("SELECT * FROM characters") == []
