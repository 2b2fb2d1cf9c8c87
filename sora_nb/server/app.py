"""The server's ASGI app: OpenAI's Videos API endpoints under ``/v1``, served from a folder.

``create_app(ServerSettings(media_dir=...))`` gives a Starlette app. Use it in-process through
``httpx.ASGITransport(app)`` (sora_nb's default backend) or serve it with uvicorn
(``python -m sora_nb.server``). ``app.state.server`` holds the job store and its counters.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import math
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sora_nb import catalog
from sora_nb.api.types import VARIANT_MEDIA_TYPES, VideoDeleted, VideoList
from sora_nb.server.chains import cannot_continue, check_edit, check_extension
from sora_nb.server.errors import APIError, DroppedConnection, invalid
from sora_nb.server.faults import FaultInjector, FaultPlan
from sora_nb.server.jobs import JobRecord, JobStore, NewJob, Stats
from sora_nb.server.renderers.base import KNOBS, RenderRefused, RenderRequest
from sora_nb.server.settings import ServerSettings
from sora_nb.server.validation import (
    check_create,
    check_remix,
    parse_body,
    read_body,
)

log = logging.getLogger("sora_nb.server")

#: Bytes per chunk when streaming content.
CHUNK = 256 * 1024
_STARTED = 1_759_000_000  # the "created" stamp /v1/models reports for every model


class BundledServer:
    """One server: its settings, job store and fault injector (``app.state.server``)."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.store = JobStore(settings)
        self.faults = FaultInjector(settings.faults)
        #: How many times each fault was served: {"429": 3, "drop": 1, ...}.
        self.faults_served: dict[str, int] = {}

    @property
    def stats(self) -> Stats:
        """Counters: ``jobs_created``, ``idempotent_replays``, ``requests``, ``renders``."""
        return self.store.stats

    def close(self) -> None:
        """Wait for running renders and stop the worker threads."""
        self.store.close()

    def count_fault(self, kind: str) -> None:
        self.faults_served[kind] = self.faults_served.get(kind, 0) + 1


