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
exception does: an ``OutputBatch`` whose ``error`` is the exception's text. Frames are a
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
    "image_path",
    "video_path",
)


def record(reqs: list[Any], folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    with open(f"{folder}/requests.jsonl", "a", encoding="utf-8") as out:
        for req in reqs:
            fields = {name: getattr(req, name, None) for name in RECORDED}
            out.write(json.dumps(fields, default=str) + "\n")


def generate(reqs: list[Any], reporter: ProgressReporter) -> OutputBatch:
    """What a worker does with a batch of requests, minus the model."""
    req = reqs[0]
    ids = [r.request_id for r in reqs]
    steps = int(req.num_inference_steps or 1)
    reporter.start(ids)
    if FAIL_WORD in str(req.prompt):
        for step in range(1, steps // 2 + 1):
            time.sleep(STEP_SECONDS)
            reporter.step(ids, step, steps)
        return OutputBatch(error=FAILURE)
    for step in range(1, steps + 1):
        time.sleep(STEP_SECONDS)
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
    ready.set()
    while True:
        identity, _, payload = socket.recv_multipart()
        received = pickle.loads(payload)
        items = received if isinstance(received, list) else [received]
        reqs = [item for item in items if isinstance(item, Req)]
        if reqs:
            record(reqs, server_args.output_path)
            try:
                answer: Any = generate(reqs, reporter)
            except Exception as exc:  # a stub bug must read as the engine's failure
                answer = OutputBatch(error=f"{type(exc).__name__}: {exc}")
        else:
            answer = OutputBatch()  # pings and control requests: an empty success
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
