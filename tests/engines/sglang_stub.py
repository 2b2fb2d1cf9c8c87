"""SGLang 0.5.23's own HTTP server with a stub where its GPU workers would be.

Run with the SGLang virtualenv's Python (``scripts/engines/sglang.sh`` builds it), never with
sora_nb's: ``python tests/engines/sglang_stub.py --model-path MODEL --port N --output-path DIR``
takes ``sglang serve``'s own options. The options are parsed as ``sglang serve`` parses them
(SGLang's parser and ``ServerArgs.from_cli_args``), and the HTTP side is started by SGLang's
own ``launch_http_server_only``, the function ``launch_server`` calls once its workers are
ready: the FastAPI app, routes, request parsing, job store, progress listener and scheduler
client are all SGLang's.

Only the workers are replaced. A thread binds the scheduler's ZeroMQ socket where the workers
would and answers generation requests as a worker's scheduler does: it reports per-step
progress through SGLang's own ``ProgressReporter`` (to the HTTP server's progress listener),
then answers an ``OutputBatch`` holding the frames, which SGLang's HTTP process encodes to MP4
with its own ``save_outputs``. A prompt holding :data:`FAIL_WORD` fails the way a worker's
exception does: an ``OutputBatch`` whose ``error`` is the exception's text; one holding
:data:`SLOW_WORD` takes :data:`SLOW_STEP_SECONDS` a step (to be deleted, or restarted, while it
runs). LoRA requests (``/v1/set_lora``, ``/v1/unmerge_lora_weights``, ``/v1/list_loras``) are
answered as SGLang's LoRA pipeline answers them; each is appended to ``OUTPUT_PATH/controls.jsonl``
and each generation records the adapters active while it ran. Frames are a
colour field drawn from the seed, so one seed gives one video and another seed another. Each
request's settings, as SGLang handed them to its pipeline, are appended to
``OUTPUT_PATH/requests.jsonl`` for the tests to read.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import threading
import time
from typing import Any

import torch
import zmq
from sglang.multimodal_gen.runtime.entrypoints.cli.serve import add_multimodal_gen_serve_args
from sglang.multimodal_gen.runtime.entrypoints.control_requests import (
    ListLorasReq,
    SetLoraReq,
    UnmergeLoraWeightsReq,
)
from sglang.multimodal_gen.runtime.launch_server import launch_http_server_only
from sglang.multimodal_gen.runtime.managers.progress_reporter import ProgressReporter
from sglang.multimodal_gen.runtime.pipelines_core.schedule_batch import OutputBatch, Req
from sglang.multimodal_gen.runtime.server_args import ServerArgs
from sglang.multimodal_gen.runtime.utils.argparse import FlexibleArgumentParser

#: A prompt holding this word fails in the "pipeline", as a crashed GPU kernel would.
FAIL_WORD = "shattered"
FAILURE = "CUDA error: an illegal memory access was encountered"
#: Seconds each denoising step takes in the stub (progress can be watched rising).
STEP_SECONDS = 0.05
#: A prompt holding this word takes SLOW_STEP_SECONDS a step.
SLOW_WORD = "slowly"
SLOW_STEP_SECONDS = 0.5
#: The transformers an adapter may target (LoRAPipeline.VALID_TARGETS).
TARGETS = ("all", "transformer", "transformer_2", "critic")


def frames_for(req: Any) -> torch.Tensor:
    """[C, T, H, W] floats in [0, 1]: a colour from the seed, brightening frame by frame."""
    seed = req.seed if isinstance(req.seed, int) else 0
    generator = torch.Generator().manual_seed(seed)
    colour = torch.rand(3, 1, 1, 1, generator=generator)
    count = max(1, int(req.num_frames or 1))
    ramp = torch.linspace(0.2, 1.0, count).view(1, count, 1, 1)
    return (colour * ramp).expand(3, count, int(req.height), int(req.width)).contiguous()


#: The settings of a request, as SGLang's pipeline would read them, that the tests look at.
RECORDED = (
    "request_id",
    "prompt",
    "negative_prompt",
    "seed",
    "num_inference_steps",
    "guidance_scale",
    "width",
    "height",
    "num_frames",
    "fps",
)


class Adapters:
    """The pipeline's LoRA state as SGLang's LoRAPipeline keeps it: adapters loaded by nickname
    (a nickname needs a path the first time), and those set active with target and strength."""

    def __init__(self) -> None:
        self.loaded: dict[str, str] = {}
        self.active: list[tuple[str, str, float]] = []

    def answer(self, req: Any) -> OutputBatch:
        try:
            if isinstance(req, SetLoraReq):
                self.set(req)
            elif isinstance(req, UnmergeLoraWeightsReq):
                self.active = []
            elif isinstance(req, ListLorasReq):
                return OutputBatch(output=self.status())
        except ValueError as exc:  # the scheduler turns a handler's exception into its error
            return OutputBatch(error=str(exc))
        return OutputBatch()

    def set(self, req: Any) -> None:
        names = listed(req.lora_nickname)
        count = len(names)
        paths, targets = listed(req.lora_path, count), listed(req.target, count)
        strengths = listed(req.strength, count)
        wrong = [target for target in targets if target not in TARGETS]
        if wrong:
            raise ValueError(f"Invalid target(s): {wrong}. Valid targets: {list(TARGETS)}")
        for name, path in zip(names, paths, strict=True):
            if name not in self.loaded and path is None:
                raise ValueError(
                    f"Adapter {name} not found in the pipeline. "
                    "Please provide lora_path to load it."
                )
            if path is not None:
                self.loaded[name] = path
        self.active = list(zip(names, targets, [float(s) for s in strengths], strict=True))

    def status(self) -> dict[str, Any]:
        """``get_lora_status()``'s shape: loaded adapters, and per module what is applied."""
        modules: dict[str, list[dict[str, Any]]] = {}
        for name, target, strength in self.active:
            for module in ("transformer", "transformer_2") if target == "all" else (target,):
                modules.setdefault(module, []).append({"nickname": name, "strength": strength})
        active = {
            module: [
                {
                    "nickname": applied[-1]["nickname"],
                    "nicknames": [a["nickname"] for a in applied],
                    "path": self.loaded.get(applied[-1]["nickname"]),
                    "merged": True,
                    "mode": "merged",
                    "strength": applied[-1]["strength"],
                    "strengths": [a["strength"] for a in applied],
                }
            ]
            for module, applied in modules.items()
        }
        loaded = [{"nickname": name, "path": path} for name, path in self.loaded.items()]
        return {"loaded_adapters": loaded, "active": active}


