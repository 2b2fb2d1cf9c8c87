"""FastVideo 0.2.1's own HTTP server with a stub where its GPU workers would be.

Run with the FastVideo virtualenv's Python (``scripts/engines/fastvideo.sh`` builds it), never
with sora_nb's: ``python tests/engines/fastvideo_stub.py --config SERVE_CONFIG`` takes
``fastvideo serve``'s own arguments and runs FastVideo's own CLI with them: its config parsing,
``run_server``, FastAPI app, routers, request parsing, job store and ``VideoGenerator`` (which
resolves each request against the model's preset, checks it, and writes the MP4 with its own
``imageio`` call) are all FastVideo's.

Only the executor is replaced, the part that hands a batch to the GPU workers and brings back
the decoded frames. The stub sleeps a moment per denoising step and answers frames drawn from
the seed (a colour brightening frame by frame), so one seed gives one video and another seed
another. A prompt holding :data:`FAIL_WORD` fails as a worker's exception reaches FastVideo's
generator through a Ray executor: raised from ``execute_forward``. Each batch's settings, as
FastVideo handed them to its workers, are appended to ``OUTPUT_DIR/requests.jsonl`` for the
tests to read (``request_id`` is the job's id, the name FastVideo gives its MP4).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import torch
from fastvideo.entrypoints.cli.main import main as fastvideo_main
from fastvideo.pipelines import ForwardBatch
from fastvideo.worker.executor import Executor

#: A prompt holding this word fails in the "workers", as a crashed GPU kernel would.
FAIL_WORD = "shattered"
FAILURE = "CUDA error: an illegal memory access was encountered"
#: Seconds each denoising step takes in the stub (a job can be caught running).
STEP_SECONDS = 0.005

#: The settings of a batch, as FastVideo's workers would read them, that the tests look at.
RECORDED = (
    "prompt",
    "negative_prompt",
    "seed",
    "num_inference_steps",
    "guidance_scale",
    "width",
    "height",
    "num_frames",
    "fps",
    "enable_teacache",
)


def frames_for(batch: Any) -> torch.Tensor:
    """[1, C, T, H, W] floats in [0, 1]: a colour from the seed, brightening frame by frame."""
    generator = torch.Generator().manual_seed(int(batch.seed))
    colour = torch.rand(1, 3, 1, 1, 1, generator=generator)
    count = max(1, int(batch.num_frames))
    ramp = torch.linspace(0.2, 1.0, count).view(1, 1, count, 1, 1)
    return (colour * ramp).expand(1, 3, count, int(batch.height), int(batch.width)).contiguous()


def record(batch: Any) -> None:
    """One line per batch in OUTPUT_DIR/requests.jsonl (its MP4 is OUTPUT_DIR/videos/ID.mp4)."""
    path = str(batch.output_path)
    fields = {name: getattr(batch, name, None) for name in RECORDED}
    fields["request_id"] = os.path.splitext(os.path.basename(path))[0]
    folder = os.path.dirname(os.path.dirname(path))
    with open(os.path.join(folder, "requests.jsonl"), "a", encoding="utf-8") as out:
        out.write(json.dumps(fields, default=str) + "\n")


class StubExecutor:
    """What ``Executor.get_class`` gives ``VideoGenerator`` in place of its GPU workers."""

    def __init__(self, fastvideo_args: Any, log_queue: Any = None) -> None:
        self.fastvideo_args = fastvideo_args

    def execute_forward(self, batch: Any, fastvideo_args: Any) -> Any:
        record(batch)
        steps = max(1, int(batch.num_inference_steps))
        failing = FAIL_WORD in str(batch.prompt)
        for _ in range(steps // 2 if failing else steps):
            time.sleep(STEP_SECONDS)
        if failing:
            raise RuntimeError(FAILURE)
        return ForwardBatch(
            data_type=batch.data_type, output=frames_for(batch), extra={"peak_memory_mb": 1234.5}
        )

    def set_log_queue(self, log_queue: Any) -> None:
        pass

    def clear_log_queue(self) -> None:
        pass

    def shutdown(self) -> None:
        pass


def main(argv: list[str]) -> None:
    Executor.get_class = staticmethod(lambda _args: StubExecutor)  # type: ignore[method-assign]
    # As the `fastvideo` console script runs `fastvideo serve ...`.
    sys.argv = ["fastvideo", "serve", *argv]
    fastvideo_main()


if __name__ == "__main__":
    main(sys.argv[1:])
