"""The machinery the three engine imitations share (vLLM-Omni, SGLang Diffusion, FastVideo).

They are close relatives (one model per process, jobs in memory, progress 0 then 100, every
variant answered with the MP4, no remix); an :class:`Engine` says where each one differs, and
:func:`engine_app` builds the Starlette app that answers as that engine does. Jobs render with
the bundled server's renderer (the animatic, or an open model through diffusers), and are
forgotten when the app goes, as the engines forget theirs on restart.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from sora_nb import media
from sora_nb.api.types import Video
from sora_nb.catalog import options as options_table
from sora_nb.server.doors import Doors, Refusal
from sora_nb.server.errors import APIError
from sora_nb.server.imitations.engine_bodies import Asked as Asked  # the engines import it here
from sora_nb.server.jobs import JobRecord, JobStore, NewJob
from sora_nb.server.renderers.base import RenderRefused, RenderRequest
from sora_nb.server.settings import ServerSettings

#: A served model renders at this size when the request names none (Wan's 480p landscape).
DEFAULT_SIZE = (832, 480)
_STARTED = 1_759_000_000


class EngineError(Exception):
    """An answer with an engine's own error body: ``{"error": {...}}`` or ``{"detail": ...}``."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Engine:
    """How one engine differs; the functions get the app's :class:`EngineServer`."""

    name: str
    owned_by: str
    new_id: Callable[[], str]
    id_pattern: re.Pattern[str]
    #: Reads a create body (its encodings, types and defaults) or raises EngineError.
    parse_create: Callable[[Request, EngineServer], Any]
    #: The job as the engine shows it, and the HTTP status of a GET for it.
    job_body: Callable[[EngineServer, JobRecord, Video], dict[str, Any]]
    get_status: Callable[[dict[str, Any]], int]
    #: An error body for (status, message, param).
    error: Callable[[int, str, str | None], dict[str, Any]]
    #: /content of a job not finished, and of a failed one: (status, message).
    not_ready: tuple[int, str]
    failed_content: tuple[int, str]
    #: DELETE: "cancel" (vLLM-Omni: stops it, answers video.deleted) or "forget" (SGLang,
    #: FastVideo: drops the record, answers the job with status "deleted", keeps rendering).
    delete: str
    #: List: limit bounds, the status of a bad limit, and whether pages carry
    #: first_id/last_id/has_more.
    limit_range: tuple[int, int]
    limit_status: int
    paged_list: bool
    #: Statuses a client can see while a job runs: vLLM-Omni shows in_progress, the others not.
    shows_in_progress: bool
    sync_route: bool = False
    #: Routes of its own beyond the Videos API (SGLang's LoRA endpoints).
    extra_routes: tuple[Route, ...] = ()
    #: Answers /content itself, given (server, job, status, variant): SGLang 0.5.23's indexes.
    content: Callable[[EngineServer, JobRecord, str, str | None], Response] | None = None
    #: Progress rises step by step while in_progress (SGLang); else it stays 0 until the end.
    step_progress: bool = False
    #: A paged list's ``limit`` when none is asked (SGLang 20), and the status of a bad order.
    default_limit: int | None = None
    order_status: int = 400
    #: The engine version imitated, named at ``/server_info`` as SGLang names its own.
    version: str | None = None
    #: An unknown route is FastAPI's own ``{"detail": "Not Found"}``, not the engine's
    #: envelope (vLLM-Omni 0.30.0).
    fastapi_404: bool = False
    #: Its own ``/v1/models`` card, where it differs from the engines' shared one (FastVideo).
    model_card: Callable[[EngineServer], dict[str, Any]] | None = None


