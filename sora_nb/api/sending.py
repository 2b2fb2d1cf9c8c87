"""Sending requests to one server: its key (for its origin only), retries and typed errors.

:class:`Sender` is the machinery under :class:`~sora_nb.api.client.VideosClient`: it sends on
httpx, retries what is safe to retry (with one idempotency key per POST), follows redirects of
downloads by hand so the key never leaves the server's origin, and turns answers into wire types
or the typed errors of :mod:`sora_nb.api.errors`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from sora_nb.api import errors
from sora_nb.api.clock import Clock
from sora_nb.api.config import AuthStyle
from sora_nb.api.retry import RetryPolicy, server_delay, should_retry_status

log = logging.getLogger("sora_nb.api")

MAX_REDIRECTS = 5

M = TypeVar("M", bound=BaseModel)
#: Files of a multipart body: ``(filename or None for a plain field, content, media type)``.
Files = list[tuple[str, tuple[str | None, bytes | str, str | None]]]


class KeyAuth(httpx.Auth):
    """Adds the key header, and only for the configured server's origin: a redirect to a CDN
    or storage host must never carry the key."""

    def __init__(self, key: SecretStr | None, style: AuthStyle, origin: tuple[str, str, int]):
        self._key = key
        self._style = style
        self._origin = origin

    def auth_flow(self, request: httpx.Request) -> Any:
        if self._key is not None and origin(request.url) == self._origin:
            value = self._key.get_secret_value()
            if self._style == "api-key":
                request.headers["api-key"] = value
            else:
                request.headers["Authorization"] = f"Bearer {value}"
        yield request


class Sender:
    """One server's HTTP session: send with retries, parse, or raise the typed error."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        key: SecretStr | None,
        retry: RetryPolicy,
        clock: Clock,
    ) -> None:
        self.http = http
        self.key = key
        self.retry = retry
        self.clock = clock
        #: Called with every object parsed from a 2xx answer and the answer itself.
        self.on_parsed: Callable[[BaseModel, httpx.Response], None] | None = None

    @property
    def base_url(self) -> str:
        return str(self.http.base_url).rstrip("/")

    def redact(self, text: str) -> str:
        """``text`` with the API key replaced, for anything a server may have echoed."""
        if self.key is not None:
            secret = self.key.get_secret_value()
            if secret:
                text = text.replace(secret, "[redacted]")
        return text

    def retry_delay(
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

    async def call(
        self,
        model: type[M],
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Files | None = None,
        params: Mapping[str, str | int] | None = None,
        idempotency_key: str | None = None,
        end: float | None = None,
        accept: Callable[[httpx.Response], M | None] | None = None,
        parse: Callable[[httpx.Response, str], M] | None = None,
    ) -> M:
        """Send with retries, then parse the answer as ``model`` or raise the typed error.

        ``end`` (monotonic clock time) stops retrying when the next wait would pass it.
        ``accept`` may turn an error answer into a result (a failed job sent with its error's
        status); ``parse`` replaces the plain parse of a 2xx answer."""
        headers: dict[str, str] = {}
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or f"sora_nb-{uuid.uuid4()}"
        what = f"{method} {path}"
        retries = 0
        waited = 0.0
        while True:
            request = self.http.build_request(
                method, path, json=json, data=data, files=files, params=params, headers=headers
            )
            response_headers: Mapping[str, str] | None = None
            try:
                response = await self.http.send(request)
            except httpx.RequestError as exc:
                failure: BaseException = exc
            else:
                log.debug("%s -> %s", what, response.status_code)
                if response.status_code < 400:
                    return parse(response, what) if parse else self.parse(model, response, what)
                accepted = accept(response) if accept is not None else None
                if accepted is not None:
                    return accepted
                response_headers = response.headers
                failure = self.status_error(response, what, attempts=retries + 1)
                if not should_retry_status(response.status_code, response.headers):
                    raise failure
            delay = self.retry_delay(retries + 1, waited, response_headers, end)
            if delay is None:
                if isinstance(failure, httpx.RequestError):
                    raise self.transport_error(failure, what, retries + 1) from failure
                raise failure
            retries += 1
            waited += delay
            log.info("retrying %s in %.1f s after %s", what, delay, describe(failure))
            await self.clock.sleep(delay)

    def parse(self, model: type[M], response: httpx.Response, what: str) -> M:
        """The answer's body as ``model``, or an UnexpectedResponseError saying what it was."""
        try:
            result = model.model_validate_json(response.content)
        except ValidationError as exc:
            snippet = self.redact(response.content[:200].decode("utf-8", "replace"))
            raise errors.UnexpectedResponseError(
                f"The server answered {what} with something that is not a Videos API "
                f"{model.__name__} ({exc.error_count()} problems; it began {snippet!r}). "
                "Check the base URL points at a Videos API server (the part before /videos).",
                status_code=response.status_code,
            ) from None
        if self.on_parsed is not None:
            self.on_parsed(result, response)
        return result

    def transport_error(
        self, exc: httpx.RequestError, what: str, attempts: int
    ) -> errors.APIConnectionError:
        """The typed error for a request that got no (complete) answer."""
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        if isinstance(exc, httpx.TimeoutException):
            return errors.APITimeoutError(
                f"No answer from {self.base_url} to {what} in time{tries} "
                f"({type(exc).__name__}). {errors.APITimeoutError.advice}"
            )
        detail = self.redact(str(exc)) or "connection failed"
        return errors.APIConnectionError(
            f"Could not reach {self.base_url} for {what}{tries} ({type(exc).__name__}: "
            f"{detail}). {errors.APIConnectionError.advice}"
        )

    def status_error(
        self, response: httpx.Response, what: str, *, attempts: int, content: bool = False
    ) -> errors.APIStatusError:
        """The typed error for an HTTP error answer (its body must have been read)."""
        error = errors.status_error(
            status_code=response.status_code,
            body=response.content,
            headers=response.headers,
            what=what,
            redact=self.redact,
            attempts=attempts,
            content=content,
        )
        asked = server_delay(response.headers, self.clock.time())
        if asked is not None and asked > self.retry.max_server_delay:
            error.message += f" The server asked to wait {asked:.0f} s before trying again."
            error.args = (error.message,)
        return error

    async def open(self, request: httpx.Request) -> httpx.Response:
        """Send for a streamed body and follow redirects by hand: the key goes only to the
        configured origin."""
        for _ in range(MAX_REDIRECTS + 1):
            response = await self.http.send(request, stream=True)
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


def describe(failure: BaseException) -> str:
    """A short name for what went wrong, for logs."""
    if isinstance(failure, errors.APIStatusError):
        return f"HTTP {failure.status_code}"
    return type(failure).__name__


def origin(url: httpx.URL) -> tuple[str, str, int]:
    """(scheme, host, port) of ``url``: what the key is bound to."""
    port = url.port or (443 if url.scheme == "https" else 80)
    return (url.scheme, url.host, port)
