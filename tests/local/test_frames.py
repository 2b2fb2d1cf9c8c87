"""First and last frames, and video-to-video, on the bundled server with tiny random weights.

The last frame goes to the tiny Wan 2.2 I2V A14B layout (the first and last frames encoded into
its condition) and to the tiny LTX-2's keyframe twin; a source video goes to
``WanVideoToVideoPipeline``, built over the tiny text-to-video Wan's components. Same seed
throughout: a last frame, or another strength, gives other frames; the same request gives the
same bytes.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from starlette.applications import Starlette

from sora_nb.api import errors
from sora_nb.runs.bundle import export_bundle, import_bundle
from sora_nb.runs.grid import Axis
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.session import Session
from sora_nb.runs.source_prep import SourceError
from sora_nb.server.renderers.diffusers.tiny import TinyKind
from tests.local.helpers import client, finish, png
from tests.local.test_cells import shell, sora  # noqa: F401 - shell: a kernel

PROMPT = "a red kite over the sea at sunset"
BODY = {"prompt": PROMPT, "size": "112x64", "seconds": "1", "num_inference_steps": 2, "seed": 7}
RED, BLUE = (200, 30, 30), (20, 30, 230)


def data_url(image: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(image).decode()


async def made(app: Starlette, **post: Any) -> bytes:
    """The MP4 the app renders for this create (``json=`` or ``data=`` and ``files=``)."""
    async with client(app) as http:
        answer = await http.post("/videos", **post)
        assert answer.status_code == 200, answer.json()
        done = await finish(http, answer.json()["id"])
        assert done["status"] == "completed", done
        return (await http.get(f"/videos/{done['id']}/content")).content


async def test_a_last_frame_changes_the_frames_and_the_card_offers_it(
    local_app: Callable[..., Starlette],
) -> None:
    app = local_app("wan-i2v-a14b")
    async with client(app) as http:
        [card] = (await http.get("/models")).json()["data"]
    assert "last_image" in card["knobs"] and "video" not in card["knobs"]
    first = {"input_reference": {"image_url": data_url(png(112, 64, RED))}}
    plain = await made(app, json={**BODY, **first})
    ending = await made(app, json={**BODY, **first, "last_image": data_url(png(112, 64, BLUE))})
    again = await made(app, json={**BODY, **first, "last_image": data_url(png(112, 64, BLUE))})
    # (The tiny random model barely reads the last frame's colours, so only its presence is
    # compared: it is encoded into the condition and its latent frame is unmasked.)
    assert ending != plain and again == ending
    # As a file part beside the first frame's, the same bytes as the data URL.
    form = {k: str(v) for k, v in BODY.items()}
    files = {"input_reference": ("first.png", png(112, 64, RED), "image/png")}
    files["last_image"] = ("last.png", png(112, 64, BLUE), "image/png")
    assert await made(app, data=form, files=files) == ending


async def test_ltx2_takes_a_last_frame_as_its_keyframe(
    local_app: Callable[..., Starlette],
) -> None:
    app = local_app("ltx2")
    async with client(app) as http:
        [card] = (await http.get("/models")).json()["data"]
    assert "last_image" in card["knobs"]
    body = {**BODY, "size": "64x32", "input_reference": {"image_url": data_url(png(64, 32, RED))}}
    plain = await made(app, json=body)
    ending = await made(app, json={**body, "last_image": data_url(png(64, 32, BLUE))})
    again = await made(app, json={**body, "last_image": data_url(png(64, 32, BLUE))})
    assert ending != plain and again == ending


@pytest.mark.parametrize(
    ("kind", "fields", "param", "words"),
    [
        ("wan-i2v-a14b", {"last_image": "LAST_96"}, "last_image", "the video is 112x64"),
        ("wan", {"last_image": "LAST_112"}, "last_image", "takes no last_image"),
        ("wan-i2v-a14b", {"strength": 0.5}, "strength", "takes no strength"),
        ("wan", {"strength": 0.5}, "strength", "got no source video"),
    ],
)
async def test_a_last_frame_or_strength_it_cannot_use_is_refused_in_one_line(
    local_app: Callable[..., Starlette],
    kind: TinyKind,
    fields: dict[str, Any],
    param: str,
    words: str,
) -> None:
    body = {**BODY, "input_reference": {"image_url": data_url(png(112, 64, RED))}}
    if kind == "wan":
        del body["input_reference"]
    for name, value in fields.items():
        width = {"LAST_96": 96, "LAST_112": 112}.get(str(value))
        body[name] = data_url(png(width, 64, BLUE)) if width else value
    async with client(local_app(kind)) as http:
        refused = await http.post("/videos", json=body)
    error = refused.json()["error"]
    assert refused.status_code == 400 and error["param"] == param, error
    assert words in error["message"] and "\n" not in error["message"], error


async def test_video_to_video_strength_gives_other_frames_with_the_same_seed(
    local_app: Callable[..., Starlette],
) -> None:
    app = local_app("wan")
    async with client(app) as http:
        [card] = (await http.get("/models")).json()["data"]
    assert {"video", "strength"} <= set(card["knobs"]) and "last_image" not in card["knobs"]
    source = await made(app, json=BODY)
    form = {k: str(v) for k, v in {**BODY, "num_inference_steps": 4}.items()}

    async def v2v(strength: float, video: bytes = source) -> bytes:
        files = {"video": ("source.mp4", video, "video/mp4")}
        return await made(app, data={**form, "strength": str(strength)}, files=files)

    low, high, low_again = await v2v(0.3), await v2v(0.9), await v2v(0.3)
    assert low == low_again and len({low, high, source}) == 3
    # Another source at the same strength: other frames again.
    assert await v2v(0.3, await made(app, json={**BODY, "seed": 8})) != low
    async with client(app) as http:
        files = {"video": ("source.mp4", png(112, 64), "video/mp4")}
        refused = await http.post("/videos", data=form, files=files)
        few = await http.post(
            "/videos",
            data={**form, "num_inference_steps": "2", "strength": "0.2"},
            files={"video": ("source.mp4", source, "video/mp4")},
        )
    error = refused.json()["error"]
    assert refused.status_code == 400 and error["param"] == "video", error
    assert "not a video" in error["message"]
    assert few.status_code == 400 and "runs no step at all" in few.json()["error"]["message"]


def session_on(app: Starlette, folder: Path) -> Session:
    return Session(
        folder,
        base_url="http://local.test/v1",
        api_key="sk-local",
        client_options={"transport": httpx.ASGITransport(app=app)},
    )


def test_first_and_last_frames_through_a_session_are_checked_stored_and_fitted(
    local_app: Callable[..., Starlette], tmp_path: Path
) -> None:
    session = session_on(local_app("wan-i2v-a14b"), tmp_path / "media")
    (first := tmp_path / "first.png").write_bytes(png(112, 64, RED))
    (last := tmp_path / "last.png").write_bytes(png(112, 64, BLUE))
    (wide := tmp_path / "wide.png").write_bytes(png(224, 100, BLUE))
    options = {"seed": 3, "steps": 2, "last_image": last}
    plan = session.plan(PROMPT, image=first, size="112x64", seconds=1, options=options)
    [take] = session.run_plan(plan).takes
    assert take.status == "completed", take.error
    stored = take.request.options.last_image
    assert stored.startswith("refs/") and (session.media_dir / stored).read_bytes() == png(
        112, 64, BLUE
    )
    before = session.ledger.count()
    with pytest.raises(SourceError) as refused:
        session.plan(PROMPT, image=first, size="112x64", seconds=1, options={"last_image": wide})
    said = str(refused.value)
    assert "The last frame is 224x100 but the video is 112x64" in said and "--fit" in said
    assert "\n" not in said and session.ledger.count() == before
    fitted = session.plan(
        PROMPT, image=first, size="112x64", seconds=1, options={**options, "last_image": wide},
        fit=True,
    )  # fmt: skip
    assert session.run_plan(fitted).takes[0].status == "completed"
    with pytest.raises(SourceError, match="A last frame needs a first frame too"):
        session.plan(PROMPT, size="112x64", seconds=1, options={"last_image": last})


def test_a_strength_grid_from_a_take_records_its_source_as_lineage(
    local_app: Callable[..., Starlette], tmp_path: Path
) -> None:
    session = session_on(local_app("wan"), tmp_path / "media")
    base = {"seed": 3, "steps": 4}
    [source] = session.run_plan(session.plan(PROMPT, size="112x64", seconds=1, options=base)).takes
    assert source.status == "completed", source.error
    axis = Axis.parse("strength", ["0.5", "1.0"])
    plan = session.plan(
        "a blue kite over the sea at night", axes=[axis], size="112x64", seconds=1,
        options={**base, "video": source},
    )  # fmt: skip
    takes = session.run_plan(plan).takes
    assert [t.status for t in takes] == ["completed", "completed"], [t.error for t in takes]
    assert [t.request.options.strength for t in takes] == [0.5, 1.0]
    videos = {t.path("video").read_bytes() for t in [source, *takes]}
    assert len(videos) == 3
    for take in takes:
        assert take.request.options.video == f"take:{source.id}"
        assert take.parent is not None and take.parent.id == source.id
        assert [t.id for t in take.chain()] == [source.id, take.id]
    # A file as the source: stored by content, the same frames as the take it holds.
    again = session.plan(
        "a blue kite over the sea at night", size="112x64", seconds=1,
        options={**base, "video": source.path("video"), "strength": 0.5},
    )  # fmt: skip
    [from_file] = session.run_plan(again).takes
    assert from_file.request.options.video.startswith("refs/")
    assert from_file.path("video").read_bytes() == takes[0].path("video").read_bytes()
    # A bundle of the take carries its stored source along.
    target = Ledger(tmp_path / "elsewhere")
    [moved] = import_bundle(export_bundle([from_file], tmp_path / "study.zip"), target)
    kept = target.media_dir / moved.request.options.video
    assert kept.read_bytes() == source.path("video").read_bytes()
    (picture := tmp_path / "still.mp4").write_bytes(png(112, 64))
    for options, words in (
        ({"video": picture}, "is not a video sora_nb can read"),
        ({"video": "nothing-here"}, "neither a file nor a take of this media folder"),
        ({"strength": 0.5}, "strength says how far a video-to-video take strays"),
    ):
        with pytest.raises(SourceError, match=words):
            session.plan(PROMPT, size="112x64", seconds=1, options={**base, **options})


def test_the_animatic_refuses_a_source_video_before_sending(tmp_path: Path) -> None:
    session = Session(tmp_path / "media")
    with pytest.raises(errors.InvalidRequestError, match=r"animatic .*takes no video"):
        session.plan(PROMPT, options={"video": str(tmp_path / "source.mp4")})


def test_video_to_video_cells_in_a_kernel_name_their_source_take(
    shell: InteractiveShell,  # noqa: F811 - the kernel fixture of test_cells
    tiny: Callable[[TinyKind], Path],
) -> None:
    sora(shell, f"connect local:{tiny('wan')}")
    sora(shell, "--size 112x64 --seconds 1 --seed 3 --steps 4 --as src", PROMPT)
    source = shell.user_ns["src"]
    assert source.status == "completed", source.error
    line = "--size 112x64 --seconds 1 --seed 3 --steps 4 --video src --vary strength=0.5,1.0"
    sora(shell, f"{line} --as styled", "a blue kite at night")
    cells = shell.user_ns["styled"].takes
    assert [t.status for t in cells] == ["completed", "completed"]
    assert all(t.parent is not None and t.parent.id == source.id for t in cells)
    with pytest.raises(UsageError) as refused:
        sora(shell, "--size 112x64 --seconds 1 --strength 0.5", PROMPT)
    said = str(refused.value)
    assert "strength says how far" in said and "\n" not in said, said
