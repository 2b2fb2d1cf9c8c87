"""LiteLLM proxy's dialect (engine-dialects.md §D): a gateway in front of an OpenAI-style
deployment. Every route also without ``/v1``; ids re-encoded as ``video_`` + base64 of the
provider, model and upstream id; jobs cut to LiteLLM's VideoObject (no prompt, a ``usage``
added); content always the MP4 labelled video/mp4 whatever the variant; no DELETE (FastAPI's
405 ``{"detail": "Method Not Allowed"}``); remix passed on; lists with ids re-encoded but
first_id/last_id left raw; errors in LiteLLM's envelope with the status as a string code.

The deployment behind it is this bundled server's own OpenAI-style app (the animatic, or an open
model through diffusers), reached in-process as LiteLLM reaches its upstream over HTTP.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sora_nb.server.bundled_app import bundled_app
from sora_nb.server.defaults import DEFAULT_MODEL
from sora_nb.server.doors import Doors, Refusal
from sora_nb.server.settings import ServerSettings

PROVIDER = "openai"
#: The "created" stamp the proxy gives every model it lists, whatever serves it
#: (litellm/constants.py DEFAULT_MODEL_CREATED_AT_TIME; the real proxy 1.108.7 answers it).
LITELLM_CREATED = 1677610602
_OBJECT_FIELDS = (
    "id",
    "object",
    "status",
    "created_at",
    "completed_at",
    "expires_at",
    "error",
    "progress",
    "remixed_from_video_id",
    "seconds",
    "size",
    "model",
)


def encode_id(raw: str, model: str) -> str:
    """LiteLLM's managed id: ``video_`` + base64 of provider, model and the upstream id."""
    text = f"litellm:custom_llm_provider:{PROVIDER};model_id:{model};video_id:{raw}"
    return "video_" + base64.b64encode(text.encode()).decode()


def decode_id(video_id: str) -> str:
    """The upstream id inside a managed id; an id that does not decode is used as it is."""
    if not video_id.startswith("video_"):
        return video_id
    encoded = video_id[len("video_") :]
    try:
        text = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return video_id
    if ";" not in text or "video_id:" not in text:
        return video_id
    return text.rsplit("video_id:", 1)[1]


