"""Every validation rule answers like the real service: status, envelope, the field at fault."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from starlette.applications import Starlette

from sora_nb.api import errors
from tests.server.conftest import MakeApp, client_for, raw_client
from tests.server.helpers import data_url, image

OK = {"prompt": "a cat on a piano", "model": "sora-2", "size": "1280x720", "seconds": "4"}


@pytest.mark.parametrize(
    ("changes", "param", "words"),
    [
        ({"seconds": 8}, "seconds", "expected a string, but got an integer"),
        ({"seconds": "5"}, "seconds", "sora-2 renders 4, 8, 12, 16 or 20 seconds"),
        ({"seconds": "eight"}, "seconds", "whole number of seconds"),
        ({"size": "1792x1024"}, "size", "1792x1024 needs sora-2-pro"),
        ({"size": "big"}, "size", "width x height"),
        ({"prompt": ""}, "prompt", "minimum length 1"),
        ({"prompt": "x" * 32_001}, "prompt", "maximum length 32000"),
        ({"prompt": None}, "prompt", "Missing required parameter: 'prompt'"),
        ({"model": "sora-9"}, "model", "not a model this server has"),
        ({"style": "noir"}, "style", "Unknown parameter: 'style'"),
        ({"input_reference": {"file_id": "file-1"}}, "input_reference.file_id", "no Files API"),
        (
            {"input_reference": {"image_url": "https://example.com/a.png"}},
            "input_reference.image_url",
            "cannot fetch image URLs",
        ),
        (
            {"input_reference": {"image_url": data_url(image("720x1280"))}},
            "input_reference",
            "Inpaint image must match the requested width and height",
        ),
        (
            {"input_reference": {"image_url": data_url(image("1280x720", "GIF"), "image/gif")}},
            "input_reference",
            "Use a JPEG, PNG or WebP image",
        ),
    ],
)
async def test_json_creates_are_refused_with_the_field_named(
    quiet_app: Starlette, changes: dict[str, Any], param: str, words: str
) -> None:
    body = {k: v for k, v in {**OK, **changes}.items() if v is not None}
    async with raw_client(quiet_app) as http:
        answer = await http.post("/videos", json=body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert words in error["message"]
    assert quiet_app.state.server.stats.jobs_created == 0


async def test_sora_2_pro_takes_the_larger_sizes(quiet_app: Starlette) -> None:
    async with raw_client(quiet_app) as http:
        answer = await http.post(
            "/videos", json={**OK, "model": "sora-2-pro", "size": "1024x1792", "seconds": "12"}
        )
    assert answer.status_code == 200 and answer.json()["size"] == "1024x1792"


@pytest.mark.parametrize(
    ("reference", "words"),
    [
        (("ref.png", image("640x360"), "image/png"), "Inpaint image must match"),
        (("ref.gif", image("1280x720", "GIF"), "image/gif"), "JPEG, PNG or WebP"),
        (("ref.png", b"not an image at all", "image/png"), "JPEG, PNG or WebP"),
    ],
)
async def test_multipart_references_are_checked(
    quiet_app: Starlette, reference: tuple[str, bytes, str], words: str
) -> None:
    async with raw_client(quiet_app) as http:
        answer = await http.post("/videos", data=OK, files={"input_reference": reference})
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "input_reference"
    assert words in answer.json()["error"]["message"]


async def test_a_multipart_create_with_a_matching_jpeg_is_accepted(quiet_app: Starlette) -> None:
    files = {"input_reference": ("first.jpg", image("1280x720", "JPEG"), "image/jpeg")}
    async with raw_client(quiet_app) as http:
        answer = await http.post("/videos", data=OK, files=files)
    assert answer.status_code == 200 and answer.json()["status"] == "queued"


async def test_the_client_reports_server_refusals_with_the_param(quiet_app: Starlette) -> None:
    # With local checks off, the server is the one to refuse, and the client says which field.
    async with client_for(quiet_app, check_requests=False) as client:
        with pytest.raises(errors.BadRequestError) as caught:
            await client.create(prompt="a cat", model="sora-2", size="1792x1024")
    assert caught.value.status_code == 400 and caught.value.param == "size"
    assert "sora-2-pro" in str(caught.value)


@pytest.mark.parametrize(
    ("query", "param"),
    [("limit=101", "limit"), ("limit=-1", "limit"), ("order=up", "order"), ("after=x", "after")],
)
async def test_list_queries_are_checked(quiet_app: Starlette, query: str, param: str) -> None:
    async with raw_client(quiet_app) as http:
        answer = await http.get(f"/videos?{query}")
    assert answer.status_code == 400 and answer.json()["error"]["param"] == param


async def test_bodies_that_are_not_json_objects_are_refused(quiet_app: Starlette) -> None:
    async with raw_client(quiet_app) as http:
        for content, kind in (
            (b"{nope", "application/json"),
            (b"[1]", "application/json"),
            (b"prompt=x", "text/plain"),
        ):
            answer = await http.post("/videos", content=content, headers={"content-type": kind})
            assert answer.status_code == 400, content
            assert answer.json()["error"]["message"]


async def test_remix_bodies_are_checked(quiet_app: Starlette) -> None:
    async with raw_client(quiet_app) as http:
        made = (await http.post("/videos", json=OK)).json()["id"]
        for body in ({}, {"prompt": ""}, {"prompt": "x", "seconds": "8"}):
            answer = await http.post(f"/videos/{made}/remix", json=body)
            assert answer.status_code == 400, body


async def test_an_unknown_variant_is_refused(quiet_app: Starlette) -> None:
    async with raw_client(quiet_app) as http:
        made = (await http.post("/videos", json=OK)).json()["id"]
        answer = await http.get(f"/videos/{made}/content?variant=poster")
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "variant"


async def test_the_march_2026_additions_follow_the_servers_date(make_app: MakeApp) -> None:
    today = make_app(render=False)
    async with raw_client(today) as http:
        answer = await http.post("/videos", json={**OK, "seconds": "16"})
        assert answer.status_code == 200 and answer.json()["seconds"] == "16"
        assert answer.headers["x-request-id"].startswith("req_")
    before = make_app(render=False, today=dt.date(2026, 2, 1))
    async with raw_client(before) as http:
        answer = await http.post("/videos", json={**OK, "seconds": "16"})
    assert answer.status_code == 400
    assert "available from 2026-03-01" in answer.json()["error"]["message"]
