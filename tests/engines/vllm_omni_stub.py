"""vLLM-Omni 0.30.0's own HTTP server with a stub where its engine client would be.

Run with the vLLM-Omni virtualenv's Python (``scripts/engines/vllm_omni.sh`` builds it), never
with sora_nb's: ``python tests/engines/vllm_omni_stub.py MODEL --port N`` takes ``vllm serve
MODEL --omni``'s own options. They are parsed by vLLM-Omni's CLI (``vllm serve ... --omni``:
its serve subcommand on vLLM's argument parser), and the server is started by the function that
command runs (``omni_run_server``): vLLM's ``build_app`` with its middleware and error
handlers, vLLM-Omni's routes, form parsing, request models, job store, file storage, MP4
encoding and answers are all theirs.

Only the engine client (``AsyncOmni``, which would start the diffusion workers) is replaced:
``build_async_omni`` yields :class:`StubEngine`, a single diffusion stage serving a Wan
pipeline. Its ``generate`` answers as the diffusion engine does: first the "started" output
(so the job turns ``in_progress``), then frames, stage durations, peak memory and metrics. A
prompt holding :data:`FAIL_WORD` fails as a worker's exception does (the diffusion engine
raises ``RuntimeError`` with the worker's error text). Frames are a colour field drawn from the
seed, so one seed gives one video and another seed another. Each request's sampling settings,
and the size and mean colour of each image and video frame in its ``multi_modal_data``, as
vLLM-Omni handed them to its engine, are appended to ``$STUB_RECORD`` (a JSON-lines file).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import numpy as np
from vllm_omni.diffusion.data import DIFFUSION_REQUEST_LIFECYCLE_KEY, DIFFUSION_REQUEST_STARTED
from vllm_omni.entrypoints.cli import main as omni_cli
from vllm_omni.entrypoints.openai import api_server
from vllm_omni.outputs import OmniRequestOutput

#: A prompt holding this word fails in the "pipeline", as a crashed GPU kernel would.
FAIL_WORD = "shattered"
FAILURE = "CUDA error: an illegal memory access was encountered"
#: Seconds each denoising step takes in the stub (a running job can be watched and deleted).
STEP_SECONDS = 0.05
#: The served pipeline's usual clip when a request names none (Wan 2.1 at 480p).
WIDTH, HEIGHT, FRAMES = 832, 480, 33


def frames_for(params: Any) -> np.ndarray:
    """[F, H, W, 3] uint8: a colour from the seed, brightening frame by frame."""
    seed = params.seed if isinstance(params.seed, int) else 0
    colour = np.random.default_rng(seed).random(3)
    count = max(1, int(params.num_frames or FRAMES))
    width, height = int(params.width or WIDTH), int(params.height or HEIGHT)
    ramp = np.linspace(0.2, 1.0, count).reshape(count, 1, 1, 1)
    frame = (colour.reshape(1, 1, 1, 3) * ramp * 255).astype(np.uint8)
    return np.ascontiguousarray(np.broadcast_to(frame, (count, height, width, 3)))


def record(request_id: str, prompt: Any, params: Any) -> None:
    """The settings the engine was handed, for the tests to read back."""
    lora = getattr(params, "lora_request", None)
    fields = {
        "request_id": request_id,
        "prompt": prompt.get("prompt"),
        "negative_prompt": prompt.get("negative_prompt"),
        "seed": params.seed,
        "num_inference_steps": params.num_inference_steps,
        "guidance_scale": params.guidance_scale,
        "width": params.width,
        "height": params.height,
        "num_frames": params.num_frames,
        "fps": getattr(params, "fps", None),
        "lora": None if lora is None else {"name": lora.lora_name, "path": lora.lora_path},
        "lora_scale": getattr(params, "lora_scale", None),
        **media_handed(prompt.get("multi_modal_data") or {}),
    }
    write(fields)


def media_handed(data: dict[str, Any]) -> dict[str, Any]:
    """The images and video frames the engine got (``multi_modal_data``), each as its size and
    mean colour: enough to tell a first frame from a last and a video from a still."""

    def seen(image: Any) -> dict[str, Any]:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64).reshape(-1, 3)
        return {"size": list(image.size), "mean": [round(v) for v in pixels.mean(axis=0)]}

    found: dict[str, Any] = {}
    image = data.get("image")
    if image is not None:  # one image, or a list of them in the request's order
        found["images"] = [seen(one) for one in (image if isinstance(image, list) else [image])]
    video = data.get("video")
    if video is not None:  # the decoded frames (a list of images), or paths to video files
        frames = [one for one in video if not isinstance(one, str)]
        found["video"] = {"frames": len(frames), "first": seen(frames[0]) if frames else None}
    return found


def write(fields: dict[str, Any]) -> None:
    path = os.environ.get("STUB_RECORD")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(fields, default=str) + "\n")


class StubEngine:
    """What ``AsyncOmni`` shows the HTTP server for a one-stage Wan diffusion pipeline."""

    def __init__(self, model: str) -> None:
        self.stage_configs = [
            SimpleNamespace(
                stage_id=0,
                stage_type="diffusion",
                final_output=True,
                final_output_type="video",
                engine_args=SimpleNamespace(model_class_name="WanPipeline"),
            )
        ]
        self.od_config = SimpleNamespace(model=model, model_class_name="WanPipeline")
        self.default_sampling_params_list: list[Any] = []
        self.endpoint_restrictions: tuple[Any, ...] = ()
        # A pipeline with no language-model stage has none of these (AsyncOmni answers None).
        self.vllm_config = None
        self.model_config = None
        self.input_processor = None
        self.renderer = None
        self.aborted: set[str] = set()

    def get_diffusion_od_config(self) -> Any:
        return self.od_config

    async def get_vllm_config(self) -> None:
        return None  # pure diffusion: no language-model stage

    async def get_supported_tasks(self) -> tuple[str, ...]:
        return ("generate",)

    async def check_health(self) -> None:
        return None

    async def abort(self, request_id: Any, *, timeout: float | None = None) -> None:
        ids = [request_id] if isinstance(request_id, str) else list(request_id)
        self.aborted.update(ids)
        for ident in ids:
            write({"request_id": f"aborted:{ident}"})

    def shutdown(self) -> None:
        return None

    async def generate(
        self, prompt: Any, request_id: str = "", sampling_params_list: Any = None, **_: Any
    ) -> AsyncIterator[OmniRequestOutput]:
        params = sampling_params_list[0]
        record(request_id, prompt, params)
        yield OmniRequestOutput.from_diffusion(
            request_id=request_id,
            images=[],
            custom_output={DIFFUSION_REQUEST_LIFECYCLE_KEY: DIFFUSION_REQUEST_STARTED},
            finished=False,
        )
        steps = int(params.num_inference_steps or 4)
        text = str(prompt.get("prompt", ""))
        for _ in range(steps // 2 if FAIL_WORD in text else steps):
            await asyncio.sleep(STEP_SECONDS)
            if request_id in self.aborted:
                return  # an aborted request ends with no output (its task is cancelled too)
        if FAIL_WORD in text:
            raise RuntimeError(FAILURE)  # the diffusion engine's answer to a worker's error
        yield OmniRequestOutput.from_diffusion(
            request_id=request_id,
            images=[],
            multimodal_output={"video": frames_for(params)},
            final_output_type="video",
            stage_durations={"denoise": steps * STEP_SECONDS, "vae_decode": 0.01},
            peak_memory_mb=2345.5,
            # The names the diffusion engine gives its per-request timings.
            metrics={"diffusion_engine_exec_time_ms": steps * STEP_SECONDS * 1000.0},
        )


@contextlib.asynccontextmanager
async def stub_async_omni(args: Any, **_: Any) -> AsyncIterator[StubEngine]:
    yield StubEngine(args.model)


def main(argv: list[str]) -> None:
    api_server.build_async_omni = stub_async_omni  # the one call that would start workers
    sys.argv = ["vllm", "serve", *argv, "--omni"]
    omni_cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
