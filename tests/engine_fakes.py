"""Engines on httpx.MockTransport, each answering as ``shared/spec/engine-dialects.md`` says.

:class:`EngineFake` speaks one dialect (vllm-omni, sglang, fastvideo, litellm, openai) in memory:
what it accepts (vLLM-Omni reads only forms and refuses any model but its own; SGLang and
FastVideo read JSON or multipart, never urlencoded), its ids, statuses, job fields, error
envelopes, content answers, DELETE and list. It records every request, so a test can assert
what each dialect *received*. Jobs run in the simulated time of a SimulatedClock, or finish at
once (``job_seconds=0``). These stand in until the bundled server imitates the dialects.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

from sora_nb.api.clock import SimulatedClock

SERVED = "Wan-AI/Wan2.2-T2V-A14B-Diffusers"
BLOCKED_WORD = "forbidden"
GUARDRAIL = "Input was blocked by Cosmos3 guardrails."
#: A prompt with this word is refused at create (400), as a content filter would.
REFUSED_WORD = "refused"
REFUSAL = "The prompt was refused by the content filter."


def tiny_mp4(path: Path, frames: int = 9, fps: int = 16) -> bytes:
    """A real (tiny) H.264 MP4, so a client can decode it for previews."""
    from tests.research.clips import still, write_clip

    return write_clip(path, still(64, 48), frames, fps=fps).read_bytes()


class EngineFake:
    """One engine of one dialect, in memory (see the module's docstring)."""

    def __init__(
        self,
        dialect: str,
        mp4: bytes,
        *,
        clock: SimulatedClock | None = None,
        served: str = SERVED,
        job_seconds: float = 0.0,
        host: str = "engine.test",
    ) -> None:
        self.dialect = dialect
        self.mp4 = mp4
        self.clock = clock
        self.served = served if dialect != "litellm" else "sora-2"
        self.job_seconds = job_seconds
        self.host = host
        self.jobs: dict[str, dict[str, Any]] = {}
        self.born: dict[str, float] = {}
        self.requests: list[httpx.Request] = []
        #: DELETE of a running job answers 409 this many times first (vLLM-Omni's cancel).
        self.cancel_409 = 0
        #: /content answers 404 "still in progress" this many times after completion.
        self.content_lag = 0
        #: SGLang with S3: content answers 400 naming the job's cloud URL.
        self.cloud = False
        #: The engine lost its output files: a completed job's content is 404.
        self.files_lost = False
        #: What SGLang's /server_info names as its version.
        self.version = "0.5.23"
        #: What vLLM's /version names (the vLLM vLLM-Omni runs on, whose number it carries).
        self.vllm_version = "0.30.0"
        #: Restart (forget every job) when this many status GETs have been answered.
        self.restart_after: int | None = None
        self._status_gets = 0
        self._ids = itertools.count(1)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}/v1"

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # -- what it received ---------------------------------------------------------------

    def creates(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST" and r.url.path == "/v1/videos"]

    def video_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith("/v1/videos")]

    def restart(self) -> None:
        """The engine process restarts: every job was in its memory and is gone."""
        self.jobs.clear()
        self.born.clear()

    # -- the engine -----------------------------------------------------------------------

    def now(self) -> float:
        return self.clock.monotonic() if self.clock else time.monotonic()

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.url.host != self.host:  # a cloud bucket
            return httpx.Response(200, content=self.mp4, headers={"content-type": "video/mp4"})
        if self.dialect == "litellm":
            path = path if path.startswith("/v1/") else "/v1" + path
        if path == "/server_info" and self.dialect == "sglang":
            return httpx.Response(
                200, json={"served_model_name": self.served, "version": self.version}
            )
        if path == "/version" and self.dialect == "vllm-omni":
            return httpx.Response(200, json={"version": self.vllm_version})
        parts = path.removeprefix("/v1/").split("/")
        if parts == ["models"] and request.method == "GET":
            return self._models()
        if parts == ["videos"] and request.method == "POST":
            return self._create(request)
        if parts == ["videos"] and request.method == "GET":
            return self._list(request)
        if parts[0] != "videos" or len(parts) < 2:
            return self._error(404, "Not Found")
        if self.dialect == "litellm" and request.method == "DELETE":
            return httpx.Response(405, json={"detail": "Method Not Allowed"})
        if parts[2:] == ["remix"]:
            if self.dialect == "litellm":
                return self._error(400, "remix is not supported by this deployment")
            return httpx.Response(404, json={"detail": "Not Found"})
        if len(parts) == 2 and request.method == "GET" and self.restart_after is not None:
            self._status_gets += 1
            if self._status_gets > self.restart_after:
                self.restart_after = None
                self.restart()
        job = self._refresh(parts[1])
        if job is None:
            return self._error(404, "Video not found")
        if len(parts) == 2 and request.method == "GET":
            return self._job_answer(job)
        if len(parts) == 2 and request.method == "DELETE":
            return self._delete(job)
        if parts[2:] == ["content"]:
            return self._content(job, request.url.params.get("variant"))
        return self._error(404, "Not Found")

    def _models(self) -> httpx.Response:
        created = int(time.time())
        card: dict[str, Any] = {"id": self.served, "object": "model", "created": created}
        if self.dialect == "vllm-omni":
            card |= {"owned_by": "vllm", "root": self.served, "parent": None}
            card["permission"] = [{"object": "model_permission", "allow_sampling": True}]
        elif self.dialect == "sglang":
            card |= {"owned_by": "sglang", "root": self.served, "num_gpus": 1}
            card |= {"task_type": "T2V", "pipeline_class": "WanPipeline"}
        elif self.dialect == "fastvideo":
            card |= {"owned_by": "fastvideo", "root": self.served}
        elif self.dialect == "litellm":
            card |= {"owned_by": "openai", "created": 1677610602}
        else:
            card |= {"owned_by": "system"}
        return httpx.Response(200, json={"object": "list", "data": [card]})

    # -- create -------------------------------------------------------------------------

    def _create(self, request: httpx.Request) -> httpx.Response:
        kind = request.headers.get("content-type", "")
        if kind.startswith("multipart/form-data"):
            fields = _multipart(request)
        elif kind.startswith("application/x-www-form-urlencoded"):
            fields = dict(parse_qsl(request.content.decode()))
            if self.dialect in ("sglang", "fastvideo"):
                fields = {}  # the JSON path reads a form as {}
        else:
            try:
                fields = json.loads(request.content or b"{}")
            except ValueError:
                fields = {}
            if self.dialect == "vllm-omni":
                fields = {}  # Starlette's form parser finds no form in a JSON body
        if "prompt" not in fields:
            if self.dialect == "vllm-omni":
                return self._error(400, "1 validation error: Field required", param="body.prompt")
            if kind.startswith("multipart/"):
                return httpx.Response(400, json={"detail": "prompt is required"})
            return httpx.Response(
                400,
                json={
                    "detail": "Invalid request body: 1 validation error for "
                    "VideoGenerationsRequest\nprompt\n  Field required"
                },
            )
        if REFUSED_WORD in str(fields["prompt"]):
            return self._error(400, REFUSAL, param="prompt")
        model = fields.get("model")
        if self.dialect == "vllm-omni" and model not in (None, self.served):
            return self._error(
                400,
                f"Model mismatch: request specifies '{model}' but server is running "
                f"'{self.served}'.",
            )
        if self.dialect == "litellm" and model not in (None, self.served):
            return self._error(400, f"Invalid model name passed in model={model}", code="400")
        steps = fields.get("num_inference_steps")
        if steps is not None and not 1 <= int(steps) <= 200:
            if self.dialect == "vllm-omni":
                return self._error(400, "num_inference_steps: Input should be <= 200")
            return httpx.Response(400, json={"detail": "num_inference_steps must be positive"})
        return httpx.Response(200, json=self._new_job(fields))

    def _new_job(self, fields: dict[str, Any]) -> dict[str, Any]:
        n = next(self._ids)
        raw = uuid.UUID(int=n)
        if self.dialect == "vllm-omni":
            ident = f"video_gen_{raw.hex}"
        elif self.dialect == "sglang":
            ident = str(raw)
        elif self.dialect == "fastvideo":
            ident = raw.hex
        elif self.dialect == "litellm":
            text = f"litellm:custom_llm_provider:openai;model_id:m1;video_id:video_{n}"
            ident = "video_" + base64.b64encode(text.encode()).decode()
        else:
            ident = f"video_{n:032x}"
        prompt = str(fields["prompt"])
        job: dict[str, Any] = {
            "id": ident,
            "object": "video",
            "status": "processing" if self.dialect == "litellm" else "queued",
            "created_at": int(time.time()),
            "received": dict(fields),
        }
        if self.dialect == "vllm-omni":
            job |= {
                "model": self.served,
                "prompt": prompt,
                "size": fields.get("size"),
                "seconds": fields.get("seconds", "4"),
                "quality": "default",
                "progress": 0,
                "media_type": "video/mp4",
                "peak_memory_mb": 0.0,
                "stage_durations": {},
            }
        elif self.dialect in ("sglang", "fastvideo"):
            job |= {
                "model": fields.get("model") or ("sora-2" if self.dialect == "sglang" else ""),
                "size": fields.get("size") or "832x480",
                "seconds": str(fields.get("seconds", 4)),
                "quality": "standard",
                "progress": 0,
                "file_path": f"/srv/outputs/{ident}.mp4",
            }
        elif self.dialect == "litellm":
            job |= {"model": self.served, "usage": {"duration_seconds": 4.0}}
        else:
            job |= {"model": self.served, "prompt": prompt, "progress": 0, "seconds": "4"}
        self.jobs[ident] = job
        self.born[ident] = self.now()
        return _public(job)

    # -- jobs -----------------------------------------------------------------------------

    def _refresh(self, ident: str) -> dict[str, Any] | None:
        job = self.jobs.get(ident)
        if job is None or job["status"] in ("completed", "failed"):
            return job
        if self.now() - self.born[ident] < self.job_seconds:
            if self.dialect == "vllm-omni":
                job["status"] = "in_progress"  # the others never say in_progress
            return job
        if BLOCKED_WORD in str(job["received"].get("prompt", "")):
            job["status"] = "failed"
            if self.dialect == "vllm-omni":
                job["error"] = {"code": 400, "message": GUARDRAIL}
            elif self.dialect == "litellm":
                job["status"] = "completed"  # Veo never says failed
                job["no_video"] = True
            else:
                job["error"] = {"message": GUARDRAIL}
            return job
        job["status"] = "completed"
        if self.dialect != "litellm":
            job |= {"progress": 100, "completed_at": int(time.time())}
            job |= {"inference_time_s": 12.5, "peak_memory_mb": 20480.0}
        if self.dialect == "sglang" and self.cloud:
            job |= {"url": f"https://bucket.example/{ident}.mp4", "file_path": None}
        return job

    def _job_answer(self, job: dict[str, Any]) -> httpx.Response:
        if self.dialect == "vllm-omni" and job["status"] == "failed":
            # A failed job comes with its error's HTTP status, the body being the job.
            return httpx.Response(int(job["error"]["code"]), json=_public(job))
        return httpx.Response(200, json=_public(job))

    def _content(self, job: dict[str, Any], variant: str | None) -> httpx.Response:
        status = job["status"]
        # SGLang 0.5.23: the variant is an output index; a failed job has no output.
        finished = status in ("completed", "failed") and not job.get("url")
        missing = status == "failed" or variant not in (None, "0") or self.files_lost
        if self.dialect == "sglang" and finished and missing:
            return httpx.Response(404, json={"detail": f"Video variant {variant} not found"})
        if self.dialect == "vllm-omni" and status == "failed":
            message = "Video generation failed. Check job status for error details."
            return self._error(422, message)
        if self.dialect == "fastvideo" and status == "failed":
            return httpx.Response(500, json={"detail": "Video generation failed"})
        if self.dialect == "litellm" and job.get("no_video"):
            return self._error(500, "No response data in completed operation", code="500")
        if status != "completed" or self.content_lag > 0:
            if status == "completed":
                self.content_lag -= 1
            if self.dialect == "fastvideo":
                return httpx.Response(404, json={"detail": "Video still being generated"})
            if self.dialect == "litellm":
                return self._error(400, "Video generation is not complete yet", code="400")
            return self._error(404, "Generation is still in-progress")
        if self.dialect == "sglang" and job.get("url"):
            return httpx.Response(
                400,
                json={
                    "detail": "Video has been uploaded to cloud storage. Please use the "
                    f"cloud URL: {job['url']}"
                },
            )
        # Every variant is the MP4 on every engine (and through LiteLLM).
        return httpx.Response(200, content=self.mp4, headers={"content-type": "video/mp4"})

    def _delete(self, job: dict[str, Any]) -> httpx.Response:
        ident = job["id"]
        if self.dialect == "vllm-omni":
            if job["status"] in ("queued", "in_progress") and self.cancel_409 > 0:
                self.cancel_409 -= 1
                return self._error(409, "Cancellation in progress. Please try again later.")
            del self.jobs[ident]
            return httpx.Response(
                200, json={"id": ident, "deleted": True, "object": "video.deleted"}
            )
        if self.dialect in ("sglang", "fastvideo"):
            del self.jobs[ident]  # the generation runs on regardless
            return httpx.Response(200, json=_public(job) | {"status": "deleted"})
        del self.jobs[ident]
        return httpx.Response(200, json=_deleted(ident))

    def _list(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        jobs = [_public(j) for j in self.jobs.values()]
        if "after" in params:
            ids = [j["id"] for j in jobs]
            jobs = jobs[ids.index(params["after"]) + 1 :] if params["after"] in ids else []
        limit = params.get("limit")
        if self.dialect in ("sglang", "fastvideo"):
            if limit is not None and not 1 <= int(limit) <= 100:
                detail = [
                    {
                        "type": "greater_than_equal",
                        "loc": ["query", "limit"],
                        "msg": "Input should be greater than or equal to 1",
                        "input": limit,
                    }
                ]
                return httpx.Response(422, json={"detail": detail})
            page = jobs[: int(limit or 100)]
            return httpx.Response(200, json={"data": page, "object": "list"})
        page = jobs[: int(limit)] if limit is not None else jobs
        return httpx.Response(
            200,
            json={
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": limit is not None and len(jobs) > int(limit),
            },
        )

    def _error(
        self, status: int, message: str, *, param: str | None = None, code: str | None = None
    ) -> httpx.Response:
        if self.dialect in ("sglang", "fastvideo"):
            return httpx.Response(status, json={"detail": message})
        if self.dialect == "litellm":
            body = {
                "message": message,
                "type": "None",
                "param": "None",
                "code": code or str(status),
            }
            return httpx.Response(status, json={"error": body})
        reason = httpx.codes.get_reason_phrase(status)
        return httpx.Response(
            status,
            json={"error": {"message": message, "type": reason, "param": param, "code": status}},
        )


def _deleted(ident: str) -> dict[str, Any]:
    return {"id": ident, "deleted": True, "object": "video.deleted"}


def _public(job: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in job.items() if k not in ("received", "no_video")}


def _multipart(request: httpx.Request) -> dict[str, Any]:
    from tests.openapi_spec import _parse_multipart

    fields, files = _parse_multipart(request)
    found: dict[str, Any] = dict(fields)
    for name in files:
        found[name] = "<file>"
    return found
