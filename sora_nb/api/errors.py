"""Typed errors of the Videos API client, all rooted at :class:`SoraError`.

Every message says what went wrong, includes the server's own words when there are any, and
ends with what to do next. A job that *fails* is not an error here: ``wait`` returns it (ask for
``raise_on_failure=True`` to get :class:`JobFailedError`). No message ever contains the API key:
the client redacts it from anything the server echoes back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - imports for annotations only
    from sora_nb.api.types import Video


class SoraError(Exception):
    """Anything that went wrong talking to a Videos API server."""

    #: The HTTP status the server answered with; None when no answer was involved.
    status_code: int | None = None
    #: The request field the server (or a local check) blamed, when known.
    param: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigurationError(SoraError, ValueError):
    """The client was configured wrongly (a malformed base URL, say); nothing was sent."""


class InvalidRequestError(SoraError, ValueError):
    """The request was refused as invalid: by the server (400/422), or here before sending.

    ``param`` names the offending field when known (``size``, ``seconds``, ``input_reference``).
    ``status_code`` is None when the check happened locally and nothing was sent.
    """

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        status_code: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        server_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.param = param
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.server_message = server_message


class APIStatusError(SoraError):
    """The server answered with an HTTP error status."""

    #: What a user should do about this kind of error (the last sentence of the message).
    advice = "Check the request, or try again later."

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        server_message: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code: int = status_code
        self.code = code
        self.param = param
        self.request_id = request_id
        self.server_message = server_message
        self.headers = dict(headers or {})


class BadRequestError(APIStatusError, InvalidRequestError):
    """400 or 422: the server refused the request's content (``param`` names the field)."""

    advice = "Fix the field it names and send again."

    def __init__(self, message: str, **kwargs: Any) -> None:
        APIStatusError.__init__(self, message, **kwargs)


class AuthenticationError(APIStatusError):
    """401: the server did not accept the API key (or none was sent)."""

    advice = (
        "Check the key in SORA_NB_API_KEY (or OPENAI_API_KEY, or the api_key you passed) "
        "is the one this server expects."
    )


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but may not use this model, project or endpoint."""

    advice = (
        "Check the key's project and organization have access to this model, or use a key "
        "that does."
    )


class NotFoundError(APIStatusError):
    """404: no such video (a wrong id, deleted, expired), or no such endpoint at this URL."""

    advice = (
        "Check the video id; jobs and their files expire on the server. If every request "
        "answers 404, check the base URL ends where /videos begins (e.g. .../v1)."
    )


class NotReadyError(NotFoundError):
    """404 on content: the video is not finished yet, or its content has expired."""

    advice = (
        "Wait for the job to complete (client.wait) before downloading; download links of a "
        "finished job expire after about an hour."
    )


class ContentMissingError(NotReadyError):
    """404 on the content of a job whose own status says ``completed``: the server has the job
    but will not give its video (its file was removed, it expired, or the engine wants the
    content asked for another way). The message quotes what the server answered."""

    advice = (
        "Nothing was saved. Look at the server's log for why it lacks the file, or generate "
        "the take again."
    )

    def __init__(self, video_id: str, cause: APIStatusError, *, expired: bool) -> None:
        said = cause.server_message or "(no reason given)"
        what = "expired" if expired else "is completed"
        super().__init__(
            f"Job {video_id} {what}, but the server answered {cause.status_code} to its "
            f"content: {said!r}. {self.advice}",
            status_code=cause.status_code,
            code=cause.code,
            param=cause.param,
            request_id=cause.request_id,
            server_message=cause.server_message,
            headers=cause.headers,
        )
        #: True when the job's ``expires_at`` has passed or the server said the content expired.
        self.expired = expired


class MethodNotAllowedError(APIStatusError):
    """405: the server has the path but not this method (LiteLLM's proxy has no DELETE)."""

    advice = "This server cannot do that; see %sora status for what it offers."


class ConflictError(APIStatusError):
    """409: the server was busy with a conflicting request (retried before this is raised)."""

    advice = "Try again in a moment."


class RateLimitError(APIStatusError):
    """429: too many requests or running jobs, or the account is out of quota."""

    advice = (
        "Send fewer jobs at once (lower concurrency) or wait a minute; if the message "
        "mentions quota or billing, check the account's plan."
    )


class ServerError(APIStatusError):
    """5xx: the server failed; not your request's fault (retried before this is raised)."""

    advice = "Try again later; if it persists, check the server's status page or logs."


class UnsupportedError(SoraError):
    """The server cannot do this at all (its dialect lacks it, or it has no such route).

    Raised before sending when the server's dialect is known, else for its 405 answer.
    ``feature`` names what is missing (``delete``, ``remix``, ``thumbnail``...).
    """

    def __init__(self, message: str, *, feature: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.feature = feature
        self.status_code = status_code


class APIConnectionError(SoraError):
    """The server could not be reached, or the connection broke (retried before raising)."""

    advice = "Check the base URL, that the server is running, and the network between you."


class APITimeoutError(APIConnectionError):
    """The server took too long to answer (retried before raising)."""

    advice = "The server may be overloaded: try again later, or raise the client's timeout."


class UnexpectedResponseError(SoraError):
    """The server answered 2xx with a body that is not the expected Videos API object."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class UnexpectedContentTypeError(SoraError):
    """Downloaded content was not the media type asked for (e.g. an MP4 for a thumbnail).

    Gateways such as LiteLLM drop the ``variant`` query and answer every content request with
    the video; a caller can catch this and derive the thumbnail from the video itself.
    """

    def __init__(self, message: str, *, expected: str, received: str, variant: str) -> None:
        super().__init__(message)
        self.expected = expected
        self.received = received
        self.variant = variant


class IncompleteDownloadError(APIConnectionError):
    """The download ended before all its bytes arrived; nothing was left at the destination."""

    advice = "Download it again; the file on the server is unaffected."


class JobFailedError(SoraError):
    """The server finished the job as ``failed``; ``code`` and ``server_message`` say why."""

    def __init__(self, video: Video) -> None:
        error = video.error
        self.video = video
        self.code = error.code if error else "unknown"
        self.server_message = error.message if error else ""
        reason = f" ({self.code}: {self.server_message})" if self.server_message else ""
        super().__init__(
            f"Video job {video.id} failed{reason}. Change the prompt or settings it names and "
            "create a new job; a failed job is not retried."
        )


class DeadlineExceededError(SoraError, TimeoutError):
    """``wait`` ran out of time before the job finished; the job may still finish later."""

    def __init__(self, message: str, *, video: Video | None) -> None:
        super().__init__(message)
        #: The last state seen, so a caller can resume waiting on ``video.id`` later.
        self.video = video


# -- building errors from responses -------------------------------------------------------


def server_words(body: bytes, *, limit: int = 500) -> tuple[str | None, str | None, str | None]:
    """(message, code, param) from an error body in OpenAI's envelope or a common variant."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        text = body.decode("utf-8", "replace").strip()
        return (text[:limit] or None), None, None
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data))
        if isinstance(error, dict) and isinstance(error.get("error"), dict):
            error = error["error"]  # {"detail": {"error": {...}}} from a wrapped HTTPException
        if isinstance(error, str):
            return error[:limit], None, None
        if isinstance(error, list):
            return _validation_words(error, limit)
        if isinstance(error, dict):
            message = error.get("message") or error.get("detail") or error.get("msg")
            code = error.get("code") or error.get("type")
            param = error.get("param")
            if isinstance(param, str):
                param = param.removeprefix("body.").removeprefix("query.")
            return (
                str(message)[:limit] if message else None,
                str(code) if code is not None else None,
                str(param) if param is not None else None,
            )
    return str(data)[:limit], None, None


