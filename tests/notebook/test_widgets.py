"""The Player and Grid widgets on the Python side: traits follow takes, feedback comes back."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from sora_nb.notebook.widgets import Grid, Player
from sora_nb.notebook.widgets._base import esm_path
from sora_nb.runs.grid import Axis, GridCell, GridPlan, GridRun
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.take import Take, TakeFailure
from tests.ui._media import make_take

XSS = "<img src=x onerror=alert(1)> a kite over the sea"


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def done(media_dir: Path) -> Take:
    return make_take(media_dir, "done", prompt=XSS)


def test_player_shows_a_completed_take(done: Take) -> None:
    player = Player.from_take(done)
    assert player.video == done.path("video").read_bytes()
    assert player.thumbnail == done.path("thumbnail").read_bytes()
    assert (player.status, player.progress, player.error) == ("completed", 100, "")
    assert (player.model_name, player.size, player.seconds) == ("sora-2", "1280x720", 2)
    assert player.cost == pytest.approx(0.2)
    assert player.prompt == XSS
    assert player.completed_at - player.submitted_at == pytest.approx(30)


def test_player_follows_a_running_take_until_its_video_arrives(tmp_path: Path) -> None:
    take = make_take(tmp_path, "run", status="queued", with_files=False)
    player = Player.from_take(take)
    assert (player.status, player.video, player.completed_at) == ("queued", b"", 0.0)
    take.update(status="in_progress", progress=40)
    assert (player.status, player.progress) == ("in_progress", 40)
    finished = make_take(tmp_path / "files", "run")  # real files for the same folder name
    (tmp_path / "run").mkdir()
    for name in ("video.mp4", "thumbnail.webp"):
        (tmp_path / "run" / name).write_bytes((tmp_path / "files" / "run" / name).read_bytes())
    take.update(status="completed", progress=100, completed_at=finished.completed_at)
    assert player.status == "completed"
    assert player.video == (tmp_path / "run" / "video.mp4").read_bytes()
    assert player.thumbnail


def test_player_shows_the_servers_error(tmp_path: Path) -> None:
    take = make_take(tmp_path, "bad", status="in_progress", with_files=False)
    player = Player.from_take(take)
    take.update(
        status="failed",
        error=TakeFailure(code="moderation_blocked", message="Your request was blocked."),
    )
    assert player.status == "failed"
    assert player.error == "Your request was blocked. (moderation_blocked)"
    assert player.video == b""


class _FakeSession:
    def __init__(self, media_dir: Path) -> None:
        self.media_dir = media_dir
        self.sent: list[VideoRequest] = []

    def run(self, requests: list[VideoRequest], *, wait: bool = True) -> list[Take]:
        self.sent.extend(requests)
        take = make_take(self.media_dir, "remix", status="queued", with_files=False)
        return [take]


def test_remix_box_starts_a_remix_take_and_the_player_follows_it(
    done: Take, tmp_path: Path
) -> None:
    session = _FakeSession(tmp_path)
    player = Player.from_take(done, session=session)
    prompts: list[str] = []
    player.on_remix(prompts.append)
    player._handle_message(player, {"type": "remix", "prompt": "  make it night  "}, [])
    assert prompts == ["make it night"]
    (request,) = session.sent
    assert (request.prompt, request.remix_of, request.seconds) == ("make it night", "video_done", 2)
    assert (player.take_id, player.status, player.video) == ("remix", "queued", b"")
    player._handle_message(player, {"type": "remix", "prompt": "   "}, [])
    assert len(session.sent) == 1  # an empty remix prompt sends nothing


def test_static_fallback_escapes_the_prompt_and_links_the_thumbnail(
    done: Take, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(done.path("video").parent.parent)
    data, _meta = Player.from_take(done)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"].startswith("<Player done completed sora-2")
    assert "<img src=x" not in data["text/html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in data["text/html"]
    assert 'src="done/thumbnail.webp"' in data["text/html"]


def test_grid_cells_follow_their_takes(tmp_path: Path) -> None:
    takes = [make_take(tmp_path, f"g{i}", status="queued", with_files=False) for i in range(4)]
    grid = Grid(takes, columns=2, labels=["a", "b", "c", XSS])
    assert [c["status"] for c in grid.cells] == ["queued"] * 4
    assert grid.cells[3]["label"] == XSS
    assert [m.video for m in grid.media] == [b""] * 4
    takes[1].update(status="in_progress", progress=55)
    assert (grid.cells[1]["status"], grid.cells[1]["progress"]) == ("in_progress", 55)
    assert grid.cells[0]["status"] == "queued"
    finished = make_take(tmp_path / "files", "g2")
    (tmp_path / "g2").mkdir()
    for name in ("video.mp4", "spritesheet.jpg"):
        (tmp_path / "g2" / name).write_bytes(
            finished.path("video").parent.joinpath(name).read_bytes()
        )
    takes[2].update(status="completed", progress=100)
    assert grid.media[2].video == (tmp_path / "g2" / "video.mp4").read_bytes()
    assert grid.media[2].spritesheet
    assert grid.media[0].video == b""
    takes[3].update(status="failed", error=TakeFailure(code="server_error", message="boom"))
    assert grid.cells[3]["error"] == "boom (server_error)"


def test_grid_reports_ratings_and_notes_through_on_rate(tmp_path: Path) -> None:
    takes = [make_take(tmp_path, f"r{i}", status="queued", with_files=False) for i in range(3)]
    takes[0].rating = 1
    grid = Grid(takes)
    assert grid.feedback == {"0": {"rating": 1, "note": ""}}
    calls: list[tuple[Any, ...]] = []
    grid.on_rate(lambda *args: calls.append(args))
    grid.feedback = {**grid.feedback, "2": {"rating": -1, "note": "too dark"}}
    assert calls == [(2, "r2", -1, "too dark")]
    grid.feedback = {**grid.feedback, "2": {"rating": None, "note": "too dark"}}
    assert calls[-1] == (2, "r2", None, "too dark")
    assert len(calls) == 2  # the unchanged cell 0 was not reported again


def test_grid_rejects_labels_that_do_not_match(tmp_path: Path) -> None:
    takes = [make_take(tmp_path, "x", status="queued", with_files=False)]
    with pytest.raises(ValueError, match="1 takes but 2 labels"):
        Grid(takes, labels=["a", "b"])


def test_grid_from_run_labels_rows_and_columns_with_word_counts(tmp_path: Path) -> None:
    # A plan built by hand (model across, a length ladder down) so this test needs no ladder.
    prompts = {"short": "A kite.", "long": "A red kite over a beach at dawn, wind in the grass."}
    cells = []
    for row, rung in enumerate(["short", "long"]):
        for col, model in enumerate(["sora-2", "sora-2-pro"]):
            text = prompts[rung]
            cells.append(
                GridCell(
                    index=len(cells),
                    coords=(col, row),
                    labels={"model": model, "length": rung},
                    prompt=text,
                    word_count=len(text.split()),
                    requests=(VideoRequest(prompt=text, model=model),),
                )
            )
    plan = GridPlan(
        axes=(
            Axis(name="model", kind="field", values=("sora-2", "sora-2-pro")),
            Axis(name="length", kind="length", values=("short", "long")),
        ),
        cells=tuple(cells),
        takes=1,
    )
    takes = [
        make_take(tmp_path, f"p{i}", prompt=r.prompt, status="queued", with_files=False)
        for i, r in enumerate(plan.requests)
    ]
    grid = Grid.from_run(GridRun(plan, takes))
    assert grid.col_labels == [{"text": "sora-2"}, {"text": "sora-2-pro"}]
    assert grid.row_labels == [{"text": "short", "words": 2}, {"text": "long", "words": 12}]
    assert (grid.col_title, grid.row_title) == ("model", "length")
    assert [c["label"] for c in grid.cells][:2] == [
        "model=sora-2, length=short",
        "model=sora-2-pro, length=short",
    ]


def test_a_missing_front_end_says_how_to_build_it() -> None:
    with pytest.raises(FileNotFoundError, match="npm run build"):
        esm_path("nope.js")


def test_grid_keeps_every_update_when_takes_report_from_many_threads(tmp_path: Path) -> None:
    takes = [make_take(tmp_path, f"c{i}", status="queued", with_files=False) for i in range(9)]
    grid = Grid(takes)

    def advance(take: Take) -> None:
        for progress in range(1, 51):
            take.update(status="in_progress", progress=progress)

    threads = [threading.Thread(target=advance, args=(t,)) for t in takes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [c["progress"] for c in grid.cells] == [50] * 9
