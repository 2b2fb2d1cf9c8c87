"""Characters on the bundled server: made from a clip, looked up by id, featured two at a time,
refused by the spec's rules (clip length and shape, name length, count), and a clip of a face
refused unless made with consent (the simulated guardrail)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from starlette.applications import Starlette

from sora_nb.api import errors
from sora_nb.api.continuity_inputs import CharacterNotNamedWarning
from tests.cameos import face_clip, figure_clip
from tests.server.conftest import MakeApp, client_for, raw_client


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    return {
        "maya": figure_clip(folder / "maya.mp4"),
        "theo": figure_clip(folder / "theo.mp4", coat=(30, 130, 70), hat=(230, 190, 40)),
        "ada": figure_clip(folder / "ada.mp4", coat=(240, 140, 20), size=(360, 640)),
        "long": figure_clip(folder / "long.mp4", seconds=5),
        "square": figure_clip(folder / "square.mp4", size=(480, 360)),
        "face": face_clip(folder / "face.mp4"),
    }


async def test_a_character_is_made_from_a_clip_and_found_by_its_id_after_a_restart(
    make_app: MakeApp, clips: dict[str, Path]
) -> None:
    async with client_for(make_app()) as client:
        maya = await client.create_character(clips["maya"], "Maya")
        again = await client.get_character(maya.id or "")
    assert maya.id is not None and maya.id.startswith("char_")
    assert (maya.name, again.name, again.id) == ("Maya", "Maya", maya.id)
    assert isinstance(maya.created_at, int)
    folder = make_app.root / "characters" / maya.id
    assert (folder / "clip.mp4").read_bytes() == clips["maya"].read_bytes()
    assert (folder / "thumbnail.webp").read_bytes()[8:12] == b"WEBP"
    # A new server over the same folder (a restarted process) still knows her.
    async with client_for(make_app()) as client:
        found = await client.get_character(maya.id)
    assert found.name == "Maya"


async def test_an_unknown_character_is_a_404(quiet_app: Starlette) -> None:
    async with client_for(quiet_app) as client:
        with pytest.raises(errors.NotFoundError, match="'char_0123' not found"):
            await client.get_character("char_0123")


@pytest.mark.parametrize(
    ("clip", "words"),
    [("long", "2 to 4 seconds; this one lasts 5.00 s"), ("square", "16:9 or portrait 9:16")],
)
async def test_a_clip_that_cannot_make_a_character_is_refused_before_and_by_the_server(
    quiet_app: Starlette, clips: dict[str, Path], clip: str, words: str
) -> None:
    async with client_for(quiet_app) as client:
        with pytest.raises(errors.InvalidRequestError, match=f"Not sent: .*{words}") as refused:
            await client.create_character(clips[clip], "Maya")
        assert refused.value.param == "video"
    # Sent anyway (raw), the server refuses it the same way.
    async with raw_client(quiet_app) as http:
        files = {"video": ("clip.mp4", clips[clip].read_bytes(), "video/mp4")}
        answer = await http.post("/videos/characters", data={"name": "Maya"}, files=files)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["param"] == "video" and words in error["message"]


@pytest.mark.parametrize(
    ("data", "param", "words"),
    [
        ({"name": "x" * 81}, "name", "maximum length 80"),
        ({}, "name", "Missing required parameter: 'name'"),
        ({"name": "Maya", "mood": "sunny"}, "mood", "Unknown parameter"),
    ],
)
async def test_the_server_checks_the_name_and_fields(
    quiet_app: Starlette, clips: dict[str, Path], data: dict[str, str], param: str, words: str
) -> None:
    async with raw_client(quiet_app) as http:
        files = {"video": ("clip.mp4", clips["maya"].read_bytes(), "video/mp4")}
        answer = await http.post("/videos/characters", data=data, files=files)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["param"] == param and words in error["message"]


async def test_a_name_too_long_is_refused_before_sending(
    quiet_app: Starlette, clips: dict[str, Path]
) -> None:
    async with client_for(quiet_app) as client:
        with pytest.raises(errors.InvalidRequestError, match="at most 80 characters"):
            await client.create_character(clips["maya"], "M" * 81)
    assert quiet_app.state.server.stats.requests == 0


async def test_a_face_needs_consent(quiet_app: Starlette, clips: dict[str, Path]) -> None:
    async with client_for(quiet_app) as client:
        with pytest.raises(errors.BadRequestError, match="real person's face") as refused:
            await client.create_character(clips["face"], "Sam")
        assert "consent" in str(refused.value) and refused.value.param == "video"
        made = await client.create_character(clips["face"], "Sam", consent=True)
    assert made.name == "Sam"


async def test_two_characters_are_featured_a_third_is_refused_and_an_unnamed_one_warned(
    make_app: MakeApp, clips: dict[str, Path]
) -> None:
    app = make_app()
    async with client_for(app) as client:
        maya = await client.create_character(clips["maya"], "Maya")
        theo = await client.create_character(clips["theo"], "Theo")
        ada = await client.create_character(clips["ada"], "Ada")
        prompt = "Maya and Theo walk through a forest at noon; tracking shot."
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # both are named: no warning
            job = await client.create(prompt=prompt, characters=[maya, theo], size="1280x720")
        done = await client.wait(job)
        assert done.status == "completed", done.error
        with pytest.raises(errors.InvalidRequestError, match="at most 2 characters"):
            await client.create(prompt=prompt, characters=[maya, theo, ada])
        with pytest.warns(CharacterNotNamedWarning, match="Ada is not named in the prompt"):
            unnamed = await client.create(prompt=prompt, characters=[maya, ada])
        assert unnamed.status == "queued"
    # Sent anyway, the server refuses three (the spec's maxItems), and an id it never gave.
    async with raw_client(app) as http:
        three = [{"id": c.id} for c in (maya, theo, ada)]
        answer = await http.post("/videos", json={"prompt": prompt, "characters": three})
        assert answer.status_code == 400
        assert answer.json()["error"]["param"] == "characters"
        assert "maximum length 2" in answer.json()["error"]["message"]
        answer = await http.post(
            "/videos", json={"prompt": prompt, "characters": [{"id": "char_" + "0" * 32}]}
        )
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "character_not_found"


async def test_characters_in_a_form_as_the_sdk_writes_them(
    make_app: MakeApp, clips: dict[str, Path]
) -> None:
    app = make_app()
    async with client_for(app) as client:
        maya = await client.create_character(clips["maya"], "Maya")
        theo = await client.create_character(clips["theo"], "Theo")
    fields = [
        ("prompt", "Maya greets Theo in a cafe."),
        ("characters[][id]", maya.id or ""),
        ("characters[][id]", theo.id or ""),
    ]
    async with raw_client(app) as http:
        files = [(name, (None, value.encode())) for name, value in fields]
        answer = await http.post("/videos", files=files)
    assert answer.status_code == 200, answer.text
    job = app.state.server.store.get(answer.json()["id"])
    assert job.characters == [maya.id, theo.id]
