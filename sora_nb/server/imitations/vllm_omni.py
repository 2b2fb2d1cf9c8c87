"""vLLM-Omni 0.30.0's dialect, as its own server answers (``docs/engines.md``, checked by
``tests/engines/test_vllm_omni.py``): form bodies only, the served model or none,
``video_gen_<hex>`` ids, queued → in_progress → completed/failed with progress 0 then 100, a
failed job's GET answered with the error's HTTP status and the job as body (its progress 0),
content errors 404 (not ready) and 422 (failed), DELETE that cancels, paged lists, vLLM's error
envelope with form validation failures as 400 and the request model's range and size errors as
``BadRequestError`` with no param, jobs carrying ``fps`` (24.0 when not sent), ``num_frames``,
``duration_s`` and (when the create asked ``return_stage_metrics``) ``metrics``, FastAPI's own
404 for an unknown route, vLLM's ``GET /version``, ``POST /v1/videos/sync``, no remix; frames as
``image_reference`` (first, last) and a source video as the ``input_reference`` file
(``vllm_omni_sources``)."""

from __future__ import annotations

import io
import json
import re
import secrets
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sora_nb.api.types import Video
from sora_nb.server import source_fields
from sora_nb.server.defaults import DEFAULT_SECONDS
from sora_nb.server.imitations.engine import (
    DEFAULT_SIZE,
    Asked,
    Engine,
    EngineError,
    EngineServer,
    inference_seconds,
)
from sora_nb.server.imitations.engine_bodies import read_form, typed_knobs
from sora_nb.server.imitations.vllm_omni_sources import decode_references, image_urls
from sora_nb.server.jobs import JobRecord

_SIZE = re.compile(r"\d+x\d+")
_SECONDS = re.compile(r"[1-9]\d*")
_FPS = 24
#: The version imitated: vLLM's /version names the vLLM it runs on (vLLM-Omni's releases carry
#: the same number).
VERSION = "0.30.0"


def error(status: int, message: str, param: str | None) -> dict[str, Any]:
    """vLLM's envelope: the reason phrase as type, the status as an integer code."""
    return {
        "error": {
            "message": message,
            "type": HTTPStatus(status).phrase,
            "param": param,
            "code": status,
        }
    }


def _invalid(name: str, value: Any, why: str) -> EngineError:
    detail = {"type": "value_error", "loc": ("body", name), "msg": why, "input": value}
    return EngineError(400, error(400, f"1 validation error:\n  {detail}", f"body.{name}"))


def _bad_request(message: str) -> EngineError:
    """vLLM's answer to a value its server code refuses (a range, a size): BadRequestError,
    no param (vLLM-Omni 0.30.0)."""
    body = {"error": {"message": message, "type": "BadRequestError", "param": None, "code": 400}}
    return EngineError(400, body)


def _out_of_range(name: str, value: Any, why: str) -> EngineError:
    """A range error as the request model's validation words it (pydantic's first lines)."""
    if why.startswith("Input should be between"):
        low, high = why.removeprefix("Input should be between ").split(" and ")
        bound = f"greater than or equal to {low}"
        if float(value) > float(high):
            bound = f"less than or equal to {high}"
        return _bad_request(
            f"1 validation error for VideoGenerationRequest\n{name}\n  Input should be {bound}"
        )
    return _invalid(name, value, why)


async def parse_create(request: Request, server: EngineServer) -> Asked:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fields: dict[str, str] = {}
    reference = None
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields, reference = await read_form(request)
    # Anything else (JSON above all) reads as an empty form: the prompt is missing.
    if not fields.get("prompt"):
        missing = {"type": "missing", "loc": ("body", "prompt"), "msg": "Field required"}
        raise EngineError(400, error(400, f"1 validation error:\n  {missing}", "body.prompt"))
    model = fields.get("model")
    if model and model != server.model:
        raise server.error(
            400,
            f"Model mismatch: request specifies '{model}' but server is running '{server.model}'.",
        )
    size, seconds = fields.get("size"), fields.get("seconds")
    if size is not None and not _SIZE.fullmatch(size):
        raise _invalid("size", size, "String should match pattern '^\\d+x\\d+$'")
    if seconds is not None and not _SECONDS.fullmatch(seconds):
        raise _invalid("seconds", seconds, "String should match pattern '^[1-9]\\d*$'")
    items = image_urls(fields, reference)  # its JSON and conflict checks come first
    knobs = typed_knobs(fields, _out_of_range)
    if fields.get("lora") is not None:
        knobs["lora"] = _lora(fields["lora"])
    if fields.get("return_stage_metrics", "").lower() in ("true", "1", "yes", "on"):
        knobs["return_stage_metrics"] = True
    for name in ("width", "height"):
        if fields.get(name) and not (fields[name].isdigit() and int(fields[name]) >= 1):
            raise _invalid(name, fields[name], "Input should be greater than or equal to 1")
    found = decode_references(items, reference)
    if size is not None:  # size wins over width and height
        width, height = (int(n) for n in size.split("x"))
        if width <= 0 or height <= 0:
            raise _bad_request(f"Invalid size: {size}. Width and height must be positive integers.")
    else:
        width = int(fields.get("width") or DEFAULT_SIZE[0])
        height = int(fields.get("height") or DEFAULT_SIZE[1])
    fps = int(knobs.get("fps", _FPS))
    if seconds is not None:
        length = int(seconds)
    elif "num_frames" in knobs:
        length = max(1, round(knobs["num_frames"] / fps))
    else:
        length = 4
    # Every image is resized to the video's size (LANCZOS), as vLLM-Omni does before its engine
    # reads them: the first opens the video, a second (Wan's first-last-frame model) ends it.
    images = [_resized(image, width, height) for image in found.images]
    sources = {"last_image": images[-1]} if len(images) > 1 else {}
    if found.video is not None:
        sources["video"] = found.video
    # Named by content among the knobs, as the bundled server names them: a renderer that
    # reads them gets them, and the job records which were sent.
    knobs.update(source_fields.knobs_of(sources))
    return Asked(
        prompt=fields["prompt"],
        model=model,
        width=width,
        height=height,
        seconds=length,
        knobs=knobs,
        reference=images[0] if images else None,
        size_text=size,
        seconds_text=seconds,
        sources=sources,
    )


