"""The client's characters, extensions and edits: what goes on the wire (checked against the
contract by the fake), what is refused before sending, and which servers lack them."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.continuity_inputs import CharacterNotNamedWarning
from sora_nb.api.types import Character, ImageRef
from tests.api.conftest import FakeServer, image_bytes, make_client
from tests.cameos import figure_clip
from tests.openapi_spec import _parse_multipart


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return figure_clip(tmp_path_factory.mktemp("clips") / "maya.mp4")


async def test_a_character_goes_as_a_form_with_its_clip_and_comes_back_by_id(
    client: VideosClient, server: FakeServer, clip: Path
) -> None:
    maya = await client.create_character(clip, "Maya")
    fields, files = _parse_multipart(server.requests[-1])
    assert fields == {"name": "Maya"}  # consent goes only when given
    assert files["video"] == ("maya.mp4", "video/mp4", clip.read_bytes())
    assert (await client.get_character(maya)).name == "Maya"
    await client.create_character(clip.read_bytes(), "Sam", consent=True)
    assert _parse_multipart(server.requests[-1])[0] == {"name": "Sam", "consent": "true"}


async def test_characters_go_by_id_in_json_and_in_a_form_beside_a_file(
    client: VideosClient, server: FakeServer
) -> None:
    maya, theo = Character(id="char_1", name="Maya"), Character(id="char_2", name="Theo")
    await client.create(prompt="Maya meets Theo.", characters=[maya, "char_2"])
    sent = json.loads(server.requests[-1].content)
    assert sent["characters"] == [{"id": "char_1"}, {"id": "char_2"}]
    # With an image reference object beside them, still one JSON body.
    await client.create(
        prompt="Maya meets Theo.",
        characters=[maya, theo],
        input_reference=ImageRef(image_url="https://img.test/a.png"),
    )
    sent = json.loads(server.requests[-1].content)
    assert sent["input_reference"] == {"image_url": "https://img.test/a.png"}
    # With an uploaded first frame: a form, the characters written as the SDK writes them.
    await client.create(
        prompt="Maya meets Theo.",
        size="720x1280",
        characters=[maya, theo],
        input_reference=("first.png", image_bytes()),
    )
    body = server.requests[-1].content
    assert b'name="characters[][id]"\r\n\r\nchar_1' in body
    assert b'name="characters[][id]"\r\n\r\nchar_2' in body


@pytest.mark.parametrize(
    ("characters", "words"),
    [
        (["char_1", "char_2", "char_3"], "at most 2 characters"),
        (["char_1", "char_1"], "listed twice"),
        ([""], "given by its id"),
    ],
)
async def test_bad_characters_are_refused_before_sending(
    client: VideosClient, server: FakeServer, characters: list[str], words: str
) -> None:
    with pytest.raises(errors.InvalidRequestError, match=words):
        await client.create(prompt="Maya meets Theo.", characters=characters)
    assert server.requests == []


async def test_a_character_the_prompt_does_not_name_is_warned_and_still_sent(
    client: VideosClient, server: FakeServer
) -> None:
    maya = Character(id="char_1", name="Maya")
    with pytest.warns(CharacterNotNamedWarning, match="Maya is not named in the prompt"):
        await client.create(prompt="A woman walks in the rain.", characters=[maya])
    assert len(server.requests) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await client.create(prompt="MAYA walks in the rain; Maya's coat is red.", characters=[maya])


async def test_extend_and_edit_send_the_video_by_id(
    client: VideosClient, server: FakeServer
) -> None:
    source = server.add_video(seconds="8")
    longer = await client.extend(source["id"], prompt="She turns back.", seconds=12)
    assert json.loads(server.requests[-1].content) == {
        "video": {"id": source["id"]},
        "prompt": "She turns back.",
        "seconds": "12",
    }
    assert longer.seconds == "20"  # the stitched total
    await client.edit(source["id"], prompt="Make it night.")
    assert json.loads(server.requests[-1].content) == {
        "video": {"id": source["id"]},
        "prompt": "Make it night.",
    }


async def test_extension_lengths_and_the_120_second_cap_are_checked_before_sending(
    client: VideosClient, server: FakeServer
) -> None:
    source = server.add_video(seconds="112")
    with pytest.raises(errors.InvalidRequestError, match="4, 8, 12, 16 or 20 seconds, not 5"):
        await client.extend(source["id"], prompt="More.", seconds=5)
    video = await client.retrieve(source["id"])
    with pytest.raises(errors.InvalidRequestError, match="makes 124 s, past the 120 s"):
        await client.extend(video, prompt="More.", seconds=12)
    assert [r.method for r in server.requests] == ["GET"]


@pytest.mark.parametrize("dialect", ["vllm-omni", "sglang", "fastvideo"])
async def test_an_engine_lacks_them_and_nothing_is_sent(
    server: FakeServer, clip: Path, dialect: str
) -> None:
    async with make_client(server, dialect=dialect) as client:
        with pytest.raises(errors.UnsupportedError, match="no /videos/characters route"):
            await client.create_character(clip, "Maya")
        with pytest.raises(errors.UnsupportedError, match="cannot feature characters"):
            await client.create(prompt="Maya walks.", characters=["char_1"])
        with pytest.raises(errors.UnsupportedError, match="cannot extend a video"):
            await client.extend("video_1", prompt="More.", seconds=4)
        with pytest.raises(errors.UnsupportedError, match="cannot edit a video"):
            await client.edit("video_1", prompt="Night.")
    assert server.requests == []