def listed(value: Any, count: int | None = None) -> list[Any]:
    """SGLang's normalisation: a single value stands for every adapter."""
    if isinstance(value, list):
        if count is not None and len(value) != count:
            raise ValueError(f"expected {count} values, got {len(value)}")
        return value
    return [value] * (count or 1)


def record(reqs: list[Any], folder: str, adapters: Adapters) -> None:
    os.makedirs(folder, exist_ok=True)
    with open(f"{folder}/requests.jsonl", "a", encoding="utf-8") as out:
        for req in reqs:
            fields = {name: getattr(req, name, None) for name in RECORDED}
            fields["loras"] = [list(applied) for applied in adapters.active]
            out.write(json.dumps(fields, default=str) + "\n")


def record_control(req: Any, folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    fields = {name: getattr(req, name) for name in req.__struct_fields__}
    with open(f"{folder}/controls.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps({"kind": type(req).__name__, **fields}, default=str) + "\n")


def generate(reqs: list[Any], reporter: ProgressReporter) -> OutputBatch:
    """What a worker does with a batch of requests, minus the model."""
    req = reqs[0]
    ids = [r.request_id for r in reqs]
    steps = int(req.num_inference_steps or 1)
    pause = SLOW_STEP_SECONDS if SLOW_WORD in str(req.prompt) else STEP_SECONDS
    reporter.start(ids)
    if FAIL_WORD in str(req.prompt):
        for step in range(1, steps // 2 + 1):
            time.sleep(pause)
            reporter.step(ids, step, steps)
        return OutputBatch(error=FAILURE)
    for step in range(1, steps + 1):
        time.sleep(pause)
        reporter.step(ids, step, steps)
    return OutputBatch(output=[frames_for(r) for r in reqs], peak_memory_mb=1234.5)


def serve_scheduler(server_args: ServerArgs, ready: threading.Event) -> None:
    """Answer the scheduler socket as a worker's scheduler does (REQ envelope, pickles)."""
    context = zmq.Context()
    socket = context.socket(zmq.ROUTER)
    socket.bind(server_args.scheduler_endpoints[0])
    endpoint = server_args.progress_endpoint
    assert endpoint is not None, "a monolithic server on a port has a progress endpoint"
    reporter = ProgressReporter(context=context, endpoint=endpoint)
    adapters = Adapters()
    ready.set()
    while True:
        identity, _, payload = socket.recv_multipart()
        received = pickle.loads(payload)
        items = received if isinstance(received, list) else [received]
        reqs = [item for item in items if isinstance(item, Req)]
        controls = [i for i in items if isinstance(i, SetLoraReq | UnmergeLoraWeightsReq)]
        if reqs:
            record(reqs, server_args.output_path, adapters)
            try:
                answer: Any = generate(reqs, reporter)
            except Exception as exc:  # a stub bug must read as the engine's failure
                answer = OutputBatch(error=f"{type(exc).__name__}: {exc}")
        elif controls or (len(items) == 1 and isinstance(items[0], ListLorasReq)):
            for control in controls:
                record_control(control, server_args.output_path)
            answer = adapters.answer(items[0])
        else:
            answer = OutputBatch()  # pings and other control requests: an empty success
        socket.send_multipart([identity, b"", pickle.dumps(answer)])


def main(argv: list[str]) -> None:
    parser = add_multimodal_gen_serve_args(FlexibleArgumentParser())
    args, unknown = parser.parse_known_args(argv)
    # As `sglang serve` builds them (its execute_serve_cmd), warm-up through the stub included.
    server_args = ServerArgs.from_cli_args(args, unknown, default_args={"warmup_mode": "server"})
    ready = threading.Event()
    threading.Thread(
        target=serve_scheduler, args=(server_args, ready), name="stub-scheduler", daemon=True
    ).start()
    if not ready.wait(30):
        raise SystemExit("the stub scheduler did not bind its socket within 30 s")
    launch_http_server_only(server_args)


if __name__ == "__main__":
    main(sys.argv[1:])
