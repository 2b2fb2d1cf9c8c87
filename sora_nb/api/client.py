"""VideosClient: the async client for any server speaking OpenAI's Videos API protocol.

One class, one job: turn method calls into HTTP requests on httpx, retry what is safe to
retry, and turn answers into wire types or typed errors. It speaks to a remote server by base
URL, or to anything with an httpx transport (the bundled server in-process through
``httpx.ASGITransport``, a ``MockTransport`` in tests); the code path is the same.

Servers speak dialects of the protocol (:mod:`sora_nb.api.dialects`): given one
(``dialect="vllm-omni"``) or after :meth:`VideosClient.detect`, the client sends each server
what it accepts and refuses, before sending, what it cannot do. Without one it speaks OpenAI's
dialect and still reads what the engines answer (their ids, statuses, errors and failed jobs).

This module builds the client (its HTTP session, key, retries, and what it knows of the
server); the endpoints it sends are in :mod:`sora_nb.api.endpoints` and
:mod:`sora_nb.api.continuity`, the sending itself in :mod:`sora_nb.api.sending`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr

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
from sora_nb.api.continuity import ContinuityEndpoints
from sora_nb.api.dialects import Dialect, ServerInfo, dialect_named
from sora_nb.api.endpoints import VideoEndpoints
from sora_nb.api.knowledge import ServerKnowledge
from sora_nb.api.references import ReferenceInput
from sora_nb.api.retry import NO_RETRIES, PollPolicy, RetryPolicy, poll_hint
from sora_nb.api.sending import KeyAuth, Sender, origin
from sora_nb.api.types import Video

#: The base URL used with a transport and no URL (the in-process bundled server): never resolvable.
IN_PROCESS_BASE_URL = "http://sora-nb.invalid/v1"
#: Connect fast, but let a slow server take its time over a create or a large download chunk.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class VideosClient(VideoEndpoints, ContinuityEndpoints):
    """Async client for the Videos API: create, retrieve, list, delete, remix, download, wait
    (:class:`~sora_nb.api.endpoints.VideoEndpoints`); characters, extensions and edits
    (:class:`~sora_nb.api.continuity.ContinuityEndpoints`).

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
        dialect: str | Dialect | None = None,
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
        self._known = ServerKnowledge(
            self._send, dialect_named(dialect) if dialect is not None else None
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
            dialect=config.dialect,
            # resolve_server already warned about a retired endpoint, once is enough.
            **({"warn_retired": False} | options),
        )

    @classmethod
    def from_env(cls, **options: Any) -> VideosClient:
        """A client for the server named by SORA_NB_BASE_URL / OPENAI_BASE_URL and its key."""
        return cls.from_config(resolve_server(), **options)

    def __repr__(self) -> str:
        key = "set" if self._key is not None else "none"
        dialect = self.dialect.name if self.dialect else "unknown"
        return f"<VideosClient base_url={self.base_url!r} api_key={key} dialect={dialect}>"

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

    # -- what the server is ------------------------------------------------------------------

    @property
    def dialect(self) -> Dialect | None:
        """The server's dialect: set by hand, detected, or read from its answers; None when
        nothing is known yet (the client then speaks OpenAI's dialect)."""
        return self._known.dialect

    @property
    def info(self) -> ServerInfo | None:
        """What :meth:`detect` found (None before it ran)."""
        return self._known.info

    async def detect(self, *, refresh: bool = False) -> ServerInfo:
        """Ask the server what it is: its dialect and the models it serves (``GET /models``).

        A dialect given by hand is kept; the answer then only says which models it serves.
        The result is kept for the client's life (``refresh=True`` asks again).
        """
        return await self._known.detect(refresh=refresh)

    async def probe(self) -> ServerInfo:
        """Ask the server what it is once, at once: no retries, so a server that is not there
        says so now (what connecting checks) rather than after the backoff of a real call."""
        patient = self._send.retry
        self._send.retry = NO_RETRIES
        try:
            return await self._known.detect(refresh=True)
        finally:
            self._send.retry = patient

    # -- machinery ---------------------------------------------------------------------------

    def _note_hint(self, result: BaseModel, response: httpx.Response) -> None:
        if isinstance(result, Video):
            self._poll_hints[result.id] = poll_hint(response.headers)


# -- helpers --------------------------------------------------------------------------------


def _secret(value: str | None) -> SecretStr | None:
    return SecretStr(value.strip()) if value and value.strip() else None


__all__ = ["DEFAULT_TIMEOUT", "IN_PROCESS_BASE_URL", "ReferenceInput", "VideosClient"]
