"""The spec checker itself must reject what the spec rejects, or every test using it is hollow."""

from __future__ import annotations

import httpx
import pytest

from tests.openapi_spec import validate_request, validate_response


def _video(**changes: object) -> dict[str, object]:
    video: dict[str, object] = {
        "id": "video_1",
        "object": "video",
        "model": "sora-2",
        "status": "queued",
        "progress": 0,
        "created_at": 1,
        "completed_at": None,
        "expires_at": None,
        "prompt": "a cat",
        "size": "1280x720",
        "seconds": "4",
        "remixed_from_video_id": None,
        "error": None,
    }
    video.update(changes)
    return video


CREATE = "http://server.test/v1/videos"


def test_accepts_a_spec_conforming_json_create() -> None:
    validate_request(
        httpx.Request("POST", CREATE, json={"prompt": "a cat", "model": "sora-2", "seconds": "4"})
    )


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "a cat", "seconds": 4},  # seconds must be a string
        {"prompt": "a cat", "size": "999x1"},
        {"prompt": ""},
        {"model": "sora-2"},
    ],
)
def test_rejects_bad_json_creates(body: dict[str, object]) -> None:
    with pytest.raises(Exception, match=r"validation|not valid|required"):
        validate_request(httpx.Request("POST", CREATE, json=body))


def test_multipart_create_fields_are_checked_too() -> None:
    files = {"input_reference": ("ref.png", b"\x89PNG", "image/png")}
    validate_request(httpx.Request("POST", CREATE, data={"prompt": "a cat"}, files=files))
    with pytest.raises(Exception, match="validation"):
        validate_request(
            httpx.Request("POST", CREATE, data={"prompt": "a cat", "seconds": "5"}, files=files)
        )


def test_list_query_limits_are_enforced() -> None:
    validate_request(httpx.Request("GET", "http://server.test/v1/videos?limit=5&order=asc"))
    with pytest.raises(Exception, match="limit"):
        validate_request(httpx.Request("GET", "http://server.test/v1/videos?limit=500"))


def test_responses_need_every_required_field() -> None:
    request = httpx.Request("GET", "http://server.test/v1/videos/video_1")
    validate_response(request, httpx.Response(200, json=_video()))
    incomplete = {k: v for k, v in _video().items() if k != "error"}
    with pytest.raises(Exception, match="error"):
        validate_response(request, httpx.Response(200, json=incomplete))


def test_binary_content_and_error_envelope() -> None:
    thumb = httpx.Request("GET", "http://server.test/v1/videos/video_1/content?variant=thumbnail")
    validate_response(
        thumb, httpx.Response(200, content=b"RIFF", headers={"content-type": "image/webp"})
    )
    not_found = httpx.Response(
        404,
        json={
            "error": {
                "message": "No video",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        },
    )
    validate_response(thumb, not_found)
    with pytest.raises(AssertionError):
        validate_response(thumb, httpx.Response(404, json={"detail": "nope"}))
