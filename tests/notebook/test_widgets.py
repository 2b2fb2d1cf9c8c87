"""The Player and Grid widgets on the Python side: traits follow takes, feedback comes back,
and widget state says where the media are without ever holding their bytes."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from traitlets import TraitError

from sora_nb.api.dialects import DIALECTS, ServerInfo
from sora_nb.jupyter_media import registry as media_registry
from sora_nb.notebook.widgets import Grid, Player
from sora_nb.notebook.widgets._base import esm_path
from sora_nb.notebook.widgets.state import Feedback, Header
from sora_nb.runs.grid import Axis, GridCell, GridPlan, GridRun, plan_grid
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


@pytest.fixture(autouse=True)
def _notebook_beside_the_media(
    media_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A kernel started by Jupyter for ``<media_dir>/../study.ipynb``, now in another folder."""
    monkeypatch.setenv("JPY_SESSION_NAME", str(media_dir.parent / "study.ipynb"))
    monkeypatch.delenv(media_registry.REGISTRY_ENV, raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))


def test_player_shows_a_completed_take_and_its_state_holds_no_bytes(
    done: Take, media_dir: Path
) -> None:
    player = Player.from_take(done)
    video = player.files["video"]
    assert video.size == done.path("video").stat().st_size > 0
    # Relative to the notebook's folder (from JPY_SESSION_NAME), not to the current folder.
    assert video.rel == f"{media_dir.name}/done/video.mp4"
    assert video.path == "done/video.mp4"
    assert video.folder is None  # no server extension named a registry to this kernel
    assert player.files["thumbnail"].rel == f"{media_dir.name}/done/thumbnail.webp"
    state = player.get_state()
    assert not [k for k, v in state.items() if isinstance(v, (bytes, memoryview))]
    state.pop("_esm")  # the front end's code, the same for every player
    assert len(json.dumps(state, default=str)) < 2000
    assert (player.status, player.progress, player.error) == ("completed", 100, "")
    # The bundled server (its take's server) draws a hosted model's name as an animatic.
    assert player.model_name == "sora-2 (offline animatic)"
    assert (player.size, player.seconds) == ("1280x720", 2)
    assert player.cost == pytest.approx(0.2)
    assert player.prompt == XSS
    assert player.completed_at - player.submitted_at == pytest.approx(30)


def test_player_follows_a_running_take_until_its_video_arrives(tmp_path: Path) -> None:
    take = make_take(tmp_path, "run", status="queued", with_files=False)
    player = Player.from_take(take)
    assert (player.status, player.files, player.completed_at) == ("queued", {}, 0.0)
    take.update(status="in_progress", progress=40)
    assert (player.status, player.progress) == ("in_progress", 40)
    finished = make_take(tmp_path / "files", "run")  # real files for the same folder name
    (tmp_path / "run").mkdir()
    for name in ("video.mp4", "thumbnail.webp"):
        (tmp_path / "run" / name).write_bytes((tmp_path / "files" / "run" / name).read_bytes())
    take.update(status="completed", progress=100, completed_at=finished.completed_at)
    assert player.status == "completed"
    assert player.files["video"].size == (tmp_path / "run" / "video.mp4").stat().st_size
    assert player.files["thumbnail"].path == "run/thumbnail.webp"


def test_player_shows_the_servers_error(tmp_path: Path) -> None:
    take = make_take(tmp_path, "bad", status="in_progress", with_files=False)
    player = Player.from_take(take)
    take.update(
        status="failed",
        error=TakeFailure(code="moderation_blocked", message="Your request was blocked."),
    )
    assert player.status == "failed"
    assert player.error == "Your request was blocked. (moderation_blocked)"
    assert "video" not in player.files


class _FakeSession:
    def __init__(self, media_dir: Path) -> None:
        self.media_dir = media_dir
        self.sent: list[VideoRequest] = []

    def server_info(self, *, refresh: bool = False, strict: bool = True) -> ServerInfo:
        return ServerInfo(DIALECTS["openai"])

    def derive(self, take: Take, kind: str, prompt: str, **options: Any) -> Take:
        raise AssertionError("a remix neither extends nor edits")

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
    assert (player.take_id, player.status, player.files) == ("remix", "queued", {})
    player._handle_message(player, {"type": "remix", "prompt": "   "}, [])
    assert len(session.sent) == 1  # an empty remix prompt sends nothing
    assert player.handled == 2  # both clicks answered: the page's buttons wait for this


