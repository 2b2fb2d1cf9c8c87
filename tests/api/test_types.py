"""Wire types: exact where sora_nb sends, tolerant where a newer server or a gateway answers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sora_nb.api.types import (
    CreateVideoParams,
    ErrorBody,
    ImageRef,
    ReferenceFile,
    RemixVideoParams,
    Video,
    VideoDeleted,
    VideoList,
)

SPEC_VIDEO = {
    "id": "video_123",
    "object": "video",
    "model": "sora-2",
    "status": "completed",
    "progress": 100,
    "created_at": 1712697600,
    "completed_at": 1712697700,
    "expires_at": 1712701300,
    "prompt": "A calico cat playing a piano on stage",
    "size": "1024x1792",
    "seconds": "8",
    "remixed_from_video_id": None,
    "error": None,
}


def test_a_spec_video_reads_with_every_field() -> None:
    video = Video.model_validate(SPEC_VIDEO)
    assert video.model_dump(exclude_unset=True) == SPEC_VIDEO
    assert video.done and video.completed and not video.failed


def test_fields_and_statuses_a_gateway_adds_are_kept_not_refused() -> None:
    body = SPEC_VIDEO | {
        "status": "moderating",
        "usage": {"duration_seconds": 8},
        "quality": "standard",
    }
    video = Video.model_validate(body)
    assert video.status == "moderating" and not video.done
    assert video.model_extra == {"usage": {"duration_seconds": 8}, "quality": "standard"}


def test_loose_shapes_from_gateways_are_normalised() -> None:
    video = Video.model_validate(
        {
            "id": "v",
            "status": "failed",
            "progress": 37.6,
            "seconds": 8,
            "error": {"code": None, "message": "Blocked."},
        }
    )
    assert (video.progress, video.seconds, video.model) == (38, "8", None)
    assert video.error is not None and (video.error.code, video.error.message) == (
        "unknown",
        "Blocked.",
    )
    assert video.failed


def test_a_list_page_a_deletion_and_an_error_body() -> None:
    page = VideoList.model_validate(
        {
            "object": "list",
            "data": [SPEC_VIDEO],
            "first_id": "video_123",
            "last_id": "video_123",
            "has_more": False,
        }
    )
    assert [v.id for v in page.data] == ["video_123"]
    deleted = VideoDeleted.model_validate({"id": "v", "object": "video.deleted", "deleted": True})
    assert deleted.deleted
    error = ErrorBody.model_validate(
        {
            "error": {
                "message": "Bad size",
                "type": "invalid_request_error",
                "param": "size",
                "code": None,
            }
        }
    )
    assert (error.error.param, error.error.message) == ("size", "Bad size")


def test_an_image_reference_takes_exactly_one_of_url_or_file_id() -> None:
    assert ImageRef(image_url="https://img.test/a.png").model_dump(exclude_none=True) == {
        "image_url": "https://img.test/a.png"
    }
    for bad in ({}, {"image_url": "https://x", "file_id": "file-1"}):
        with pytest.raises(ValidationError, match="exactly one of image_url or file_id"):
            ImageRef(**bad)


def test_create_and_remix_parameters_refuse_what_the_spec_refuses() -> None:
    params = CreateVideoParams(prompt="a fox", seconds="8")
    assert params.model_dump(exclude_none=True) == {"prompt": "a fox", "seconds": "8"}
    with pytest.raises(ValidationError):
        CreateVideoParams(prompt="")
    with pytest.raises(ValidationError):
        CreateVideoParams(prompt="a fox", colour="red")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        RemixVideoParams(prompt="x" * 32_001)


def test_a_reference_file_hides_its_bytes_in_repr() -> None:
    upload = ReferenceFile(filename="a.png", content=b"\x89PNG" * 1000, media_type="image/png")
    assert "PNG" not in repr(upload).replace("image/png", "")
    with pytest.raises(ValidationError):
        ReferenceFile(filename="a.gif", content=b"GIF89a", media_type="image/gif")  # type: ignore[arg-type]


def test_a_failure_message_holding_a_traceback_reads_as_one_line() -> None:
    """FastVideo 0.2.1's failed jobs carry the worker's traceback in ``error.message``."""
    said = (
        "Forward execution thread failed.\nTraceback (most recent call last):\n"
        '  File "video_generator.py", line 803, in execute_forward_thread\n'
        "    result = self.executor.execute_forward(batch, args)\n"
        "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB\n"
    )
    video = Video.model_validate(
        {"id": "a" * 32, "status": "failed", "error": {"message": said}, "created_at": 1}
    )
    assert video.error is not None
    assert video.error.message == (
        "Forward execution thread failed. RuntimeError: CUDA out of memory. Tried to allocate "
        "2.00 GiB"
    )
    plain = Video.model_validate(
        {"id": "b", "status": "failed", "error": {"message": "Line one.\nLine two."}}
    )
    assert plain.error is not None and plain.error.message == "Line one.\nLine two."