def _validation_words(items: list[Any], limit: int) -> tuple[str | None, str | None, str | None]:
    """FastAPI's 422 ``{"detail": [{"loc": [...], "msg": ...}]}`` as (message, code, param)."""
    parts: list[str] = []
    param: str | None = None
    for item in items:
        if not isinstance(item, dict):
            parts.append(str(item))
            continue
        loc = [str(p) for p in item.get("loc", []) if p not in ("body", "query")]
        where = ".".join(loc)
        param = param or where or None
        parts.append(f"{where}: {item.get('msg', '')}" if where else str(item.get("msg", "")))
    message = "; ".join(p for p in parts if p)[:limit] or None
    return message, "validation_error", param


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitError,
}

_WHAT: dict[type[APIStatusError], str] = {
    BadRequestError: "The server refused the request",
    AuthenticationError: "The server did not accept the API key",
    PermissionDeniedError: "The server refused access",
    NotFoundError: "The server has no such video or endpoint",
    NotReadyError: "The video's content is not available",
    MethodNotAllowedError: "The server has no such operation",
    ConflictError: "The server reported a conflict",
    RateLimitError: "The server is rate limiting",
    ServerError: "The server failed",
}


def status_error(
    *,
    status_code: int,
    body: bytes,
    headers: Mapping[str, str],
    what: str,
    redact: Callable[[str], str] | None = None,
    attempts: int = 1,
    content: bool = False,
) -> APIStatusError:
    """The typed error for an HTTP error response to ``what`` (e.g. ``"GET /videos/v1"``).

    ``redact`` scrubs secrets from anything the server echoed; ``content`` marks a content
    download, where a 404 means "not ready" rather than "no such video".
    """
    message, code, param = server_words(body)
    if redact is not None:
        # A server may echo the request (key included) into any of its fields.
        message, code, param = (redact(v) if v else v for v in (message, code, param))
    if content and status_code == 404:
        cls: type[APIStatusError] = NotReadyError
    elif status_code >= 500:
        cls = ServerError
    else:
        cls = _STATUS_CLASSES.get(status_code, APIStatusError)
    lead = _WHAT.get(cls, "The server answered with an error")
    # The server's sentence usually ends in a full stop; ours adds one after the param.
    said = f": {message.rstrip().rstrip('.')}" if message else ""
    field = f" (param: {param})" if param and param not in (message or "") else ""
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    text = f"{lead} ({status_code} on {what}{tries}){said}{field}. {cls.advice}"
    return cls(
        text,
        status_code=status_code,
        code=code,
        param=param,
        request_id=headers.get("x-request-id"),
        server_message=message,
        headers=headers,
    )
