"""Every endpoint, both create encodings and pagination, against the spec-checking fake."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.types import ImageRef, ReferenceFile
from tests.api.conftest import KEY, FakeServer, checked, image_bytes, make_client
from tests.openapi_spec import _parse_multipart


async def test_create_sends_json_with_seconds_as_a_string(
    client: VideosClient, server: FakeServer
) -> None:
    video = await client.create(prompt="a fox in snow", model="sora-2", seconds=8, size="1280x720")

    assert video.status == "queued"
    assert (video.model, video.seconds, video.size) == ("sora-2", "8", "1280x720")
    request = server.requests[-1]
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "prompt": "a fox in snow",
        "model": "sora-2",
        "seconds": "8",
        "size": "1280x720",
    }


async def test_create_with_only_a_prompt_sends_only_the_prompt(
    client: VideosClient, server: FakeServer
) -> None:
    await client.create(prompt="a fox in snow")
    assert json.loads(server.requests[-1].content) == {"prompt": "a fox in snow"}


@pytest.mark.parametrize(
    ("kind", "media_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
async def test_create_with_a_file_sends_multipart_with_filename_and_image_type(
    client: VideosClient, server: FakeServer, tmp_path: Path, kind: str, media_type: str
) -> None:
    # The file's name says .img: the type comes from its bytes, not its extension.
    reference = tmp_path / "first-frame.img"
    reference.write_bytes(image_bytes((720, 1280), kind))

    video = await client.create(
        prompt="a fox", model="sora-2", size="720x1280", seconds="4", input_reference=reference
    )

    assert video.status == "queued"
    request = server.requests[-1]
    assert request.headers["content-type"].startswith("multipart/form-data")
    fields, files = _parse_multipart(request)
    assert fields == {"prompt": "a fox", "model": "sora-2", "seconds": "4", "size": "720x1280"}
    filename, sent_type, data = files["input_reference"]
    assert (filename, sent_type) == ("first-frame.img", media_type)
    assert data == reference.read_bytes()


async def test_create_accepts_a_filename_and_bytes_pair(
    client: VideosClient, server: FakeServer
) -> None:
    await client.create(prompt="a fox", input_reference=("ref.png", image_bytes()))
    _, files = _parse_multipart(server.requests[-1])
    assert files["input_reference"][:2] == ("ref.png", "image/png")


async def test_create_with_an_image_url_or_file_id_sends_json(
    client: VideosClient, server: FakeServer
) -> None:
    await client.create(
        prompt="a fox", input_reference=ImageRef(image_url="https://img.test/a.png")
    )
    assert json.loads(server.requests[-1].content)["input_reference"] == {
        "image_url": "https://img.test/a.png"
    }
    await client.create(prompt="a fox", input_reference=ImageRef(file_id="file-123"))
    assert json.loads(server.requests[-1].content)["input_reference"] == {"file_id": "file-123"}


async def test_a_catalog_refusal_is_raised_before_anything_is_sent(
    client: VideosClient, server: FakeServer
) -> None:
    with pytest.raises(errors.InvalidRequestError) as caught:
        await client.create(prompt="a fox", model="sora-2", size="1792x1024")
    assert caught.value.param == "size"
    assert caught.value.status_code is None
    assert "sora-2 renders 1280x720 or 720x1280; 1792x1024 needs sora-2-pro" in str(caught.value)
    assert server.requests == []


async def test_a_model_the_catalog_does_not_know_is_sent_as_asked(
    client: VideosClient, server: FakeServer
) -> None:
    video = await client.create(prompt="a fox", model="veo-3.1", seconds="8")
    assert video.model == "veo-3.1"


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (("ref.png", image_bytes((640, 480))), "is 640x480 but the video is 720x1280"),
        (("ref.gif", image_bytes(kind="GIF")), "is gif, but servers take only JPEG, PNG or WebP"),
        ("https://img.test/a.png", r"is a URL, not a file; pass ImageRef\(image_url=\.\.\.\)"),
        ("/no/such/reference.png", "Cannot read the input_reference file"),
    ],
)
async def test_a_bad_reference_is_refused_before_sending(
    client: VideosClient, server: FakeServer, reference: object, message: str
) -> None:
    with pytest.raises(errors.InvalidRequestError, match=message) as caught:
        await client.create(prompt="a fox", size="720x1280", input_reference=reference)  # type: ignore[arg-type]
    assert caught.value.param == "input_reference"
    assert server.requests == []


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": "a fox", "seconds": "eight"}, "seconds"),
        ({"prompt": "a fox", "seconds": 8.5}, "seconds"),
        ({"prompt": "a fox", "seconds": 0}, "seconds"),
    ],
)
async def test_invalid_parameters_name_the_field_and_send_nothing(
    client: VideosClient, server: FakeServer, kwargs: dict[str, object], param: str
) -> None:
    with pytest.raises(errors.InvalidRequestError) as caught:
        await client.create(**kwargs)  # type: ignore[arg-type]
    assert caught.value.param == param
    assert server.requests == []


async def test_retrieve_returns_the_jobs_current_state(
    client: VideosClient, server: FakeServer
) -> None:
    created = await client.create(prompt="a fox")
    server.clock.now += 15
    video = await client.retrieve(created.id)
    assert (video.id, video.status, video.progress) == (created.id, "in_progress", 50)
    assert (await client.retrieve(video)).id == created.id  # a Video works as the id too


async def test_ids_are_escaped_into_one_path_segment(server: FakeServer) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(404, json={"error": {"message": "no", "type": None}})

    async with VideosClient("http://server.test/v1", transport=checked(handler)) as c:
        with pytest.raises(errors.NotFoundError):
            await c.retrieve("dmlkZW8/abc+d=")
    assert seen == ["/v1/videos/dmlkZW8%2Fabc%2Bd%3D"]


async def test_list_follows_after_and_has_more_across_pages(
    client: VideosClient, server: FakeServer
) -> None:
    for n in range(7):
        server.add_video(prompt=f"take {n}")

    ids = [video.id async for video in client.list(order="asc", page_size=3)]

    assert ids == [f"video_{n}" for n in range(1, 8)]
    list_calls = [r.url.params for r in server.requests]
    assert [p.get("after") for p in list_calls] == [None, "video_3", "video_6"]
    assert all(p["limit"] == "3" and p["order"] == "asc" for p in list_calls)


async def test_list_stops_when_a_server_repeats_its_cursor() -> None:
    page = {"object": "list", "data": [], "first_id": None, "last_id": "video_1", "has_more": True}
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, json=page)

    async with VideosClient("http://server.test/v1", transport=checked(handler)) as c:
        assert [v async for v in c.list()] == []
    assert calls == 2


@pytest.mark.parametrize(
    ("kwargs", "param"), [({"limit": 101}, "limit"), ({"order": "up"}, "order")]
)
async def test_list_page_refuses_out_of_range_arguments(
    client: VideosClient, server: FakeServer, kwargs: dict[str, object], param: str
) -> None:
    with pytest.raises(errors.InvalidRequestError) as caught:
        await client.list_page(**kwargs)  # type: ignore[arg-type]
    assert caught.value.param == param
    assert server.requests == []


async def test_delete_confirms_and_the_job_is_gone(
    client: VideosClient, server: FakeServer
) -> None:
    video = server.add_video()
    deleted = await client.delete(video["id"])
    assert (deleted.id, deleted.deleted, deleted.object) == (video["id"], True, "video.deleted")
    with pytest.raises(errors.NotFoundError, match="No video found"):
        await client.retrieve(video["id"])


async def test_remix_starts_a_new_job_from_a_finished_one(
    client: VideosClient, server: FakeServer
) -> None:
    source = server.add_video()
    remix = await client.remix(source["id"], prompt="the same, at night")
    assert remix.id != source["id"]
    assert remix.remixed_from_video_id == source["id"]
    assert json.loads(server.requests[-1].content) == {"prompt": "the same, at night"}
    assert server.requests[-1].headers["idempotency-key"]


async def test_organization_and_project_headers_are_sent(server: FakeServer) -> None:
    async with make_client(server, organization="org-1", project="proj-2") as client:
        await client.create(prompt="a fox")
    headers = server.requests[-1].headers
    assert (headers["openai-organization"], headers["openai-project"]) == ("org-1", "proj-2")
    assert headers["authorization"] == f"Bearer {KEY}"


async def test_azure_hosts_get_the_api_key_header_instead_of_bearer() -> None:
    seen: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json={"id": "v", "object": "video.deleted", "deleted": True})

    # Not spec-checked: the checker's server pattern is {origin}/v1, Azure's base has /openai.
    transport = httpx.MockTransport(handler)
    url = "https://studio.openai.azure.com/openai/v1"
    async with VideosClient(url, KEY, transport=transport) as client:
        await client.delete("v")
    async with VideosClient("http://gw.test/v1", KEY, auth="api-key", transport=transport) as c:
        await c.delete("v")
    for headers in seen:
        assert headers["api-key"] == KEY
        assert "authorization" not in headers
    assert seen[0].get("host") == "studio.openai.azure.com"


async def test_a_reference_file_object_is_uploaded_as_given(
    client: VideosClient, server: FakeServer
) -> None:
    upload = ReferenceFile(
        filename="frame.webp", content=image_bytes(kind="WEBP"), media_type="image/webp"
    )
    await client.create(prompt="a fox", size="720x1280", input_reference=upload)
    _, files = _parse_multipart(server.requests[-1])
    assert files["input_reference"][:2] == ("frame.webp", "image/webp")


async def test_a_2xx_that_is_not_a_video_is_a_clear_error() -> None:
    transport = checked(lambda r: httpx.Response(200, text="<html>login</html>"))
    async with VideosClient("http://server.test/v1", transport=transport) as client:
        with pytest.raises(errors.UnexpectedResponseError, match="not a Videos API Video"):
            await client.retrieve("video_1")


def test_a_client_needs_a_url_or_a_transport() -> None:
    with pytest.raises(errors.ConfigurationError, match="needs a base_url"):
        VideosClient()


async def test_the_fake_server_refuses_requests_the_spec_refuses(server: FakeServer) -> None:
    # Guard against a hollow harness: a request off the spec must fail the test that sent it.
    async with httpx.AsyncClient(transport=server.transport()) as raw:
        with pytest.raises(Exception, match=r"validation|not valid"):
            await raw.post("http://server.test/v1/videos", json={"prompt": "a fox", "seconds": 8})
        with pytest.raises(Exception, match=r"Invalid query parameter: limit"):
            await raw.get("http://server.test/v1/videos", params={"limit": 500})


async def test_the_catalog_check_can_be_switched_off_to_let_the_server_decide(
    server: FakeServer,
) -> None:
    async with make_client(server, check_requests=False) as client:
        video = await client.create(prompt="a fox", model="sora-2", size="1792x1024")
    assert video.size == "1792x1024"
    assert json.loads(server.requests[-1].content)["size"] == "1792x1024"
