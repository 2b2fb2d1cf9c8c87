"""The engines' own HTTP code, generation stubbed, on a loopback port.

:func:`sglang` starts SGLang 0.5.23's server (``sglang_stub.py``) under the virtualenv
``scripts/engines/sglang.sh`` builds (once; later runs find it cached) and yields it while the
tests of a module run. The Hugging Face cache it reads holds only the served model's
``model_index.json`` (SGLang picks the pipeline and its defaults from it), with the hub offline.
:func:`vllm_omni` does the same for vLLM-Omni 0.30.0 (``vllm_omni_stub.py``,
``scripts/engines/vllm_omni.sh``), and :func:`fastvideo` for FastVideo 0.2.1
(``fastvideo_stub.py``, ``scripts/engines/fastvideo.sh``), started as ``fastvideo serve --config
FILE`` with a config written here; it needs no Hugging Face files (its registry knows Wan's preset).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy
from sora_nb.api.types import Video
from sora_nb.runs.loop import run_sync
from sora_nb.runs.session import Session
from sora_nb.runs.take import Take
from tests.imitations import free_port

ROOT = Path(__file__).resolve().parents[2]
WAN = "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
#: diffusers' model_index.json of the served checkpoint: all SGLang reads from the hub.
WAN_INDEX = {
    "_class_name": "WanPipeline",
    "_diffusers_version": "0.33.0.dev0",
    "scheduler": ["diffusers", "UniPCMultistepScheduler"],
    "text_encoder": ["transformers", "UMT5EncoderModel"],
    "tokenizer": ["transformers", "T5TokenizerFast"],
    "transformer": ["diffusers", "WanTransformer3DModel"],
    "vae": ["diffusers", "AutoencoderKLWan"],
}
#: A first build downloads and installs about 3 GB (6 to 18 minutes here); a cached env
#: answers at once.
BUILD_SECONDS = 2400
UP_SECONDS = 180


@dataclass(frozen=True)
class Engine:
    """A running engine: where it answers, where it writes, and its log."""

    base_url: str
    outputs: Path
    log: Path
    process: subprocess.Popen[bytes]

    def said(self) -> str:
        """The end of its log, for a failure message."""
        return self.logged()[-4000:]

    def logged(self) -> str:
        """Its whole log: uvicorn's access lines name every request it answered."""
        return self.log.read_text(errors="replace")


def engine_env(script: str) -> Path:
    """The virtualenv ``scripts/engines/SCRIPT`` builds (at once when it is cached)."""
    # The interpreter sora_nb runs on builds it, unless PYTHON says otherwise: the pins are
    # for that Python's wheels.
    environ = {**os.environ, "PYTHON": os.environ.get("PYTHON", sys.executable)}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "engines" / script)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=BUILD_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"scripts/engines/{script} failed:\n{done.stderr[-4000:]}")
    return Path(done.stdout.strip().splitlines()[-1])


def hub_with_index(folder: Path, model: str, index: dict[str, object]) -> Path:
    """A Hugging Face cache holding only ``model``'s model_index.json."""
    repo = folder / "hub" / f"models--{model.replace('/', '--')}"
    revision = "0" * 40
    snapshot = repo / "snapshots" / revision
    snapshot.mkdir(parents=True)
    (snapshot / "model_index.json").write_text(json.dumps(index))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(revision)
    return folder


@contextlib.contextmanager
def sglang_server(env: Path, folder: Path, port: int | None = None) -> Iterator[Engine]:
    """SGLang's server with the stub scheduler, up and healthy, stopped at the end (on
    ``port`` when given: a restarted server answers where the first one did)."""
    port = port or free_port()
    outputs = folder / "outputs"
    log = folder / "sglang.log"
    hub = hub_with_index(folder / "hf", WAN, WAN_INDEX)
    environ = {
        **os.environ,
        "HF_HOME": str(hub),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    environ.pop("PYTHONPATH", None)  # its own interpreter, never sora_nb's env
    command = [
        str(env / "bin" / "python"),
        str(ROOT / "tests" / "engines" / "sglang_stub.py"),
        "--model-path",
        WAN,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        # Its scheduler socket's default (5574) would clash with another engine on the host.
        "--scheduler-port",
        str(free_port()),
        "--output-path",
        str(outputs),
        "--input-save-path",
        str(folder / "uploads"),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=environ, cwd=folder
        )
    engine = Engine(f"http://127.0.0.1:{port}/v1", outputs, log, process)
    try:
        _wait_healthy(engine, port)
        yield engine
    finally:
        _stop(process)


def _wait_healthy(engine: Engine, port: int, name: str = "SGLang") -> None:
    """Until /health says ok (after SGLang's own warm-up request went through the stub)."""
    deadline = time.monotonic() + UP_SECONDS
    while time.monotonic() < deadline:
        if engine.process.poll() is not None:
            raise RuntimeError(
                f"{name} exited with {engine.process.returncode} while starting:\n{engine.said()}"
            )
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise RuntimeError(f"{name} was not healthy within {UP_SECONDS} s:\n{engine.said()}")


def _stop(process: subprocess.Popen[bytes], grace: float = 15) -> None:
    """SIGINT (uvicorn's graceful stop), then a kill after a bounded wait."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def sglang(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """SGLang 0.5.23's own server, generation stubbed, for the tests of one module."""
    env = engine_env("sglang.sh")
    with sglang_server(env, tmp_path_factory.mktemp("sglang")) as engine:
        yield engine


@contextlib.contextmanager
def vllm_omni_server(env: Path, folder: Path, port: int | None = None) -> Iterator[Engine]:
    """vLLM-Omni's server (``vllm serve WAN --omni``) with the stub engine client."""
    port = port or free_port()
    outputs = folder / "outputs"
    outputs.mkdir(parents=True)
    log = folder / "vllm-omni.log"
    environ = {
        **os.environ,
        "HF_HOME": str(folder / "hf"),
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
        "VLLM_OMNI_SERVER_STORAGE__PATH": str(outputs),  # its file store (default /tmp/storage)
        "STUB_RECORD": str(outputs / "requests.jsonl"),
        "VLLM_NO_USAGE_STATS": "1",
    }
    environ.pop("PYTHONPATH", None)
    script = ROOT / "tests" / "engines" / "vllm_omni_stub.py"
    command = [str(env / "bin" / "python"), str(script), WAN]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=environ, cwd=folder
        )
    engine = Engine(f"http://127.0.0.1:{port}/v1", outputs, log, process)
    try:
        _wait_healthy(engine, port, "vLLM-Omni")
        yield engine
    finally:
        _stop(process, grace=5)  # its shutdown waits on an engine that is not there: killed


