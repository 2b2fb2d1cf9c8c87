"""SGLang Diffusion's dialect, as SGLang 0.5.23's own server answers (checked against its code
in ``tests/engines``): JSON or multipart (sniffed; urlencoded falls to the JSON path and fails),
the request's model echoed (the served model when none), dashed UUID ids, queued → in_progress
with per-step progress (capped at 99) → completed at 100, a failed job keeping its last progress
and reading "Model generation failed. Error from scheduler: ..." with no file, all answered 200;
``/content`` takes ``variant`` as an output index (none or "0" is the MP4; "video" is 404 "Video
variant video not found", and so is a failed job's content, "Video variant None not found"),
404 "Generation is still in-progress" before the end; DELETE only forgets (the job comes back
with status ``deleted``); lists paged with ``first_id``/``last_id``/``has_more``, 20 by default,
422 on a bad ``limit`` or ``order``; steps and guidance are not range-checked (0 steps is 400
"num_inference_steps must be positive"); FastAPI's ``{"detail": ...}`` errors; no remix."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from sora_nb.api.types import Video
from sora_nb.server.imitations.engine import (
    DEFAULT_SIZE,
    Asked,
    Engine,
    EngineError,
    EngineServer,
    inference_seconds,
)
from sora_nb.server.imitations.engine_bodies import read_form, read_json, typed_knobs
from sora_nb.server.jobs import JobRecord

_FPS = 24
_INT_FIELDS = ("seconds", "fps", "num_frames", "seed", "num_inference_steps", "n")
_FLOAT_FIELDS = ("guidance_scale", "flow_shift")


def error(status: int, message: str, param: str | None) -> dict[str, Any]:
    """FastAPI's default body: a string, or for a 422 the list of what failed validation."""
    if status == 422:
        where = (param or "").split(".")
        return {"detail": [{"type": "value_error", "loc": where, "msg": message, "input": None}]}
    return {"detail": message}


def unparsable(name: str, value: Any, kind: str) -> EngineError:
    """FastAPI's 422 for a form field of the wrong type."""
    what = "an integer" if kind == "int" else "a number"
    return EngineError(
        422,
        {
            "detail": [
                {
                    "type": f"{kind}_parsing",
                    "loc": ["body", name],
                    "msg": f"Input should be a valid {kind.replace('int', 'integer')}, "
                    f"unable to parse string as {what}",
                    "input": value,
                }
            ]
        },
    )


def invalid_body(message: str) -> EngineError:
    return EngineError(400, {"detail": f"Invalid request body: {message}"})


async def read_fields(request: Request) -> tuple[dict[str, Any], bytes | None, bool]:
    """Sniffed as SGLang does: multipart is a form, anything else is JSON (``{}`` if unreadable)."""
    if "multipart/form-data" in request.headers.get("content-type", ""):
        fields, reference = await read_form(request)
        for name in _INT_FIELDS:
            if fields.get(name) not in (None, "") and not fields[name].lstrip("-").isdigit():
                raise unparsable(name, fields[name], "int")
        for name in _FLOAT_FIELDS:
            if fields.get(name) not in (None, ""):
                try:
                    float(fields[name])
                except ValueError:
                    raise unparsable(name, fields[name], "float") from None
        if not fields.get("prompt"):
            raise EngineError(400, {"detail": "prompt is required"})
        return dict(fields), reference, True
    data = await read_json(request) or {}
    for extra in ("extra_body", "extra_json"):
        if isinstance(data.get(extra), dict):
            data = {**data, **data.pop(extra)}
    if not isinstance(data.get("prompt"), str):
        raise invalid_body(
            "1 validation error for VideoGenerationsRequest\nprompt\n  Field required "
            f"[type=missing, input_value={data!r}, input_type=dict]"
        )
    return data, None, False


def parse_size(text: Any, *, strict: bool) -> tuple[int, int] | None:
    """``"1280X720"`` or ``" 1280 x 720 "`` -> (1280, 720); None for an empty size."""
    if text in (None, ""):
        return None
    width, sep, height = str(text).lower().replace(" ", "").partition("x")
    if sep and width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0:
        return int(width), int(height)
    if strict:
        raise EngineError(400, {"detail": "size must be formatted as positive WIDTHxHEIGHT"})
    return None  # FastVideo: a size it cannot read is ignored


def make_parse(
    *,
    strict_size: bool,
    form_defaults: dict[str, str],
    bounded: bool = True,
    positive: bool = False,
    echo_asked: bool = False,
) -> Callable[..., Any]:
    """The create parser. ``bounded`` False checks no ranges (SGLang, FastVideo queue 500
    steps); ``positive`` still refuses counts of 0 or less, as SGLang's
    ``build_sampling_params`` does; ``echo_asked`` reports size and seconds as the request put
    them (FastVideo: ``""`` and ``"0"`` when a JSON create names none)."""

    async def parse_create(request: Request, server: EngineServer) -> Asked:
        fields, reference, multipart = await read_fields(request)
        if multipart:
            for name, value in form_defaults.items():
                fields.setdefault(name, value)

        def bad(name: str, value: Any, why: str) -> EngineError:
            return invalid_body(f"1 validation error for VideoGenerationsRequest\n{name}\n  {why}")

        knobs = typed_knobs(fields, bad, bounded=bounded)
        if positive:
            for name in ("num_frames", "num_inference_steps"):
                if name in knobs and knobs[name] <= 0:
                    raise EngineError(400, {"detail": f"{name} must be positive"})
        sent_size = parse_size(fields.get("size"), strict=strict_size)
        size = sent_size or DEFAULT_SIZE
        width = int(fields.get("width") or size[0])  # width and height win over size
        height = int(fields.get("height") or size[1])
        for name, side in (("width", width), ("height", height)):
            if side <= 0:
                raise EngineError(400, {"detail": f"{name} must be positive"})
        try:
            seconds = int(fields.get("seconds") or 4)
        except (TypeError, ValueError):
            raise bad("seconds", fields.get("seconds"), "Input should be a valid integer") from None
        fps = int(knobs.get("fps", _FPS))
        frames = int(knobs.get("num_frames") or fps * seconds)
        return Asked(
            prompt=str(fields["prompt"]),
            model=fields.get("model") or None,
            width=width,
            height=height,
            seconds=max(1, round(frames / fps)),
            knobs=knobs,
            reference=reference,
            size_text=(f"{size[0]}x{size[1]}" if sent_size else "") if echo_asked else None,
            seconds_text=str(int(fields.get("seconds") or 0)) if echo_asked else None,
        )

    return parse_create