def test_static_fallback_escapes_the_prompt_links_the_thumbnail_and_keeps_prices_as_text(
    done: Take, media_dir: Path
) -> None:
    data, _meta = Player.from_take(done)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"].startswith("<Player done completed sora-2")
    assert "<img src=x" not in data["text/html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in data["text/html"]
    # Relative to the notebook (as nbconvert and a saved notebook resolve it), whatever the
    # kernel's current folder.
    assert f'src="{media_dir.name}/done/thumbnail.webp"' in data["text/html"]
    # "$0.20" in the caption: MathJax (Lab, Notebook 7, nbconvert) skips these classes.
    assert "$0.20" in data["text/html"]
    assert 'class="sora-nb-figure tex2jax_ignore mathjax_ignore"' in data["text/html"]


def test_grid_cells_follow_their_takes(tmp_path: Path) -> None:
    takes = [make_take(tmp_path, f"g{i}", status="queued", with_files=False) for i in range(4)]
    grid = Grid(takes, columns=2, labels=["a", "b", "c", XSS])
    assert [c.status for c in grid.cells] == ["queued"] * 4
    assert grid.cells[3].label == XSS
    assert [c.files for c in grid.cells] == [{}] * 4
    takes[1].update(status="in_progress", progress=55)
    assert (grid.cells[1].status, grid.cells[1].progress) == ("in_progress", 55)
    assert grid.cells[0].status == "queued"
    finished = make_take(tmp_path / "files", "g2")
    (tmp_path / "g2").mkdir()
    for name in ("video.mp4", "spritesheet.jpg"):
        (tmp_path / "g2" / name).write_bytes(
            finished.path("video").parent.joinpath(name).read_bytes()
        )
    takes[2].update(status="completed", progress=100)
    files = grid.cells[2].files
    assert files["video"].size == (tmp_path / "g2" / "video.mp4").stat().st_size
    assert files["spritesheet"].path == "g2/spritesheet.jpg"
    assert grid.cells[0].files == {}
    takes[3].update(status="failed", error=TakeFailure(code="server_error", message="boom"))
    assert grid.cells[3].error == "boom (server_error)"


def test_grid_reports_ratings_and_notes_through_on_rate(tmp_path: Path) -> None:
    takes = [make_take(tmp_path, f"r{i}", status="queued", with_files=False) for i in range(3)]
    takes[0].rating = 1
    grid = Grid(takes)
    assert grid.feedback == {"0": Feedback(rating=1, note="")}
    calls: list[tuple[Any, ...]] = []
    grid.on_rate(lambda *args: calls.append(args))
    grid.feedback = {**grid.feedback, "2": {"rating": -1, "note": "too dark"}}
    assert calls == [(2, "r2", -1, "too dark")]
    grid.feedback = {**grid.feedback, "2": {"rating": None, "note": "too dark"}}
    assert calls[-1] == (2, "r2", None, "too dark")
    assert len(calls) == 2  # the unchanged cell 0 was not reported again


def test_a_rating_given_from_python_shows_on_the_buttons_without_an_echo(tmp_path: Path) -> None:
    takes = [make_take(tmp_path, f"p{i}", status="queued", with_files=False) for i in range(2)]
    grid = Grid(takes)
    calls: list[tuple[Any, ...]] = []
    grid.on_rate(lambda *args: calls.append(args))
    takes[1].update(rating=-1, note="too dark")  # as research.judgements.rate does
    assert grid.feedback == {"1": Feedback(rating=-1, note="too dark")}
    assert calls == []  # on_rate is for the page's clicks, not a rating Python gave
    takes[1].update(rating=None, note=None)
    assert grid.feedback == {}
    # A rating clicked in the page that no callback wrote to the take survives a status update.
    grid.feedback = {"0": Feedback(rating=1, note="")}
    takes[0].update(status="in_progress", progress=40)
    assert grid.feedback == {"0": Feedback(rating=1, note="")}


def test_seed_and_steps_headers_name_their_axis(tmp_path: Path) -> None:
    plan = plan_grid("A kite over the dunes.", [Axis.parse("seed", ["1", "2", "3"])])
    grid = Grid.from_run(GridRun(plan, _planned_takes(tmp_path, plan)))
    assert [h.text for h in grid.col_labels] == ["seed 1", "seed 2", "seed 3"]
    assert plan.describe().startswith("seed (1, 2, 3) × 1 take each = 3 videos")


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
    assert grid.col_labels == [Header(text="sora-2"), Header(text="sora-2-pro")]
    assert grid.row_labels == [Header(text="short", words=2), Header(text="long", words=12)]
    assert (grid.col_title, grid.row_title) == ("model", "length")
    assert [c.label for c in grid.cells][:2] == [
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
    assert [c.progress for c in grid.cells] == [50] * 9


class _Sent:
    """What a widget sends to the page: (content, buffers) per message."""

    def __init__(self, widget: Any) -> None:
        self.messages: list[tuple[dict[str, Any], list[bytes]]] = []
        widget.send = lambda content, buffers=None: self.messages.append(
            (content, [bytes(b) for b in buffers or []])
        )


def _read(widget: Any, key: str, offset: int, length: int, req: int = 1) -> None:
    message = {"type": "media-read", "key": key, "offset": offset, "length": length, "req": req}
    widget._handle_message(widget, message, [])


def test_the_kernel_sends_a_cells_video_in_chunks_read_from_disk(tmp_path: Path) -> None:
    takes = [
        make_take(tmp_path, "k0"),
        make_take(tmp_path, "k1", status="queued", with_files=False),
    ]
    grid = Grid(takes)
    sent = _Sent(grid)
    data = takes[0].path("video").read_bytes()
    half = len(data) // 2
    _read(grid, "0/video", 0, half, req=1)
    _read(grid, "0/video", half, 10 * len(data), req=2)
    (first, [a]), (second, [b]) = sent.messages
    assert (first["req"], first["offset"], first["size"]) == (1, 0, len(data))
    assert (second["req"], second["offset"]) == (2, half)
    assert a + b == data
    # Only the files this grid shows: no video for a take still queued, no other names.
    for key in ("1/video", "0/ledger", "../k0/video", "7/video", "0/../../etc/passwd"):
        _read(grid, key, 0, 100)
    errors = [content.get("error", "") for content, _ in sent.messages[2:]]
    assert all(errors) and all("shows no file" in e for e in errors)
    assert all(buffers == [] for _, buffers in sent.messages[2:])


def test_a_chunk_asks_for_at_most_four_megabytes(tmp_path: Path) -> None:
    take = make_take(tmp_path, "big")
    take.path("video").write_bytes(os.urandom(5 * 1024 * 1024))
    player = Player.from_take(take)
    sent = _Sent(player)
    _read(player, "video", 0, 10**9)
    [(content, [chunk])] = sent.messages
    assert len(chunk) == 4 * 1024 * 1024 and content["size"] == 5 * 1024 * 1024


def _planned_takes(folder: Path, plan: GridPlan) -> list[Take]:
    """Queued takes carrying the plan's own requests, one per request."""
    takes = []
    for i, request in enumerate(plan.requests):
        take = make_take(folder, f"t{i}", status="queued", with_files=False)
        take.request = request
        takes.append(take)
    return takes


def test_one_axis_with_three_takes_is_a_table_not_a_long_row(tmp_path: Path) -> None:
    plan = plan_grid(
        "A lighthouse keeper climbs the stairs. Camera: medium shot.",
        [Axis.parse("seconds", ["4", "8", "12"])],
        takes=3,
    )
    takes = _planned_takes(tmp_path, plan)
    grid = Grid.from_run(GridRun(plan, takes))
    assert grid.columns == 3
    # A bare number says what it is: "seconds 4", not "4".
    assert [h.text for h in grid.col_labels] == ["seconds 4", "seconds 8", "seconds 12"]
    assert [h.text for h in grid.row_labels] == ["take 1", "take 2", "take 3"]
    assert (grid.col_title, grid.row_title) == ("seconds", "take")
    # Row k holds take k of every column's cell.
    assert [c.label for c in grid.cells[3:6]] == [
        "seconds=4, take 2",
        "seconds=8, take 2",
        "seconds=12, take 2",
    ]
    assert [c.seconds for c in grid.cells[:3]] == [4, 8, 12]


def test_cells_sit_under_the_headers_that_name_them(tmp_path: Path) -> None:
    plan = plan_grid(
        "A red kite over a beach at dawn. Camera: wide shot, slow push-in.",
        [Axis.parse("model", ["sora-2", "sora-2-pro"]), Axis.parse("seconds", ["4", "8", "12"])],
        takes=2,
    )
    takes = _planned_takes(tmp_path, plan)
    grid = Grid.from_run(GridRun(plan, takes))
    assert grid.columns == 2
    rows = [h.text for h in grid.row_labels]
    assert rows == [
        "seconds 4 · take 1",
        "seconds 4 · take 2",
        "seconds 8 · take 1",
        "seconds 8 · take 2",
        "seconds 12 · take 1",
        "seconds 12 · take 2",
    ]
    for index, cell in enumerate(grid.cells):
        row, col = divmod(index, grid.columns)
        assert cell.model == grid.col_labels[col].text
        assert cell.seconds == int(rows[row].split(" · ")[0].removeprefix("seconds "))
        assert cell.label.endswith(rows[row].split(" · ")[1])


def test_a_third_axis_makes_pages(tmp_path: Path) -> None:
    plan = plan_grid(
        "A red kite over a beach at dawn. Camera: wide shot, slow push-in.",
        [
            Axis.parse("model", ["sora-2", "sora-2-pro"]),
            Axis.parse("seconds", ["4", "8"]),
            Axis.parse("camera", ["push-in", "orbit", "dolly"]),
        ],
    )
    takes = _planned_takes(tmp_path, plan)
    grid = Grid.from_run(GridRun(plan, takes))
    assert (grid.page_labels, grid.page_title) == (["push-in", "orbit", "dolly"], "camera")
    assert len(grid.cells) == 12 and grid.columns == 2
    assert ["camera=orbit" in c.label for c in grid.cells[4:8]] == [True] * 4
    grid.page = 2
    with pytest.raises(Exception, match="page is a number from 0 to 2"):
        grid.page = 3


def test_a_kernel_under_sora_nbs_server_extension_registers_its_media_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "runtime" / "sora_nb_media"
    monkeypatch.setenv(media_registry.REGISTRY_ENV, str(registry))
    media = tmp_path / "outside" / "sora_media"
    take = make_take(media, "reg")
    player = Player.from_take(take)
    folder = player.files["video"].folder
    assert folder == media_registry.folder_id(media)
    assert media_registry.lookup(registry, folder) == Path(os.path.realpath(media))
    # An entry whose kernel is gone, or whose id does not match its path, serves nothing.
    (registry / f"{folder}.999999999.json").write_text(json.dumps({"path": str(media), "pid": 1}))
    other = tmp_path / "other"
    other.mkdir()
    forged = "f" * 16
    (registry / f"{forged}.{os.getpid()}.json").write_text(
        json.dumps({"path": str(other), "pid": os.getpid()})
    )
    assert media_registry.lookup(registry, forged) is None
    assert media_registry.lookup(registry, "../etc") is None
    for entry in registry.glob(f"{folder}.{os.getpid()}.json"):
        entry.unlink()
    (registry / f"{folder}.999999999.json").write_text(
        json.dumps({"path": str(media), "pid": 999_999_999})
    )
    assert media_registry.lookup(registry, folder) is None


def test_a_bad_cell_or_feedback_value_is_refused_on_assignment(tmp_path: Path) -> None:
    takes = [make_take(tmp_path, f"b{i}", status="queued", with_files=False) for i in range(2)]
    grid = Grid(takes)
    before = list(grid.cells)
    bad = {**grid.cells[1].model_dump(), "progress": 140}
    with pytest.raises(TraitError) as refused:
        grid.cells = [grid.cells[0], bad]
    assert str(refused.value).startswith(
        "Grid.cells refused the value: entry 1: progress: Input should be less than or equal "
        "to 100 (got 140). It takes a list of CellState"
    )
    assert grid.cells == before  # nothing half applied
    with pytest.raises(TraitError, match=r"Grid.feedback refused the value: entry '0': rating"):
        grid.feedback = {"0": {"rating": 5, "note": ""}}
    with pytest.raises(TraitError, match=r"entry 0: a str is not a Header"):
        grid.row_labels = ["short"]
    with pytest.raises(TraitError, match=r"Player.files refused the value: entry 'video': size"):
        Player().files = {"video": {"rel": None, "folder": None, "path": "v", "size": -1}}
    assert grid.feedback == {}