@pytest.fixture(scope="module")
def vllm_omni(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """vLLM-Omni 0.30.0's own server, engine client stubbed, for the tests of one module."""
    env = engine_env("vllm_omni.sh")
    with vllm_omni_server(env, tmp_path_factory.mktemp("vllm-omni")) as engine:
        yield engine


@contextlib.contextmanager
def fastvideo_server(env: Path, folder: Path) -> Iterator[Engine]:
    """FastVideo's server (``fastvideo serve --config``) with the stub executor, up and
    healthy, stopped at the end."""
    port = free_port()
    outputs = folder / "outputs"
    log = folder / "fastvideo.log"
    config = {
        "generator": {
            "model_path": WAN,
            # Pinned host memory needs an accelerator; the CPU torch has none.
            "engine": {"num_gpus": 1, "offload": {"pin_cpu_memory": False}},
        },
        "server": {"host": "127.0.0.1", "port": port, "output_dir": str(outputs)},
    }
    (folder / "serve.json").write_text(json.dumps(config))
    environ = {**os.environ, "HF_HOME": str(folder / "hf"), "HF_HUB_OFFLINE": "1"}
    environ["PYTHONUNBUFFERED"] = "1"
    environ.pop("PYTHONPATH", None)  # its own interpreter, never sora_nb's env
    stub = ROOT / "tests" / "engines" / "fastvideo_stub.py"
    command = [str(env / "bin" / "python"), str(stub), "--config", str(folder / "serve.json")]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=environ, cwd=folder
        )
    engine = Engine(f"http://127.0.0.1:{port}/v1", outputs, log, process)
    try:
        _wait_healthy(engine, port, "FastVideo")
        yield engine
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def fastvideo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """FastVideo 0.2.1's own server, its GPU executor stubbed, for the tests of one module."""
    env = engine_env("fastvideo.sh")
    with fastvideo_server(env, tmp_path_factory.mktemp("fastvideo")) as engine:
        yield engine


# -- what the three engines' tests share ---------------------------------------------------

PROMPT = "A heron lifts off the reeds at dawn, low mist, slow push-in."
#: The prompt word that makes each stub fail its engine's way (the stubs' FAIL_WORD; they run
#: only in the engines' own envs, so it is written here again).
FAIL_WORD = "shattered"
FAST = PollPolicy(floor=0.05, ceiling=0.2, random=lambda: 0.0)


def session_on(engine: Engine, folder: Path) -> Session:
    """A Session on ``engine`` that polls fast (the stubs render in well under a second)."""
    options = {"poll": FAST}
    return Session(folder, base_url=engine.base_url, api_key="sk-engine", client_options=options)


def client_on(engine: Engine) -> VideosClient:
    return VideosClient(engine.base_url, "sk-engine", poll=FAST)


def handed_over(engine: Engine, job_id: str | None) -> dict[str, Any]:
    """What the engine handed its pipeline (or workers, or engine client) for one job: the
    stub's record of it."""
    lines = (engine.outputs / "requests.jsonl").read_text().splitlines()
    found = [json.loads(line) for line in lines if json.loads(line)["request_id"] == job_id]
    assert len(found) == 1, (job_id, lines[-5:])
    return found[0]


def a_failed_take(
    engine: Engine, folder: Path, **plan: Any
) -> tuple[Take, Video, errors.SoraError]:
    """A take whose prompt makes the stub fail the engine's way; its job as the engine then
    answers it; and the error a download of that job raises (the job fails, no file)."""
    session = session_on(engine, folder)
    [take] = session.run_plan(session.plan(f"A {FAIL_WORD} heron.", **plan)).takes
    session.ledger.close()
    assert take.status == "failed" and take.error is not None, take
    assert not take.path("video").exists()

    async def look() -> tuple[Video, errors.SoraError]:
        async with client_on(engine) as client:
            job = await client.retrieve(take.job_id or "")
            with pytest.raises(errors.JobFailedError) as caught:
                await client.download(job, folder / "never.mp4")
        return job, caught.value

    job, failure = run_sync(look())
    return take, job, failure