class EngineServer:
    """One imitated engine: its settings, store (forgetful), renderer and served model."""

    def __init__(self, settings: ServerSettings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.store = JobStore(
            settings, new_id=engine.new_id, id_pattern=engine.id_pattern, remember=False
        )
        self.renderer = self.store.renderer
        models = self.store.abilities.models
        self.model = settings.served_model_name or (
            models[0] if models else "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
        )
        #: What each job's create said, as the engine echoes it (model sent, size, seconds).
        self._extras: dict[str, dict[str, Any]] = {}

    @property
    def stats(self) -> Any:
        return self.store.stats

    def close(self) -> None:
        self.store.close()

    def error(self, status: int, message: str, param: str | None = None) -> EngineError:
        return EngineError(status, self.engine.error(status, message, param))

    def create(self, asked: Asked) -> JobRecord:
        renderer = self.renderer
        # The engine takes every knob it knows; the renderer gets those it can draw (the
        # animatic: the seed, as its variation; a diffusers model: all of them).
        drawn = {k: v for k, v in asked.knobs.items() if k in renderer.abilities.knobs}
        if renderer.abilities.kind == "animatic":
            drawn = {k: v for k, v in drawn.items() if k == "seed"}
        if asked.reference is not None:
            try:  # refused now, in a sentence, rather than as a render that fails later
                media.image_info(asked.reference)
            except ValueError as exc:
                raise self.error(400, f"input_reference: {exc}.", "input_reference") from None
        try:
            renderer.check(
                RenderRequest(
                    prompt=asked.prompt,
                    width=asked.width,
                    height=asked.height,
                    seconds=asked.seconds,
                    model=self._render_model(),
                    reference=asked.reference,
                    options=options_table.from_wire(drawn, checked=False),
                    last_image=asked.sources.get("last_image"),
                    video=asked.sources.get("video"),
                )
            )
        except RenderRefused as exc:
            raise self.error(400, str(exc), exc.param) from None
        job, _ = self.store.create(
            NewJob(
                prompt=asked.prompt,
                model=self._render_model(),
                size=f"{asked.width}x{asked.height}",
                seconds=str(asked.seconds),
                reference=asked.reference,
                knobs=drawn,
                sources=asked.sources,  # kept beside the job, for a renderer that reads them
            ),
            idempotency_key=None,
            scope="create",
        )
        self._extras[job.id] = {
            "model_sent": asked.model,
            "size_text": asked.size_text,
            "seconds_text": asked.seconds_text,
            "knobs": dict(asked.knobs),
        }
        return job

    def extras(self, job: JobRecord) -> dict[str, Any]:
        return self._extras.setdefault(job.id, {})

    def _render_model(self) -> str:
        # The animatic draws any catalog model; under an imitation it draws the served name.
        models = self.store.abilities.models
        return models[0] if models else self.model


def engine_app(settings: ServerSettings, engine: Engine) -> Starlette:
    """A Starlette app answering as ``engine`` does."""
    server = EngineServer(settings, engine)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await asyncio.to_thread(server.close)

    routes = [
        Route("/v1/videos", _create, methods=["POST"]),
        Route("/v1/videos", _list, methods=["GET"]),
        Route("/v1/videos/{video_id}", _retrieve, methods=["GET"]),
        Route("/v1/videos/{video_id}", _delete, methods=["DELETE"]),
        Route("/v1/videos/{video_id}/content", _content, methods=["GET"]),
        Route("/v1/models", _models, methods=["GET"]),
        Route("/v1/models/{model:path}", _model, methods=["GET"]),
    ]
    routes.extend(engine.extra_routes)
    if engine.version is not None and engine.name == "sglang":  # SGLang's own route
        routes.append(Route("/server_info", _server_info, methods=["GET"]))
    if engine.sync_route:
        routes.insert(0, Route("/v1/videos/sync", _create_sync, methods=["POST"]))
    doors = Middleware(
        Doors,
        api_key=settings.api_key,
        limit=settings.max_upload_bytes,
        answer=lambda refusal: _refused(engine, refusal),
    )
    app = Starlette(
        routes=routes,
        middleware=[doors],
        exception_handlers={EngineError: _engine_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False
    app.state.server = server
    return app


def _refused(engine: Engine, refusal: Refusal) -> Response:
    """A request kept out by the doors, as the engine answers it: vLLM's and SGLang's key
    middleware send ``{"error": "Unauthorized"}``; the rest come in the engine's envelope."""
    if refusal.status == 401:
        return JSONResponse({"error": "Unauthorized"}, status_code=401)
    return JSONResponse(
        engine.error(refusal.status, refusal.message, None), status_code=refusal.status
    )


# -- endpoints -------------------------------------------------------------------------------


def _server(request: Request) -> EngineServer:
    server: EngineServer = request.app.state.server
    return server


async def _create(request: Request) -> Response:
    server = _server(request)
    asked = await server.engine.parse_create(request, server)
    job = server.create(asked)
    return JSONResponse(_body(server, job, just_created=True))


async def _create_sync(request: Request) -> Response:
    server = _server(request)
    asked = await server.engine.parse_create(request, server)
    job = server.create(asked)
    await asyncio.to_thread(server.store.wait_idle, 600)
    body = _body(server, job)
    if body["status"] != "completed":
        raise server.error(500, f"Video generation failed: {body.get('error')}")
    path = server.store.content_path(server.store.get(job.id), "video")
    metrics = server.store.get(job.id).metrics or {}
    return Response(
        path.read_bytes(),
        media_type="video/mp4",
        headers={
            "X-Model": server.model,
            "X-Inference-Time-S": f"{inference_seconds(server.store.get(job.id)) or 0:.3f}",
            "X-Peak-Memory-MB": f"{metrics.get('peak_memory_mb') or 0:.1f}",
        },
    )


async def _retrieve(request: Request) -> Response:
    server = _server(request)
    job = _job(server, request.path_params["video_id"])
    body = _body(server, job)
    return JSONResponse(body, status_code=server.engine.get_status(body))


async def _content(request: Request) -> Response:
    server = _server(request)
    engine = server.engine
    job = _job(server, request.path_params["video_id"])
    status = server.store.view(job).status
    if engine.content is not None:
        return engine.content(server, job, status, request.query_params.get("variant"))
    if status == "failed":
        raise server.error(*engine.failed_content)
    if status != "completed":
        raise server.error(*engine.not_ready)
    # Any variant (thumbnail, spritesheet) gets the MP4: the engines make no previews.
    path = server.store.content_path(job, "video")
    return FileResponse(path, media_type="video/mp4", filename=f"{job.id}.mp4")


async def _delete(request: Request) -> Response:
    server = _server(request)
    job = _job(server, request.path_params["video_id"])
    if server.engine.delete == "forget":
        body = _body(server, job)
        server.store.delete(job, force=True, cancel=False, remove_files=False)
        return JSONResponse({**body, "status": "deleted"})
    server.store.delete(job, force=True)
    return JSONResponse({"id": job.id, "deleted": True, "object": "video.deleted"})


async def _list(request: Request) -> Response:
    server = _server(request)
    engine = server.engine
    query = request.query_params
    low, high = engine.limit_range
    limit: int | None = None
    if "limit" in query:
        text = query["limit"]
        if not text.lstrip("-").isdigit() or not low <= int(text) <= high:
            raise server.error(
                engine.limit_status,
                f"limit: Input should be between {low} and {high}",
                "query.limit",
            )
        limit = int(text)
    else:
        limit = engine.default_limit if engine.paged_list else None  # FastVideo: every job
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        if engine.paged_list:
            raise server.error(
                engine.order_status, "order: Input should be 'asc' or 'desc'", "query.order"
            )
        order = "desc"
    jobs = server.store.ordered()
    if order == "desc":
        jobs.reverse()
    after = query.get("after")
    if after is not None:
        ids = [j.id for j in jobs]
        jobs = jobs[ids.index(after) + 1 :] if after in ids else []
    page = jobs if limit is None else jobs[:limit]
    data = [_body(server, j) for j in page]
    if not engine.paged_list:
        return JSONResponse({"data": data, "object": "list"})
    return JSONResponse(
        {
            "object": "list",
            "data": data,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
            "has_more": limit is not None and len(jobs) > len(page),
        }
    )


async def _server_info(request: Request) -> Response:
    server = _server(request)
    return JSONResponse(
        {
            "model_path": server.model,
            "served_model_name": server.model,
            "tp_size": 1,
            "dp_size": 1,
            "version": server.engine.version,
        }
    )


async def _models(request: Request) -> Response:
    server = _server(request)
    return JSONResponse({"object": "list", "data": [_model_card(server)]})


async def _model(request: Request) -> Response:
    server = _server(request)
    if request.path_params["model"] != server.model:
        raise _unknown_model(request.path_params["model"])
    return JSONResponse(_model_card(server))


def _unknown_model(name: str) -> EngineError:
    """The OpenAI-style 404 the engines' /v1/models/{model} gives for another model."""
    return EngineError(
        404,
        APIError(
            404, f"The model `{name[:80]}` does not exist.", param="model", code="model_not_found"
        ).body(),
    )


def _model_card(server: EngineServer) -> dict[str, Any]:
    if server.engine.model_card is not None:
        return server.engine.model_card(server)
    return {
        "id": server.model,
        "object": "model",
        "created": _STARTED,
        "owned_by": server.engine.owned_by,
        "root": server.model,
        "parent": None,
        **({"version": server.engine.version} if server.engine.version else {}),  # imitated
    }


# -- shared pieces ---------------------------------------------------------------------------


def inference_seconds(job: JobRecord) -> float | None:
    """The job's inference time as an engine reports it: what the renderer measured (an open
    model's pipeline time), else the render's own wall time (the animatic's)."""
    measured = (job.metrics or {}).get("inference_time_s")
    return measured if measured is not None else job.render_seconds


def _job(server: EngineServer, video_id: str) -> JobRecord:
    if not server.engine.id_pattern.fullmatch(video_id):
        raise server.error(404, "Video not found")
    try:
        return server.store.get(video_id)
    except APIError:
        raise server.error(404, "Video not found") from None


def _body(server: EngineServer, job: JobRecord, *, just_created: bool = False) -> dict[str, Any]:
    view = server.store.view(job, just_created=just_created)
    if not server.engine.shows_in_progress and view.status == "in_progress":
        view = view.model_copy(update={"status": "queued", "progress": 0})
    if view.status == "in_progress" and not server.engine.step_progress:
        view = view.model_copy(update={"progress": 0})  # never updated in between
    if view.status == "in_progress":
        server.extras(job)["last_progress"] = view.progress
    return server.engine.job_body(server, job, view)


async def _engine_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EngineError)
    return JSONResponse(exc.body, status_code=exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    server = _server(request)
    phrase = "Method Not Allowed" if exc.status_code == 405 else "Not Found"
    if server.engine.fastapi_404:
        return JSONResponse({"detail": phrase}, exc.status_code)
    return JSONResponse(server.engine.error(exc.status_code, phrase, None), exc.status_code)