def _lora(text: str) -> dict[str, Any]:
    """The ``lora`` form field: a JSON object (name, path, scale), else vLLM-Omni's 400."""
    try:
        data = json.loads(text)
    except ValueError:
        raise EngineError(400, error(400, "Invalid JSON in form field.", None)) from None
    if not isinstance(data, dict):
        kind = type(data).__name__
        message = f"Invalid JSON in form field: expected dict, got {kind}."
        raise EngineError(400, error(400, message, None))
    return data


def _resized(data: bytes, width: int, height: int) -> bytes:
    """An image (already decoded once: ``vllm_omni_sources``) at the requested size, as
    vLLM-Omni resizes an image reference (LANCZOS)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        out = io.BytesIO()
        image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS).save(out, "PNG")
    return out.getvalue()


def job_body(server: EngineServer, job: JobRecord, view: Video) -> dict[str, Any]:
    extras = server.extras(job)
    metrics = job.metrics or {}
    failure = None
    if view.status == "failed" and view.error is not None:
        code = 400 if job.blocked is not None else 500
        failure = {"code": code, "message": view.error.message}
    done = view.status in ("completed", "failed")
    sent = extras.get("knobs") or {}
    fps = float(sent.get("fps", _FPS))
    seconds_text = extras.get("seconds_text")
    frames = sent.get("num_frames")
    if frames is None and seconds_text is not None:
        frames = int(float(seconds_text) * fps)  # as its request model resolves a length
    length = float(seconds_text) if seconds_text and view.status != "completed" else None
    if length is None and frames is not None:
        length = frames / fps
    asked_metrics = sent.get("return_stage_metrics") and view.status == "completed"
    return {
        "model": server.model,
        "prompt": job.prompt,
        "id": job.id,
        "object": "video",
        "status": view.status,
        "size": extras.get("size_text"),
        # A failed job reads 0, whatever it had reached (vLLM-Omni 0.30.0).
        "progress": 0 if view.status == "failed" else view.progress,
        "seconds": extras.get("seconds_text") or DEFAULT_SECONDS,
        "fps": fps,
        "num_frames": frames,
        "duration_s": length,
        # The diffusion engine's own timing names, reported only when the create asked.
        "metrics": (
            {"diffusion_engine_exec_time_ms": (inference_seconds(job) or 0.0) * 1000.0}
            if asked_metrics
            else None
        ),
        "quality": "default",
        "completed_at": view.completed_at,
        "created_at": view.created_at,
        "remixed_from_video_id": None,
        "error": failure,
        "media_type": "video/mp4",
        "expires_at": None,
        "file_name": f"{job.id}.mp4" if view.status == "completed" else None,
        "inference_time_s": inference_seconds(job) if done else None,
        "stage_durations": metrics.get("stage_durations") or {},
        "peak_memory_mb": float(metrics.get("peak_memory_mb") or 0.0),
    }


async def _version(_request: Request) -> Response:
    return JSONResponse({"version": VERSION})


def get_status(body: dict[str, Any]) -> int:
    """A failed job is answered with its error's status (400..599, else 500)."""
    if body["status"] != "failed":
        return 200
    code = (body.get("error") or {}).get("code")
    return code if isinstance(code, int) and 400 <= code <= 599 else 500


VLLM_OMNI = Engine(
    name="vllm-omni",
    owned_by="vllm",
    new_id=lambda: f"video_gen_{secrets.token_hex(16)}",
    id_pattern=re.compile(r"video_gen_[0-9a-f]{32}"),
    parse_create=parse_create,
    job_body=job_body,
    get_status=get_status,
    error=error,
    not_ready=(404, "Generation is still in-progress"),
    failed_content=(422, "Video generation failed. Check job status for error details."),
    delete="cancel",
    limit_range=(0, 100),
    limit_status=400,
    paged_list=True,
    shows_in_progress=True,
    sync_route=True,
    fastapi_404=True,
    version=VERSION,
    extra_routes=(Route("/version", _version, methods=["GET"]),),
)
