"""VideosClient: the async client for any server speaking OpenAI's Videos API protocol.

One class, one job: turn method calls into HTTP requests on httpx, retry what is safe to
retry, and turn answers into wire types or typed errors. It speaks to a remote server by base
URL, or to anything with an httpx transport (the bundled server in-process through
``httpx.ASGITransport``, a ``MockTransport`` in tests); the code path is the same.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncGenerator, Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from sora_nb import __version__, catalog
from sora_nb.api import errors
from sora_nb.api.clock import Clock, SystemClock
from sora_nb.api.config import (
    AuthStyle,
    ServerConfig,
    default_auth,
    normalize_base_url,
    resolve_server,
    warn_if_retired,
)
from sora_nb.api.download import stream_to_file
from sora_nb.api.references import ReferenceInput, check_upload, read_reference
from sora_nb.api.retry import PollPolicy, RetryPolicy, poll_hint, should_retry_status
from sora_nb.api.sending import Files, KeyAuth, Sender, origin
from sora_nb.api.types import (
    VARIANT_MEDIA_TYPES,
    ContentVariant,
    CreateVideoParams,
    ImageRef,
    RemixVideoParams,
    Video,
    VideoDeleted,
    VideoList,
)

log = logging.getLogger("sora_nb.api")

#: The base URL used with a transport and no URL (the in-process bundled server): never resolvable.
IN_PROCESS_BASE_URL = "http://sora-nb.invalid/v1"
#: Connect fast, but let a slow server take its time over a create or a large download chunk.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class VideosClient:
    """Async client for the Videos API: create, retrieve, list, delete, remix, download, wait.

    Build it from a base URL and key (``VideosClient("http://localhost:4000/v1", "sk-...")``),
    from a resolved :class:`ServerConfig` (:meth:`from_config`), or around an httpx transport
    (``VideosClient(transport=httpx.ASGITransport(app))``). Use ``async with`` or call
    :meth:`aclose` when done.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | SecretStr | None = None,
        *,
        organization: str | None = None,
        project: str | None = None,
        auth: AuthStyle | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        clock: Clock | None = None,
        headers: Mapping[str, str] | None = None,
        check_requests: bool = True,
        warn_retired: bool = True,
    ) -> None:
        if base_url is None and transport is None:
            raise errors.ConfigurationError(
                "VideosClient needs a base_url (a server's URL, e.g. http://localhost:4000/v1) "
                "or a transport (e.g. httpx.ASGITransport for an in-process server)."
            )
        self.base_url = normalize_base_url(base_url or IN_PROCESS_BASE_URL)
        if warn_retired:
            warn_if_retired(self.base_url)
        self._key = api_key if isinstance(api_key, SecretStr) else _secret(api_key)
        self.retry = retry or RetryPolicy()
        self.poll = poll or PollPolicy()
        self.clock: Clock = clock or SystemClock()
        #: Check requests against the model catalog before sending (precise local errors).
        self.check_requests = check_requests
        # The latest openai-poll-after-ms hint per video id, from any response about it.
        self._poll_hints: dict[str, float | None] = {}
        default_headers = {"User-Agent": f"sora_nb/{__version__}", "Accept": "application/json"}
        if organization:
            default_headers["OpenAI-Organization"] = organization
        if project:
            default_headers["OpenAI-Project"] = project
        default_headers.update(headers or {})
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers=default_headers,
            auth=KeyAuth(
                self._key, auth or default_auth(self.base_url), origin(httpx.URL(self.base_url))
            ),
            follow_redirects=False,
        )
        self._send = Sender(self._http, key=self._key, retry=self.retry, clock=self.clock)
        self._send.on_parsed = self._note_hint

    @classmethod
    def from_config(cls, config: ServerConfig, **options: Any) -> VideosClient:
        """A client for a resolved :class:`ServerConfig` (which must name a server)."""
        if config.base_url is None:
            raise errors.ConfigurationError(
                "This configuration names no server (it means the bundled server); use "
                "sora_nb.connection.connect() for that, or set SORA_NB_BASE_URL."
            )
        return cls(
            config.base_url,
            config.api_key,
            organization=config.organization,
            project=config.project,
            auth=config.auth,
            # resolve_server already warned about a retired endpoint, once is enough.
            **({"warn_retired": False} | options),
        )

    @classmethod
    def from_env(cls, **options: Any) -> VideosClient:
        """A client for the server named by SORA_NB_BASE_URL / OPENAI_BASE_URL and its key."""
        return cls.from_config(resolve_server(), **options)

    def __repr__(self) -> str:
        key = "set" if self._key is not None else "none"
        return f"<VideosClient base_url={self.base_url!r} api_key={key}>"

    async def __aenter__(self) -> VideosClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (safe to call twice)."""
        await self._http.aclose()

    # -- endpoints ---------------------------------------------------------------------------

    async def create(
        self,
        *,
        prompt: str,
        model: str | None = None,
        seconds: int | str | None = None,
        size: str | None = None,
        input_reference: ReferenceInput | None = None,
        idempotency_key: str | None = None,
    ) -> Video:
        """Start a video job and return it (usually ``queued``); nothing is downloaded yet.

        ``seconds`` may be given as 8 or "8" (the wire wants a string). A reference image is
        sent as a multipart upload and must be JPEG, PNG or WebP of exactly ``size``; an
        :class:`ImageRef` is sent as JSON. ``idempotency_key`` defaults to a fresh one that is
        reused across retries, so a retried create cannot start a second job.
        """
        secs = None if seconds is None else _seconds_text(seconds)
        if self.check_requests and model is not None:
            try:
                catalog.check_request(
                    model, size=size, seconds=secs, has_reference=input_reference is not None
                )
            except catalog.CatalogError as exc:
                raise errors.InvalidRequestError(f"Not sent: {exc}", param=exc.param) from None
        upload = await read_reference(input_reference) if input_reference is not None else None
        if self.check_requests and upload is not None and size is not None:
            check_upload(upload, size)
        try:
            params = CreateVideoParams(
                prompt=prompt,
                model=model,
                seconds=secs,
                size=size.strip().lower() if size else None,
                input_reference=input_reference if isinstance(input_reference, ImageRef) else None,
            )
        except ValidationError as exc:
            raise _invalid_params(exc) from None
        fields = params.model_dump(mode="json", exclude_none=True)
        if upload is None:
            return await self._send.call(
                Video, "POST", "/videos", json=fields, idempotency_key=idempotency_key
            )
        files: Files = [("input_reference", (upload.filename, upload.content, upload.media_type))]
        return await self._send.call(
            Video, "POST", "/videos", data=fields, files=files, idempotency_key=idempotency_key
        )

    async def retrieve(self, video_id: str | Video) -> Video:
        """The job's current state: status, progress, and its error if it failed."""
        return await self._send.call(Video, "GET", _video_path(video_id))

    async def list_page(
        self,
        *,
        limit: int | None = None,
        order: Literal["asc", "desc"] | None = None,
        after: str | None = None,
    ) -> VideoList:
        """One page of jobs (``limit`` 0 to 100); :meth:`list` follows the pages for you."""
        params: dict[str, str | int] = {}
        if limit is not None:
            if not 0 <= limit <= 100:
                raise errors.InvalidRequestError(
                    f"limit must be between 0 and 100, not {limit}.", param="limit"
                )
            params["limit"] = limit
        if order is not None:
            if order not in ("asc", "desc"):
                raise errors.InvalidRequestError(
                    f"order must be 'asc' or 'desc', not {order!r}.", param="order"
                )
            params["order"] = order
        if after is not None:
            params["after"] = after
        return await self._send.call(VideoList, "GET", "/videos", params=params)

    async def list(
        self,
        *,
        order: Literal["asc", "desc"] | None = None,
        after: str | None = None,
        page_size: int | None = None,
    ) -> AsyncGenerator[Video, None]:
        """Every job on the server, page after page (``async for video in client.list()``)."""
        seen_cursors: set[str] = set()
        while True:
            page = await self.list_page(limit=page_size, order=order, after=after)
            for video in page.data:
                yield video
            cursor = page.last_id or (page.data[-1].id if page.data else None)
            # A server that says "more" without a new cursor would loop forever: stop.
            if not page.has_more or cursor is None or cursor in seen_cursors:
                return
            seen_cursors.add(cursor)
            after = cursor

    async def delete(self, video_id: str | Video) -> VideoDeleted:
        """Delete a completed or failed job and its files on the server."""
        return await self._send.call(VideoDeleted, "DELETE", _video_path(video_id))

    async def remix(
        self, video_id: str | Video, *, prompt: str, idempotency_key: str | None = None
    ) -> Video:
        """Start a new job that reworks a completed video with a new prompt."""
        try:
            params = RemixVideoParams(prompt=prompt)
        except ValidationError as exc:
            raise _invalid_params(exc) from None
        return await self._send.call(
            Video,
            "POST",
            _video_path(video_id) + "/remix",
            json=params.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )

    async def download(
        self,
        video_id: str | Video,
        destination: str | os.PathLike[str],
        *,
        variant: ContentVariant = "video",
        expected_type: str | None = None,
    ) -> Path:
        """Save a finished job's video (or ``thumbnail``/``spritesheet``) to ``destination``.

        The bytes stream to a temporary file beside the destination and are renamed into place
        only once complete: an interrupted download, a short body or a wrong media type leaves
        nothing at ``destination``. A server answering with another media type (a gateway
        sending the MP4 for a thumbnail) raises :class:`~errors.UnexpectedContentTypeError`
        naming the type it sent.
        """
        if variant not in VARIANT_MEDIA_TYPES:
            raise errors.InvalidRequestError(
                f"variant must be one of {', '.join(VARIANT_MEDIA_TYPES)}, not {variant!r}.",
                param="variant",
            )
        expected = expected_type or VARIANT_MEDIA_TYPES[variant]
        target = Path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        path = _video_path(video_id) + "/content"
        what = f"GET {path}?variant={variant}"
        retries = 0
        waited = 0.0
        while True:
            try:
                await self._download_once(path, variant, expected, target, what, retries + 1)
                return target
            except errors.APIStatusError as exc:
                if not should_retry_status(exc.status_code, exc.headers):
                    raise
                delay = self._send.retry_delay(retries + 1, waited, exc.headers)
                if delay is None:
                    raise
            except errors.APIConnectionError:
                # A dropped or short body: fetch it again from the start (GET is idempotent).
                delay = self._send.retry_delay(retries + 1, waited, None)
                if delay is None:
                    raise
            retries += 1
            waited += delay
            log.info("retrying %s in %.1f s", what, delay)
            await self.clock.sleep(delay)

    async def wait(
        self,
        video_id: str | Video,
        *,
        deadline: float | None = None,
        on_progress: Callable[[Video], object] | None = None,
        raise_on_failure: bool = False,
        poll: PollPolicy | None = None,
    ) -> Video:
        """Poll until the job is completed or failed and return its final state.

        A failed job is returned like a completed one (check ``video.status``), unless
        ``raise_on_failure`` asks for :class:`~errors.JobFailedError`. ``deadline`` is the most
        seconds to wait (:class:`~errors.DeadlineExceededError` after it; the job itself goes
        on; a status check failing near it raises its own error rather than retry past it).
        ``on_progress`` gets every state seen. Cancel the awaiting task to stop polling.
        The pace follows the server's ``openai-poll-after-ms`` hint when it sends one, else
        backs off from ``poll.floor`` to ``poll.ceiling`` seconds.
        """
        policy = poll or self.poll
        clock = self.clock
        end = None if deadline is None else clock.monotonic() + deadline
        # The state in hand (a Video passed in, or the first retrieve) counts as check 1.
        checks = 1
        if isinstance(video_id, Video):
            video = video_id
        else:
            ident = _video_id(video_id)
            hint = self._poll_hints.get(ident)
            if hint is not None:  # create or remix told us when to look first
                await self._sleep_until(min(policy.interval(1, hint), _left(clock, end)))
            video = await self._send.call(Video, "GET", _video_path(ident), end=end)
        while True:
            if on_progress is not None:
                on_progress(video)
            if video.done:
                self._poll_hints.pop(video.id, None)
                if video.failed and raise_on_failure:
                    raise errors.JobFailedError(video)
                return video
            left = _left(clock, end)
            if left <= 0:
                assert deadline is not None
                raise errors.DeadlineExceededError(
                    f"Video job {video.id} was still {video.status} ({video.progress}%) after "
                    f"{deadline:g} s. It may still finish: call wait({video.id!r}) again with "
                    "a longer deadline.",
                    video=video,
                )
            delay = policy.interval(checks, self._poll_hints.get(video.id))
            await self._sleep_until(min(delay, left))
            # Retries of a status check stop at the deadline too, raising what went wrong.
            video = await self._send.call(Video, "GET", _video_path(video.id), end=end)
            checks += 1

    # -- machinery ---------------------------------------------------------------------------

    def _note_hint(self, result: BaseModel, response: httpx.Response) -> None:
        if isinstance(result, Video):
            self._poll_hints[result.id] = poll_hint(response.headers)

    async def _sleep_until(self, seconds: float) -> None:
        if seconds > 0:
            await self.clock.sleep(seconds)

    async def _download_once(
        self,
        path: str,
        variant: str,
        expected: str,
        target: Path,
        what: str,
        attempt: int,
    ) -> None:
        request = self._http.build_request(
            "GET",
            path,
            params={"variant": variant},
            # Identity: the bytes counted are the bytes Content-Length promises.
            headers={"Accept": expected, "Accept-Encoding": "identity"},
        )
        try:
            response = await self._send.open(request)
        except httpx.RequestError as exc:
            raise self._send.transport_error(exc, what, attempt) from exc
        try:
            if response.status_code >= 400:
                await response.aread()
                raise self._send.status_error(response, what, attempts=attempt, content=True)
            await stream_to_file(response, target, variant, expected, what)
        finally:
            await response.aclose()


