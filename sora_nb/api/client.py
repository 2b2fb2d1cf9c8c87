"""VideosClient: the async client for any server speaking OpenAI's Videos API protocol.

One class, one job: turn method calls into HTTP requests on httpx, retry what is safe to
retry, and turn answers into wire types or typed errors. It speaks to a remote server by base
URL, or to anything with an httpx transport (the bundled server in-process through
``httpx.ASGITransport``, a ``MockTransport`` in tests); the code path is the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import logging
import os
import tempfile
import uuid
from collections.abc import AsyncGenerator, Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from sora_nb import catalog
from sora_nb._version import __version__
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
from sora_nb.api.retry import PollPolicy, RetryPolicy, poll_hint, server_delay, should_retry_status
from sora_nb.api.types import (
    VARIANT_MEDIA_TYPES,
    ContentVariant,
    CreateVideoParams,
    ImageRef,
    ReferenceFile,
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
#: Bytes per read while downloading: memory stays flat however large the video.
CHUNK_SIZE = 256 * 1024
MAX_REDIRECTS = 5

#: An input_reference: a file path, ``(filename, bytes)``, a :class:`ReferenceFile`, or an
#: :class:`ImageRef` (``image_url`` or ``file_id``) the server fetches itself.
ReferenceInput = Path | str | os.PathLike[str] | tuple[str, bytes] | ReferenceFile | ImageRef

_M = TypeVar("_M", bound=BaseModel)

_PIL_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class _KeyAuth(httpx.Auth):
    """Adds the key header, and only for the configured server's origin: a redirect to a CDN
    or storage host must never carry the key."""

    def __init__(self, key: SecretStr | None, style: AuthStyle, origin: tuple[str, str, int]):
        self._key = key
        self._style = style
        self._origin = origin

    def auth_flow(self, request: httpx.Request) -> Any:
        if self._key is not None and _origin(request.url) == self._origin:
            value = self._key.get_secret_value()
            if self._style == "api-key":
                request.headers["api-key"] = value
            else:
                request.headers["Authorization"] = f"Bearer {value}"
        yield request


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
            auth=_KeyAuth(
                self._key, auth or default_auth(self.base_url), _origin(httpx.URL(self.base_url))
            ),
            follow_redirects=False,
        )

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
        upload = await _read_reference(input_reference) if input_reference is not None else None
        if self.check_requests and upload is not None and size is not None:
            self._check_upload(upload, size)
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
            return await self._call(
                Video, "POST", "/videos", json=fields, idempotency_key=idempotency_key
            )
        files = {"input_reference": (upload.filename, upload.content, upload.media_type)}
        return await self._call(
            Video, "POST", "/videos", data=fields, files=files, idempotency_key=idempotency_key
        )

    async def retrieve(self, video_id: str | Video) -> Video:
        """The job's current state: status, progress, and its error if it failed."""
        return await self._call(Video, "GET", _video_path(video_id))

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
        return await self._call(VideoList, "GET", "/videos", params=params)

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
        return await self._call(VideoDeleted, "DELETE", _video_path(video_id))

    async def remix(
        self, video_id: str | Video, *, prompt: str, idempotency_key: str | None = None
    ) -> Video:
        """Start a new job that reworks a completed video with a new prompt."""
        try:
            params = RemixVideoParams(prompt=prompt)
        except ValidationError as exc:
            raise _invalid_params(exc) from None
        return await self._call(
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
                delay = self._retry_delay(retries + 1, waited, exc.headers)
                if delay is None:
                    raise
            except errors.APIConnectionError:
                # A dropped or short body: fetch it again from the start (GET is idempotent).
                delay = self._retry_delay(retries + 1, waited, None)
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
            video = await self._call(Video, "GET", _video_path(ident), end=end)
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
            video = await self._call(Video, "GET", _video_path(video.id), end=end)
            checks += 1

    # -- machinery ---------------------------------------------------------------------------

    async def _sleep_until(self, seconds: float) -> None:
        if seconds > 0:
            await self.clock.sleep(seconds)

    def _check_upload(self, upload: ReferenceFile, size: str) -> None:
        from PIL import Image

        with Image.open(io.BytesIO(upload.content)) as image:
            width, height = image.size
        try:
            catalog.check_reference(size, upload.media_type, width, height)
        except catalog.CatalogError as exc:
            raise errors.InvalidRequestError(f"Not sent: {exc}", param=exc.param) from None

    def _redact(self, text: str) -> str:
        if self._key is not None:
            secret = self._key.get_secret_value()
            if secret:
                text = text.replace(secret, "[redacted]")
        return text

    def _retry_delay(
        self,
        retry: int,
        waited: float,
        headers: Mapping[str, str] | None,
        end: float | None = None,
    ) -> float | None:
        """Seconds before retry number ``retry``, or None when the budget (or ``end``, a
        deadline on the clock's monotonic time) says stop."""
        policy = self.retry
        if retry > policy.max_retries:
            return None
        asked = server_delay(headers, self.clock.time()) if headers is not None else None
        if asked is not None and asked > policy.max_server_delay:
            return None
        delay = asked if asked is not None else policy.backoff(retry)
        if waited + delay > policy.budget:
            return None
        if end is not None and self.clock.monotonic() + delay > end:
            return None
        return delay

    async def _call(
        self,
        model: type[_M],
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        params: Mapping[str, str | int] | None = None,
        idempotency_key: str | None = None,
        end: float | None = None,
    ) -> _M:
        """Send with retries, then parse the answer as ``model`` or raise the typed error.

        ``end`` (monotonic clock time) stops retrying when the next wait would pass it."""
        headers: dict[str, str] = {}
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or f"sora_nb-{uuid.uuid4()}"
        what = f"{method} {path}"
        retries = 0
        waited = 0.0
        while True:
            request = self._http.build_request(
                method, path, json=json, data=data, files=files, params=params, headers=headers
            )
            response_headers: Mapping[str, str] | None = None
            try:
                response = await self._http.send(request)
            except httpx.RequestError as exc:
                failure: BaseException = exc
            else:
                log.debug("%s -> %s", what, response.status_code)
                if response.status_code < 400:
                    return self._parse(model, response, what)
                response_headers = response.headers
                failure = self._status_error(response, what, attempts=retries + 1)
                if not should_retry_status(response.status_code, response.headers):
                    raise failure
            delay = self._retry_delay(retries + 1, waited, response_headers, end)
            if delay is None:
                if isinstance(failure, httpx.RequestError):
                    raise self._transport_error(failure, what, retries + 1) from failure
                raise failure
            retries += 1
            waited += delay
            log.info("retrying %s in %.1f s after %s", what, delay, _describe(failure))
            await self.clock.sleep(delay)

    def _transport_error(
        self, exc: httpx.RequestError, what: str, attempts: int
    ) -> errors.APIConnectionError:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        if isinstance(exc, httpx.TimeoutException):
            return errors.APITimeoutError(
                f"No answer from {self.base_url} to {what} in time{tries} "
                f"({type(exc).__name__}). {errors.APITimeoutError.advice}"
            )
        detail = self._redact(str(exc)) or "connection failed"
        return errors.APIConnectionError(
            f"Could not reach {self.base_url} for {what}{tries} ({type(exc).__name__}: "
            f"{detail}). {errors.APIConnectionError.advice}"
        )

    def _status_error(
        self, response: httpx.Response, what: str, *, attempts: int, content: bool = False
    ) -> errors.APIStatusError:
        error = errors.status_error(
            status_code=response.status_code,
            body=response.content,
            headers=response.headers,
            what=what,
            redact=self._redact,
            attempts=attempts,
            content=content,
        )
        asked = server_delay(response.headers, self.clock.time())
        if asked is not None and asked > self.retry.max_server_delay:
            error.message += f" The server asked to wait {asked:.0f} s before trying again."
            error.args = (error.message,)
        return error

    def _parse(self, model: type[_M], response: httpx.Response, what: str) -> _M:
        try:
            result = model.model_validate_json(response.content)
        except ValidationError as exc:
            snippet = self._redact(response.content[:200].decode("utf-8", "replace"))
            raise errors.UnexpectedResponseError(
                f"The server answered {what} with something that is not a Videos API "
                f"{model.__name__} ({exc.error_count()} problems; it began {snippet!r}). "
                "Check the base URL points at a Videos API server (the part before /videos).",
                status_code=response.status_code,
            ) from None
        if isinstance(result, Video):
            self._poll_hints[result.id] = poll_hint(response.headers)
        return result

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
            response = await self._open(request)
        except httpx.RequestError as exc:
            raise self._transport_error(exc, what, attempt) from exc
        try:
            if response.status_code >= 400:
                await response.aread()
                raise self._status_error(response, what, attempts=attempt, content=True)
            await _stream_to(response, target, variant, expected, what)
        finally:
            await response.aclose()

    async def _open(self, request: httpx.Request) -> httpx.Response:
        """Send and follow redirects by hand: the key goes only to the configured origin."""
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._http.send(request, stream=True)
            location = response.headers.get("location")
            if not (response.is_redirect and location):
                return response
            await response.aclose()
            request = httpx.Request(
                "GET",
                request.url.join(location),
                headers={
                    "Accept": request.headers["Accept"],
                    "Accept-Encoding": request.headers["Accept-Encoding"],
                },
            )
        raise errors.APIConnectionError(
            f"Too many redirects downloading {request.url.path}. "
            "Check the server or gateway's storage configuration."
        )


# -- helpers --------------------------------------------------------------------------------


async def _stream_to(
    response: httpx.Response, target: Path, variant: str, expected: str, what: str
) -> None:
    """Write the body to a temporary file beside ``target``, check it, then rename it there."""
    declared = response.headers.get("content-type", "").split(";")[0].strip().lower()
    generic = declared in ("", "application/octet-stream", "binary/octet-stream")
    if not generic and declared != expected:
        raise _wrong_type(declared, expected, variant, what)
    length = response.headers.get("content-length")
    # Content-Length counts the bytes on the wire: decoded bytes differ if the server encoded.
    encoded = response.headers.get("content-encoding", "identity").strip().lower() != "identity"
    written = 0

    def received() -> int:
        # Raw bytes read can run ahead of bytes written (the chunker buffers); a body httpx
        # had in memory already (a MockTransport's) counts as written but not as downloaded.
        return (
            response.num_bytes_downloaded
            if encoded
            else max(written, response.num_bytes_downloaded)
        )

    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        # mkstemp makes the file private (0600); the video should get the usual permissions.
        os.chmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as out:
            head = b""
            try:
                async for chunk in response.aiter_bytes(CHUNK_SIZE):
                    if generic and len(head) < 16:
                        head += chunk[: 16 - len(head)]
                        if len(head) >= 16:
                            _check_sniffed(head, expected, variant, what)
                    # Writes of page-cache-sized chunks return in microseconds: no thread.
                    out.write(chunk)
                    written += len(chunk)
            except httpx.RequestError as exc:
                raise _incomplete(what, received(), length, exc) from exc
            if generic and len(head) < 16:
                _check_sniffed(head, expected, variant, what)
            if length is not None and length.isdigit() and received() != int(length):
                raise _incomplete(what, received(), length, None)
            out.flush()
            # The file is the record of a paid-for take: make it durable before it appears.
            await asyncio.to_thread(os.fsync, out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@functools.cache
def _umask() -> int:
    # Read, not set-and-restore: os.umask() is process-wide and other threads create files.
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def _sniff(head: bytes) -> str | None:
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    return None


def _check_sniffed(head: bytes, expected: str, variant: str, what: str) -> None:
    # An untyped body (application/octet-stream) is accepted when its bytes are what we asked.
    found = _sniff(head)
    if found != expected:
        raise _wrong_type(found or "unrecognised bytes", expected, variant, what)


def _wrong_type(received: str, expected: str, variant: str, what: str) -> Exception:
    return errors.UnexpectedContentTypeError(
        f"Asked for the {variant} ({expected}) with {what} but the server sent {received}; "
        "nothing was saved. Some gateways ignore the variant and always send the video: "
        "derive the thumbnail or spritesheet from the video instead.",
        expected=expected,
        received=received,
        variant=variant,
    )


def _incomplete(
    what: str, got: int, length: str | None, exc: BaseException | None
) -> errors.IncompleteDownloadError:
    of = f" of {length}" if length else ""
    why = f" ({type(exc).__name__})" if exc is not None else ""
    return errors.IncompleteDownloadError(
        f"The download of {what} stopped after {got}{of} bytes{why}; nothing was saved. "
        f"{errors.IncompleteDownloadError.advice}"
    )


def _describe(failure: BaseException) -> str:
    if isinstance(failure, errors.APIStatusError):
        return f"HTTP {failure.status_code}"
    return type(failure).__name__


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    port = url.port or (443 if url.scheme == "https" else 80)
    return (url.scheme, url.host, port)


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


async def _read_reference(reference: ReferenceInput) -> ReferenceFile | None:
    """The upload for a file reference (None for an ImageRef, which goes as JSON)."""
    if isinstance(reference, ImageRef):
        return None
    if isinstance(reference, ReferenceFile):
        return reference
    if isinstance(reference, tuple):
        filename, content = reference
    else:
        text = os.fspath(reference)
        if text.startswith(("http://", "https://", "data:")):
            raise errors.InvalidRequestError(
                f"input_reference {text[:60]!r} is a URL, not a file; pass "
                "ImageRef(image_url=...) to have the server fetch it.",
                param="input_reference",
            )
        path = Path(text).expanduser()
        try:
            content = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise errors.InvalidRequestError(
                f"Cannot read the input_reference file {str(path)!r} ({exc.strerror}); "
                "check the path.",
                param="input_reference",
            ) from None
        filename = path.name
    return ReferenceFile(
        filename=filename or "reference", content=content, media_type=_image_type(filename, content)
    )


def _image_type(filename: str, content: bytes) -> Literal["image/jpeg", "image/png", "image/webp"]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format or "unknown"
    except (UnidentifiedImageError, OSError):
        kind = "unreadable"
    media_type = _PIL_TYPES.get(kind)
    if media_type == "image/jpeg":
        return "image/jpeg"
    if media_type == "image/png":
        return "image/png"
    if media_type == "image/webp":
        return "image/webp"
    raise errors.InvalidRequestError(
        f"Not sent: the input_reference {filename!r} is {kind.lower()}, but servers take only "
        "JPEG, PNG or WebP images; convert it to one of those.",
        param="input_reference",
    )


__all__ = ["DEFAULT_TIMEOUT", "IN_PROCESS_BASE_URL", "ReferenceInput", "VideosClient"]