def job_body(server: EngineServer, job: JobRecord, view: Video) -> dict[str, Any]:
    completed = view.status == "completed"
    failed = view.status == "failed"
    metrics = job.metrics or {}
    video = server.store.root / job.id / "video.mp4"
    said = view.error.message if view.error is not None else None
    # A failed job keeps the progress it had reached (the last a client could see).
    progress = server.extras(job).get("last_progress", 0) if failed else view.progress
    return {
        "id": job.id,
        "object": "video",
        "model": server.extras(job).get("model_sent") or server.model,
        "status": view.status,
        "progress": progress,
        "created_at": view.created_at,
        "size": job.size,
        "seconds": job.seconds,
        "quality": "standard",
        "url": None,
        "urls": [None] if completed else None,
        "remixed_from_video_id": None,
        "completed_at": view.completed_at if completed else None,
        "expires_at": None,
        "error": (
            {"message": f"Model generation failed. Error from scheduler: {said}"}
            if said is not None
            else None
        ),
        "file_path": None if failed else str(video),
        "file_paths": [str(video)] if completed else None,
        "num_outputs": 1 if completed else None,
        "peak_memory_mb": metrics.get("peak_memory_mb"),
        "inference_time_s": inference_seconds(job),
        "revised_prompt": None,
        "action": None,
        "lidar": None,
    }


async def _set_lora(request: Request) -> Response:
    """``POST /v1/set_lora``: every list the same length, as SGLang checks; the adapters become
    the server's (kept on the app, listed by ``GET /v1/list_loras``)."""
    data = await read_json(request) or {}
    names = data.get("lora_nickname")
    names = names if isinstance(names, list) else [names]
    if not names or not all(isinstance(n, str) and n for n in names):
        return JSONResponse({"detail": "lora_nickname is required"}, status_code=400)
    for key in ("lora_path", "target", "strength"):
        value = data.get(key)
        if isinstance(value, list) and len(value) != len(names):
            return JSONResponse(
                {"detail": f"{key} must have the same length as lora_nickname"}, status_code=400
            )
    strength = data.get("strength", 1.0)
    strengths = strength if isinstance(strength, list) else [strength] * len(names)
    request.app.state.loras = list(zip(names, strengths, strict=True))
    return JSONResponse({"status": "ok", "message": f"Set LoRA adapters {names}"})


async def _unmerge(request: Request) -> Response:
    request.app.state.loras = []
    return JSONResponse({"status": "ok"})


async def _list_loras(request: Request) -> Response:
    active = getattr(request.app.state, "loras", [])
    return JSONResponse(
        {
            "loaded_adapters": [{"nickname": n, "path": n} for n, _ in active],
            # A module is listed only while an adapter is applied to it.
            "active": {
                "transformer": [
                    {"nickname": n, "path": n, "merged": True, "strength": s} for n, s in active
                ]
            }
            if active
            else {},
        }
    )


def indexed_content(
    server: EngineServer, job: JobRecord, status: str, variant: str | None
) -> Response:
    """SGLang 0.5.23's /content: the variant is an output index, and a job that is done (failed
    too) but has no such output answers 404 naming the variant as it was sent."""
    if status not in ("completed", "failed"):
        raise server.error(404, "Generation is still in-progress")
    index = 0 if variant is None else int(variant) if variant.lstrip("-").isdigit() else None
    path = server.store.root / job.id / "video.mp4"  # the file_path its jobs report
    if status == "failed" or index != 0 or not path.is_file():
        raise server.error(404, f"Video variant {variant} not found")
    return FileResponse(path, media_type="video/mp4", filename=f"{job.id}.mp4")


SGLANG = Engine(
    name="sglang",
    owned_by="sglang",
    new_id=lambda: str(uuid.uuid4()),
    id_pattern=re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
    parse_create=make_parse(strict_size=True, form_defaults={}, bounded=False, positive=True),
    job_body=job_body,
    get_status=lambda _body: 200,
    error=error,
    not_ready=(404, "Generation is still in-progress"),
    failed_content=(404, "Video variant None not found"),
    delete="forget",
    limit_range=(1, 100),
    limit_status=422,
    paged_list=True,
    shows_in_progress=True,
    content=indexed_content,
    step_progress=True,
    default_limit=20,
    order_status=422,
    version="0.5.23",
    extra_routes=(
        Route("/v1/set_lora", _set_lora, methods=["POST"]),
        Route("/v1/unmerge_lora_weights", _unmerge, methods=["POST"]),
        Route("/v1/list_loras", _list_loras, methods=["GET"]),
    ),
)
