"""The doors of every app the bundled server builds (its own, and each imitation of an engine or
a gateway): the API key, the page a browser request comes from, and the size of a body.

All three are decided from the request's headers, before an app reads a byte of its body:

- With a key, a request must carry it as ``Authorization: Bearer <key>`` (or ``api-key:
  <key>``, as Azure's clients send it); it is compared in constant time. Nothing else in an
  Authorization header counts: not the key alone, not another scheme.
- Without a key, a browser page may call the server only from this machine: a request whose
  ``Origin`` is another site is refused (a form on any web page could otherwise start renders on
  127.0.0.1), and so is one that reached a loopback socket under another host name (DNS
  rebinding). Clients that are not browsers send no ``Origin``, in-process use included.
- A body may not pass the limit: a declared ``Content-Length`` over it is refused at once, and a
  body sent in chunks is cut off the moment it passes it.

Each app answers a refusal in its own dialect: :class:`Doors` takes a function that does.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import SecretStr
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Host names that always mean this machine.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass(frozen=True)
class Refusal:
    """Why a request is not let in: its HTTP status, a short code and one sentence."""

    status: int
    code: str
    message: str


class BodyTooLarge(Exception):
    """Raised while an app reads a body that passed the limit; :func:`guarded` answers 413."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower().rstrip(".") in LOOPBACK_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def sent_key(headers: Headers) -> str | None:
    """The key a request carries: ``api-key: <key>`` (Azure's clients), else ``Authorization:
    Bearer <key>`` (the scheme in any case); None when there is neither. An Authorization header
    of any other shape carries no key."""
    api_key = headers.get("api-key", "").strip()
    if api_key:
        return api_key
    scheme, space, token = headers.get("authorization", "").partition(" ")
    if space and scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def key_matches(sent: str, key: SecretStr) -> bool:
    """Whether ``sent`` is ``key``, in a time that says nothing about either (not even their
    lengths: both are hashed first)."""
    ours = hashlib.sha256(key.get_secret_value().encode()).digest()
    theirs = hashlib.sha256(sent.encode("utf-8", "surrogateescape")).digest()
    return hmac.compare_digest(ours, theirs)


def too_large(limit: int) -> Refusal:
    """The 413 for a body over ``limit`` bytes."""
    return Refusal(
        413,
        "request_too_large",
        f"The request body is larger than this server accepts ({limit / (1024 * 1024):g} MiB); "
        "send a smaller file.",
    )


def check(scope: Scope, *, api_key: SecretStr | None, limit: int) -> Refusal | None:
    """Why this request may not come in, judged on its headers alone; None lets it in."""
    headers = Headers(scope=scope)
    refusal = _key(headers, api_key) if api_key is not None else _foreign(scope, headers)
    if refusal is not None:
        return refusal
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        return too_large(limit)
    return None


def bounded(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises :class:`BodyTooLarge` as soon as the body passes ``limit``."""
    size = 0

    async def receive_bounded() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise BodyTooLarge(too_large(limit))
        return message

    return receive_bounded


async def guarded(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    limit: int,
    answer: Callable[[Refusal], Response],
) -> None:
    """Run ``app`` on a body bounded by ``limit``; a body that passes it gets ``answer``'s 413
    (unless the app had already begun its answer, which then ends as the app leaves it)."""
    started = False

    async def watched(message: Message) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await app(scope, bounded(receive, limit), watched)
    except BodyTooLarge as exc:
        if started:
            raise
        await answer(exc.refusal)(scope, receive, send)


class Doors:
    """ASGI middleware that lets a request reach ``app`` only through the doors above;
    ``answer`` turns a :class:`Refusal` into the app's own error response."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        api_key: SecretStr | None,
        limit: int,
        answer: Callable[[Refusal], Response],
    ) -> None:
        self.app = app
        self.api_key = api_key
        self.limit = limit
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = check(scope, api_key=self.api_key, limit=self.limit)
        if refusal is not None:
            await self.answer(refusal)(scope, receive, send)
            return
        await guarded(self.app, scope, receive, send, limit=self.limit, answer=self.answer)


def multipart_cut_short(headers: Headers, body: bytes) -> bool:
    """True for a multipart body that stops before its closing boundary: its last part (a
    reference image, often) would otherwise vanish without a word."""
    boundary = _boundary(headers.get("content-type", ""))
    if boundary is None:
        return False
    return not body.rstrip(b"\r\n\t ").endswith(b"--" + boundary + b"--")


# -- the rules -------------------------------------------------------------------------------


def _key(headers: Headers, key: SecretStr) -> Refusal | None:
    sent = sent_key(headers)
    if sent is None:
        said = (
            "The Authorization header does not carry a key as 'Bearer <key>'"
            if headers.get("authorization")
            else "You didn't provide an API key"
        )
        return Refusal(
            401,
            "invalid_api_key",
            f"{said}. This server was started with one: send it as 'Authorization: Bearer <key>'.",
        )
    if not key_matches(sent, key):
        # Never echo the key back, not even a part of it.
        return Refusal(
            401,
            "invalid_api_key",
            "Incorrect API key provided. Use the key this server was started with.",
        )
    return None


def _foreign(scope: Scope, headers: Headers) -> Refusal | None:
    """Without a key, only this machine's pages (or clients that are not browsers) get in."""
    origin = headers.get("origin")
    if origin is not None and not _loopback_origin(origin):
        return Refusal(
            403,
            "forbidden_origin",
            f"A page from {_shown(origin)} may not call this server: it has no API key, so only "
            "pages served from this machine may. Start it with a key (--api-key-file) to let "
            "other pages in with that key.",
        )
    server = scope.get("server")
    if server and isinstance(server[0], str) and _ip_loopback(server[0]):
        host = _host_name(headers.get("host", ""))
        if host and not is_loopback(host):
            return Refusal(
                403,
                "forbidden_host",
                f"This server listens on this machine only and has no API key; the name "
                f"{_shown(host)} is not this machine (a page may have renamed it). Call it as "
                "127.0.0.1 or localhost, or start it with a key.",
            )
    return None


def _loopback_origin(origin: str) -> bool:
    try:
        parts = urlsplit(origin.strip())
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and host is not None and is_loopback(host)


def _ip_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(host: str) -> str:
    """The name in a Host header, without its port (``[::1]:80`` -> ``::1``)."""
    host = host.strip()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def _shown(text: str) -> str:
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return repr(cleaned if len(cleaned) <= 80 else cleaned[:77] + "...")


def _boundary(content_type: str) -> bytes | None:
    kind, _, params = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary" and value.strip().strip('"'):
            return value.strip().strip('"').encode("latin-1", "replace")
    return None