class Gateway:
    """The proxy: its models, its key, and the upstream app it forwards to."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        upstream_settings = settings.model_copy(update={"dialect": None, "api_key": None})
        self.upstream = bundled_app(upstream_settings)
        abilities = self.upstream.state.server.store.abilities
        served = abilities.models or (DEFAULT_MODEL, "sora-2-pro")
        self.models = (settings.served_model_name,) if settings.served_model_name else served
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.upstream), base_url="http://upstream/v1"
        )

    @property
    def store(self) -> Any:
        return self.upstream.state.server.store

    @property
    def stats(self) -> Any:
        return self.upstream.state.server.stats

    def close(self) -> None:
        self.upstream.state.server.close()


def litellm_app(settings: ServerSettings) -> Starlette:
    """A Starlette app answering as LiteLLM's proxy does, over an OpenAI-style deployment."""
    gateway = Gateway(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await gateway.http.aclose()
        await asyncio.to_thread(gateway.close)

    routes = []
    for prefix in ("/v1", ""):
        routes += [
            Route(f"{prefix}/videos", _create, methods=["POST"]),
            Route(f"{prefix}/videos", _list, methods=["GET"]),
            Route(f"{prefix}/videos/{{video_id}}", _retrieve, methods=["GET"]),
            Route(f"{prefix}/videos/{{video_id}}/content", _content, methods=["GET"]),
            Route(f"{prefix}/videos/{{video_id}}/remix", _remix, methods=["POST"]),
            Route(f"{prefix}/models", _models, methods=["GET"]),
        ]
    doors = Middleware(
        Doors, api_key=settings.api_key, limit=settings.max_upload_bytes, answer=_refused
    )
    app = Starlette(
        routes=routes,
        middleware=[doors],
        exception_handlers={HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False
    app.state.server = gateway
    return app


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.server
    return gateway


def _error(status: int, message: str, kind: str = "invalid_request_error") -> Response:
    body = {"error": {"message": message, "type": kind, "param": None, "code": str(status)}}
    return JSONResponse(body, status_code=status)


def _refused(refusal: Refusal) -> Response:
    """A request kept out by the doors (checked before any body is read), in LiteLLM's words."""
    if refusal.status == 401:
        return _error(401, "Authentication Error, Invalid proxy server token passed.", "auth_error")
    return _error(refusal.status, refusal.message)


def _video_object(body: dict[str, Any], model: str) -> dict[str, Any]:
    found = {name: body.get(name) for name in _OBJECT_FIELDS}
    found["id"] = encode_id(str(body["id"]), model)
    if found.get("remixed_from_video_id"):
        found["remixed_from_video_id"] = encode_id(str(found["remixed_from_video_id"]), model)
    seconds = body.get("seconds")
    found["usage"] = {"duration_seconds": float(seconds)} if seconds else {}
    return found


async def _upstream(
    request: Request, method: str, path: str, model: str | None = None, **kwargs: Any
) -> Response:
    gateway = _gateway(request)
    answer = await gateway.http.request(method, path, **kwargs)
    if answer.status_code >= 400:
        try:
            message = answer.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = answer.text
        return _error(answer.status_code, message)
    body = answer.json()
    name = model or str(body.get("model") or gateway.models[0])
    if body.get("object") == "list":
        body["data"] = [_video_object(v, str(v.get("model") or name)) for v in body["data"]]
        return JSONResponse(body)  # first_id and last_id stay the upstream's (raw)
    return JSONResponse(_video_object(body, name))


async def _create(request: Request) -> Response:
    gateway = _gateway(request)
    kind = request.headers.get("content-type", "")
    raw = await request.body()
    model: str | None = None
    if "multipart/form-data" in kind:
        form = await Request(request.scope, _replay(raw)).form()
        model = str(form.get("model") or "") or None
        await form.close()
    else:
        try:
            import json

            data = json.loads(raw or b"{}")
            model = data.get("model") if isinstance(data, dict) else None
        except (ValueError, RecursionError):
            return _error(400, "Invalid JSON body.")
    model = model or DEFAULT_MODEL
    if model not in gateway.models:
        return _error(
            400,
            f"Invalid model name passed in model={model}. Call `/v1/models` to view available "
            "models for your key.",
        )
    headers = {"content-type": kind} if kind else {}
    return await _upstream(request, "POST", "/videos", model, content=raw, headers=headers)


async def _retrieve(request: Request) -> Response:
    raw = decode_id(request.path_params["video_id"])
    return await _upstream(request, "GET", f"/videos/{raw}")


async def _remix(request: Request) -> Response:
    raw = decode_id(request.path_params["video_id"])
    body = await request.body()
    headers = {"content-type": request.headers.get("content-type", "application/json")}
    return await _upstream(request, "POST", f"/videos/{raw}/remix", content=body, headers=headers)


async def _list(request: Request) -> Response:
    return await _upstream(request, "GET", "/videos", params=dict(request.query_params))


async def _content(request: Request) -> Response:
    video_id = request.path_params["video_id"]
    # The variant is not forwarded: every answer is the MP4.
    answer = await _gateway(request).http.get(f"/videos/{decode_id(video_id)}/content")
    if answer.status_code >= 400:
        return _error(answer.status_code, answer.json()["error"]["message"])
    return Response(
        answer.content,
        media_type="video/mp4",
        headers={"Content-Disposition": f"attachment; filename=video_{video_id}.mp4"},
    )


async def _models(request: Request) -> Response:
    data = [
        {"id": name, "object": "model", "created": LITELLM_CREATED, "owned_by": PROVIDER}
        for name in _gateway(request).models
    ]
    return JSONResponse({"data": data, "object": "list"})


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    phrase = "Method Not Allowed" if exc.status_code == 405 else "Not Found"
    return JSONResponse({"detail": phrase}, status_code=exc.status_code)


def _replay(body: bytes) -> Any:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