# -- helpers --------------------------------------------------------------------------------


def _left(clock: Clock, end: float | None) -> float:
    return float("inf") if end is None else end - clock.monotonic()


def _secret(value: str | None) -> SecretStr | None:
    return SecretStr(value.strip()) if value and value.strip() else None


def _video_id(video_id: str | Video) -> str:
    ident = video_id.id if isinstance(video_id, Video) else video_id
    if not isinstance(ident, str) or not ident.strip():
        raise errors.InvalidRequestError(
            f"A video id must be a non-empty string like 'video_123', not {ident!r}.",
            param="video_id",
        )
    return ident


def _video_path(video_id: str | Video) -> str:
    # Escape everything: a gateway's ids may contain '/', '+' or '=' (LiteLLM's are encoded).
    return "/videos/" + quote(_video_id(video_id), safe="")


def _seconds_text(seconds: int | str) -> str:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, str)):
        raise errors.InvalidRequestError(
            f"seconds should be a whole number like 8, not {seconds!r}.", param="seconds"
        )
    text = str(seconds).strip()
    if not text.isdigit() or int(text) == 0:
        raise errors.InvalidRequestError(
            f"seconds should be a whole number like 8, not {seconds!r}.", param="seconds"
        )
    return str(int(text))


def _invalid_params(exc: ValidationError) -> errors.InvalidRequestError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    return errors.InvalidRequestError(
        f"Not sent: {field or 'the request'} is invalid: {first['msg']}.", param=field
    )


__all__ = ["DEFAULT_TIMEOUT", "IN_PROCESS_BASE_URL", "ReferenceInput", "VideosClient"]