def create_app(settings: ServerSettings) -> Starlette:
    """A Videos API server over ``settings.media_dir`` (jobs there are picked up again), or,
    with ``settings.dialect``, an imitation of that engine or gateway."""
    if settings.dialect not in (None, "openai"):
        from sora_nb.server.dialects import dialect_app

        return dialect_app(settings)
    server = BundledServer(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await asyncio.to_thread(server.close)

    app = Starlette(
        routes=[
            Route("/v1/videos", create_video, methods=["POST"]),
            Route("/v1/videos", list_videos, methods=["GET"]),
            Route("/v1/videos/characters", create_character, methods=["POST"]),
            Route("/v1/videos/characters/{character_id}", get_character, methods=["GET"]),
            Route("/v1/videos/extensions", extend_video, methods=["POST"]),
            Route("/v1/videos/edits", edit_video, methods=["POST"]),
            Route("/v1/videos/{video_id}", retrieve_video, methods=["GET"]),
            Route("/v1/videos/{video_id}", delete_video, methods=["DELETE"]),
            Route("/v1/videos/{video_id}/remix", remix_video, methods=["POST"]),
            Route("/v1/videos/{video_id}/content", video_content, methods=["GET"]),
            Route("/v1/models", list_models, methods=["GET"]),
            Route("/v1/models/{model}", retrieve_model, methods=["GET"]),
        ],
        middleware=[Middleware(GatewayMiddleware, server=server)],
        exception_handlers={APIError: _api_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    # "/videos/<id>/" is an unknown URL (404), not a redirect to somewhere else.
    app.router.redirect_slashes = False
    app.state.server = server
    return app


# -- endpoints -------------------------------------------------------------------------------


async def create_video(request: Request) -> Response:
    server = _server(request)
    settings = server.settings
    body = await _body(request)
    renderer = server.store.renderer
    checked = check_create(
        body,
        today=settings.today,
        abilities=renderer.abilities,
        with_knobs=settings.dialect != "openai",
    )
    width, height = catalog.parse_size(checked.size)
    try:
        renderer.check(
            RenderRequest(
                prompt=checked.prompt,
                width=width,
                height=height,
                seconds=int(checked.seconds),
                model=checked.model,
                reference=checked.reference,
                **checked.knobs,
            )
        )
    except RenderRefused as exc:
        raise invalid(f"Invalid value for '{exc.param}': {exc}", param=exc.param) from None
    if checked.characters:
        if not renderer.abilities.characters:
            raise invalid(
                f"This server's renderer ({renderer.abilities.kind}) cannot draw characters; "
                "leave 'characters' out, or use the animatic.",
                param="characters",
                code="unsupported_operation",
            )
        server.store.characters.cameos(checked.characters)  # a 400 for an unknown id
    job, new = server.store.create(
        NewJob(
            prompt=checked.prompt,
            model=checked.model,
            size=checked.size,
            seconds=checked.seconds,
            reference=checked.reference,
            knobs=checked.knobs,
            characters=checked.characters,
        ),
        idempotency_key=request.headers.get("idempotency-key"),
        scope="create",
    )
    return _video(server, job, created=new)


async def list_videos(request: Request) -> Response:
    server = _server(request)
    query = request.query_params
    limit_text = query.get("limit", "20")
    if not (limit_text.isdigit() and 0 <= int(limit_text) <= 100):
        raise invalid(
            f"Invalid 'limit': {limit_text!r}. Expected an integer from 0 to 100.", param="limit"
        )
    limit = int(limit_text)
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise invalid(f"Invalid 'order': {order!r}. Expected 'asc' or 'desc'.", param="order")
    jobs = server.store.ordered()
    if order == "desc":
        jobs.reverse()
    after = query.get("after")
    if after is not None:
        ids = [j.id for j in jobs]
        if after not in ids:
            raise invalid(
                f"Invalid 'after': no video with id {after[:80]!r} to list after.", param="after"
            )
        jobs = jobs[ids.index(after) + 1 :]
    page = jobs[:limit]
    data = [server.store.view(j) for j in page]
    listing = VideoList(
        object="list",
        data=data,
        first_id=data[0].id if data else None,
        last_id=data[-1].id if data else None,
        has_more=len(jobs) > len(page),
    )
    return JSONResponse(listing.model_dump(mode="json"))


async def retrieve_video(request: Request) -> Response:
    server = _server(request)
    return _video(server, server.store.get(request.path_params["video_id"]))


async def delete_video(request: Request) -> Response:
    server = _server(request)
    job = server.store.get(request.path_params["video_id"])
    await asyncio.to_thread(server.store.delete, job)
    return JSONResponse(
        VideoDeleted(object="video.deleted", deleted=True, id=job.id).model_dump(exclude_none=True)
    )


async def remix_video(request: Request) -> Response:
    server = _server(request)
    source = server.store.get(request.path_params["video_id"])
    body = await _body(request)
    prompt = check_remix(body)
    status = server.store.view(source).status
    if status != "completed":
        raise invalid(
            f"Video {source.id} is {status}; only a completed video can be remixed. "
            "Wait for it to complete first.",
            param="video_id",
            code="invalid_state",
        )
    job, new = server.store.create(
        NewJob(
            prompt=prompt,
            model=source.model,
            size=source.size,
            seconds=source.seconds,
            remixed_from_video_id=source.id,
            knobs=_remix_knobs(source),
            characters=tuple(source.characters),
        ),
        idempotency_key=request.headers.get("idempotency-key"),
        scope=f"remix:{source.id}",
    )
    return _video(server, job, created=new)


async def create_character(request: Request) -> Response:
    server = _server(request)
    body = await _body(request)
    record, _new = await asyncio.to_thread(
        server.store.characters.create,
        body,
        strict=server.settings.dialect == "openai",
        idempotency_key=request.headers.get("idempotency-key"),
    )
    return JSONResponse(record.resource())


async def get_character(request: Request) -> Response:
    server = _server(request)
    record = server.store.characters.get(request.path_params["character_id"])
    return JSONResponse(record.resource())


async def extend_video(request: Request) -> Response:
    return await _derive(request, "extension")


async def edit_video(request: Request) -> Response:
    return await _derive(request, "edit")


async def _derive(request: Request, kind: str) -> Response:
    """An extension or an edit of a completed video: a new job, rendered as one piece."""
    server = _server(request)
    body = await _body(request)
    store = server.store
    check = check_extension if kind == "extension" else check_edit
    derived = check(body, store.get, lambda job: store.view(job).status)
    if not store.abilities.continues:
        raise cannot_continue(kind)
    source, job_of = derived.source, derived.source.job
    upload = source.upload or b""
    scope = job_of.id if job_of is not None else hashlib.sha256(upload).hexdigest()[:32]
    job, new = store.create(
        NewJob(
            prompt=derived.prompt,
            model=source.model,
            size=source.size,
            seconds=str(derived.seconds),
            knobs=_remix_knobs(job_of) if job_of is not None else {},
            characters=tuple(job_of.characters) if job_of is not None else (),
            kind=derived.kind,
            source_video_id=job_of.id if job_of is not None else None,
            root_video_id=(job_of.root_video_id or job_of.id) if job_of is not None else None,
            segments=derived.segments,
            generated=derived.generated,
            upload=source.upload,
            opaque=source.opaque,
        ),
        idempotency_key=request.headers.get("idempotency-key"),
        scope=f"{kind}:{scope}",
    )
    return _video(server, job, created=new)


async def video_content(request: Request) -> Response:
    server = _server(request)
    job = server.store.get(request.path_params["video_id"])
    variant = request.query_params.get("variant", "video")
    if variant not in VARIANT_MEDIA_TYPES:
        raise invalid(
            f"Invalid 'variant': {variant[:40]!r}. Expected one of video, thumbnail, spritesheet.",
            param="variant",
        )
    path = server.store.content_path(job, variant)
    truncate = server.settings.faults.rate_truncate > 0 and server.faults.truncate()
    if truncate:
        server.count_fault("truncate")
    return FileBody(path, VARIANT_MEDIA_TYPES[variant], truncate=truncate)


async def list_models(request: Request) -> Response:
    server = _server(request)
    return JSONResponse({"object": "list", "data": [_model(server, n) for n in _served(request)]})


async def retrieve_model(request: Request) -> Response:
    name = request.path_params["model"]
    if name not in _served(request):
        raise APIError(
            404, f"The model {name[:80]!r} does not exist.", param="model", code="model_not_found"
        )
    return JSONResponse(_model(_server(request), name))


# -- responses -------------------------------------------------------------------------------


class FileBody(Response):
    """A file streamed in chunks with its exact ``Content-Length``; ``truncate`` sends only the
    first half and ends, as a connection cut mid-download would."""

    def __init__(self, path: Path, media_type: str, *, truncate: bool = False) -> None:
        super().__init__(media_type=media_type)
        self.path = path
        self.truncate = truncate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        size = self.path.stat().st_size
        self.headers["content-length"] = str(size)
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        remaining = size // 2 if self.truncate else size
        with self.path.open("rb") as source:
            while remaining > 0:
                chunk = await asyncio.to_thread(source.read, min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        try:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except Exception as exc:
            if not self.truncate:
                raise
            # A server refuses to end a body short of its Content-Length (uvicorn's h11 does):
            # it then closes the connection, which is the simulated fault.
            raise DroppedConnection("The download was cut short.") from exc


def _video(server: BundledServer, job: JobRecord, *, created: bool = False) -> Response:
    video = server.store.view(job, just_created=created)
    headers = {}
    if not video.done:
        headers["openai-poll-after-ms"] = str(server.store.poll_after_ms(job))
    return JSONResponse(video.model_dump(mode="json"), headers=headers)


def _served(request: Request) -> list[str]:
    """The models this server renders: the renderer's, or the whole catalog (the animatic)."""
    models = _server(request).store.abilities.models
    return list(models) if models is not None else [p.name for p in catalog.models()]


def _remix_knobs(source: JobRecord) -> dict[str, Any]:
    """A remix keeps the source's knobs and, where the renderer chose one, its seed: the same
    noise under a new prompt."""
    knobs = {name: getattr(source, name) for name in KNOBS if getattr(source, name) is not None}
    seed = (source.metrics or {}).get("seed")
    if "seed" not in knobs and seed is not None:
        knobs["seed"] = seed
    return knobs


def _model(server: BundledServer, name: str) -> dict[str, Any]:
    """A model card. Beyond OpenAI's four fields, sora_nb's server says what renders it, the
    knobs that renderer honours (wire names, so clients send them; the strict ``openai``
    dialect takes none and says nothing) and, for an open model, its usual clip."""
    card: dict[str, Any] = {
        "id": name,
        "object": "model",
        "created": _STARTED,
        "owned_by": "sora_nb-server",
    }
    if server.settings.dialect == "openai":
        return card
    abilities = server.store.abilities
    card["renderer"] = abilities.kind
    card["knobs"] = [knob for knob in KNOBS if knob in abilities.knobs]
    if abilities.usual_size and abilities.usual_seconds:
        card["usual_size"] = abilities.usual_size
        card["usual_seconds"] = abilities.usual_seconds
    return card


def _server(request: Request) -> BundledServer:
    server: BundledServer = request.app.state.server
    return server


async def _body(request: Request) -> Any:
    limit = _server(request).settings.max_upload_bytes
    raw = await read_body(request.headers, request.stream(), limit)
    return await parse_body(request.headers, raw, limit=limit)


def _error_response(error: APIError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    return _error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}."
        code = "method_not_allowed"
    else:
        message = (
            f"Unknown request URL: {request.method} {request.url.path}. Check the base URL "
            "ends with /v1 (the part before /videos)."
        )
        code = "unknown_url"
    return _error_response(APIError(exc.status_code, message, code=code))


# -- the gateway: request ids, the API key, faults -------------------------------------------


class GatewayMiddleware:
    """What sits in front of every endpoint: a request id, the key check, simulated faults."""

    def __init__(self, app: ASGIApp, server: BundledServer) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        server = self.server
        server.stats.requests += 1
        request_id = f"req_{secrets.token_hex(12)}"

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        refusal = self._check_key(scope)
        if refusal is not None:
            await _error_response(refusal)(scope, receive, send_with_id)
            return
        plan = server.faults.plan() if server.settings.faults.any else FaultPlan()
        if plan.slow:
            server.count_fault("slow")
            await asyncio.sleep(server.settings.faults.slow_seconds)
        if plan.fault in ("429", "500", "502", "503"):
            server.count_fault(plan.fault)
            await _error_response(self._fault_error(plan.fault))(scope, receive, send_with_id)
            return
        if plan.fault == "drop":
            server.count_fault("drop")
            await self.app(scope, receive, _dropping(send_with_id))
            return
        await self.app(scope, receive, send_with_id)

    def _check_key(self, scope: Scope) -> APIError | None:
        key = self.server.settings.api_key
        if key is None:
            return None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        sent = headers.get("api-key")
        auth = headers.get("authorization", "")
        if sent is None and auth[:7].lower() == "bearer ":
            sent = auth[7:].strip()
        if not sent:
            return APIError(
                401,
                "You didn't provide an API key. This server was started with one: send it as "
                "'Authorization: Bearer <key>'.",
                code="invalid_api_key",
            )
        if not hmac.compare_digest(sent.encode(), key.get_secret_value().encode()):
            # Never echo the key back, not even a part of it.
            return APIError(
                401,
                "Incorrect API key provided. Use the key this server was started with.",
                code="invalid_api_key",
            )
        return None

    def _fault_error(self, kind: str) -> APIError:
        faults = self.server.settings.faults
        if kind == "429":
            return APIError(
                429,
                f"Rate limit reached for requests (simulated). Please try again in "
                f"{faults.retry_after:g}s.",
                code="rate_limit_exceeded",
                type="requests",
                headers={
                    "Retry-After": str(math.ceil(faults.retry_after)),
                    "retry-after-ms": str(int(faults.retry_after * 1000)),
                },
            )
        words = {
            "500": "The server had an error while processing your request",
            "502": "Bad gateway: the upstream renderer did not answer",
            "503": "The server is overloaded or not ready yet",
        }[kind]
        return APIError(int(kind), f"{words} (simulated). Retry your request.", type="server_error")


def _dropping(send: Send) -> Send:
    """A ``send`` that lets the status line out, then breaks the connection before the body."""

    async def dropping_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            await send(message)
            return
        raise DroppedConnection("Server disconnected without sending a complete response.")

    return dropping_send
