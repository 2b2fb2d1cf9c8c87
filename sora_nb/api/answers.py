"""Reading what a server answers, in every dialect: raw /models answers, failed jobs sent with
an error status, job-shaped deletions, and the refusals for what a server cannot do."""

from __future__ import annotations

import httpx
from pydantic import BaseModel, ValidationError

from sora_nb.api import errors
from sora_nb.api.dialects import Dialect, ServerInfo
from sora_nb.api.types import Video, VideoDeleted


class Answer(BaseModel):
    """A raw answer, for reading the server's /models in any shape."""

    status: int
    body: bytes
    headers: dict[str, str]


def read_answer(response: httpx.Response, _what: str = "") -> Answer:
    return Answer(
        status=response.status_code, body=response.content, headers=dict(response.headers)
    )


def answer_unless_auth(response: httpx.Response) -> Answer | None:
    # No /models (404, 405) is an answer too; a refused key or a failing server is not.
    if response.status_code in (400, 404, 405, 422):
        return read_answer(response)
    return None


def job_in_error(response: httpx.Response) -> Video | None:
    """A failed job sent with its error's HTTP status (vLLM-Omni), read as the job."""
    try:
        video = Video.model_validate_json(response.content)
    except ValidationError:
        return None
    return video if video.object == "video" and video.done else None


def deleted_answer(response: httpx.Response, what: str) -> VideoDeleted:
    # SGLang and FastVideo answer DELETE with the job itself, status "deleted", still running.
    try:
        return VideoDeleted.model_validate_json(response.content)
    except ValidationError:
        pass
    try:
        job = Video.model_validate_json(response.content)
    except ValidationError:
        raise errors.UnexpectedResponseError(
            f"The server answered {what} with neither a deletion nor a job.",
            status_code=response.status_code,
        ) from None
    return VideoDeleted(id=job.id, deleted=True, cancelled=False, status=job.status)


def cannot_delete(who: str, ident: str, status: int | None) -> errors.UnsupportedError:
    how = " (it answered 405 Method Not Allowed)" if status else "; nothing was sent"
    return errors.UnsupportedError(
        f"The {who} cannot delete or cancel videos{how}. Job {ident} stays on the server "
        "until it expires there; the files sora_nb downloaded are yours to delete.",
        feature="delete",
        status_code=status,
    )


def not_served(model: str, info: ServerInfo, dialect: Dialect | None) -> errors.InvalidRequestError:
    who = dialect.title if dialect else "server"
    served = ", ".join(info.models)
    return errors.InvalidRequestError(
        f"Not sent: this {who} serves {served}, not {model!r}. Leave the model out to use "
        f"what it serves, or name one of: {served}.",
        param="model",
    )
