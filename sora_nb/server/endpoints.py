"""The Videos API endpoints of the bundled server: videos (create, list, retrieve, delete, remix,
extend, edit, content), characters and models, with the helpers that shape their answers and
the response that streams a video's files. :func:`sora_nb.server.bundled_app.bundled_app`
routes to them.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from sora_nb import catalog
from sora_nb.api.types import VARIANT_MEDIA_TYPES, VideoDeleted, VideoList
from sora_nb.catalog import options as options_table
from sora_nb.server.chains import cannot_continue, check_edit, check_extension
from sora_nb.server.errors import APIError, DroppedConnection, invalid
from sora_nb.server.job_records import JobRecord, NewJob
from sora_nb.server.preview_route import preview_response
from sora_nb.server.renderers.base import KNOBS, RenderRefused, RenderRequest
from sora_nb.server.validation import (
    check_create,
    check_remix,
    parse_body,
    read_body,
)

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.server.state import BundledServer

#: Bytes per chunk when streaming content.
CHUNK = 256 * 1024
_STARTED = 1_759_000_000  # the "created" stamp /v1/models reports for every model


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
                options=options_table.from_wire(checked.knobs, checked=False),
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
    if variant == "preview" and server.settings.dialect is None:
        return await preview_response(server, job)
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
    knobs = dict(source.knobs)
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
    if abilities.step_caches:
        card["step_caches"] = list(abilities.step_caches)
    if abilities.usual_size and abilities.usual_seconds:
        card["usual_size"] = abilities.usual_size
        card["usual_seconds"] = abilities.usual_seconds
    if abilities.loras:
        card["loras"] = list(abilities.loras)
    if abilities.previews and server.settings.dialect is None:
        card["previews"] = True  # GET /content?variant=preview while it renders
    return card


def _server(request: Request) -> BundledServer:
    server: BundledServer = request.app.state.server
    return server


async def _body(request: Request) -> Any:
    limit = _server(request).settings.max_upload_bytes
    raw = await read_body(request.headers, request.stream(), limit)
    return await parse_body(request.headers, raw, limit=limit)
