"""The path a lab takes when it outgrows one GPU box: LiteLLM's real proxy balancing one model
name over two engines (here two SGLang imitations, ``python -m sora_nb.server --dialect
sglang``), with sora_nb generating through it.

The proxy routes each create to one deployment and encodes that deployment in the id it hands
back, so the status, content and every later request reach the engine that holds the job.

Its default routing (simple-shuffle) picks a deployment at random for each create, as a lab's
proxy would; of 16 takes, all land on one engine once in 2**15 (32,768) runs. (least-busy,
which would be deterministic, counts no video calls in 1.108.7: every create went to the first
deployment.)
"""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

from sora_nb.api.retry import PollPolicy
from sora_nb.runs.session import Session
from tests.gateway.test_litellm import LITELLM, free_port, wait_until_up
from tests.imitations import WAN, served

#: One model name, two deployments, LiteLLM's default routing.
CONFIG = """
model_list:
  - model_name: wan
    litellm_params:
      model: openai/{served}
      api_base: http://127.0.0.1:{first}/v1
      api_key: sk-engine-one
  - model_name: wan
    litellm_params:
      model: openai/{served}
      api_base: http://127.0.0.1:{second}/v1
      api_key: sk-engine-two
router_settings:
  routing_strategy: simple-shuffle
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
"""
PROMPT = "A heron lifts off the reeds at dawn, low mist, slow push-in."
TAKES = 16


def test_one_model_name_balanced_over_two_engines(tmp_path: Path) -> None:
    assert LITELLM is not None, "litellm is not installed: run make setup (the gateway extra)"
    master_key = "sk-" + secrets.token_hex(16)
    with (
        served("sglang", tmp_path / "one") as first,
        served("sglang", tmp_path / "two") as second,
    ):
        port = free_port()
        (tmp_path / "config.yaml").write_text(
            CONFIG.format(served=WAN, first=first.port, second=second.port)
        )
        env = {
            **os.environ,
            "LITELLM_MASTER_KEY": master_key,
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # offline: the cost map it ships
        }
        proxy = subprocess.Popen(
            [LITELLM, "--config", "config.yaml", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=(tmp_path / "litellm.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        try:
            base_url = f"http://127.0.0.1:{port}/v1"
            wait_until_up(f"{base_url}/models", master_key, proxy, 150)
            session = Session(
                tmp_path / "media",
                base_url=base_url,
                api_key=master_key,
                client_options={"poll": PollPolicy(floor=0.1, ceiling=0.5)},
            )
            info = session.server_info()
            assert info.dialect.name == "litellm" and info.models == ("wan",), info
            run = session.run_plan(session.plan(PROMPT, takes=TAKES, size="320x192", seconds=1))
            takes = run.takes
            assert [t.status for t in takes] == ["completed"] * TAKES, [t.error for t in takes]
            assert all(t.job_id and t.job_id.startswith("video_") for t in takes)
            assert all(t.path("video").stat().st_size > 0 for t in takes)
            session.ledger.close()
        finally:
            proxy.terminate()
            try:
                proxy.wait(10)
            except subprocess.TimeoutExpired:
                proxy.kill()
        logs = [engine.log.read_text() for engine in (first, second)]
    # Both engines received creates and made videos; together, every take.
    creates = [log.count('"POST /v1/videos HTTP/1.1" 200') for log in logs]
    videos = [len(list((tmp_path / n).glob("jobs-*/*/video.mp4"))) for n in ("one", "two")]
    assert creates == videos and all(n > 0 for n in videos) and sum(videos) == TAKES, (
        creates,
        videos,
    )
