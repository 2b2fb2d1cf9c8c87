"""The prompt enhancer behind LiteLLM's real proxy, as a lab runs it: the proxy in front of a
chat server (here the tests' own on a socket), sora_nb asking the proxy with its master key.
The proxy reports what each call cost (from the prices its config gives the model), and sora_nb
keeps that figure with the rewrite; an upstream that answers garbage comes back as the proxy's
refusal, quoted in one line."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pytest
from pydantic import SecretStr

from sora_nb.api.enhancer import Enhancer, EnhancerError
from sora_nb.runs.session import Session
from sora_nb.server import ServerSettings
from tests.enhancer.chat_server import ADDED, ChatServer, serve
from tests.gateway.test_litellm import LITELLM, free_port, wait_until_up

CONFIG = """
model_list:
  - model_name: writer
    litellm_params:
      model: openai/tiny-writer
      api_base: {good}
      api_key: os.environ/CHAT_UPSTREAM_KEY
    model_info:
      input_cost_per_token: 0.000002
      output_cost_per_token: 0.000006
  - model_name: babbler
    litellm_params:
      model: openai/tiny-babbler
      api_base: {bad}
      api_key: os.environ/CHAT_UPSTREAM_KEY
      num_retries: 0
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
litellm_settings:
  num_retries: 0
"""
BRIEF = "A lighthouse beam sweeps the fog at night; static wide shot; waves below."


def test_a_rewrite_through_litellm_is_priced_by_the_proxy(tmp_path: Path) -> None:
    assert LITELLM is not None, "litellm is not installed: run make setup (the gateway extra)"
    upstream_key, master_key = secrets.token_hex(16), "sk-" + secrets.token_hex(16)
    good, bad = ChatServer(key=upstream_key), ChatServer(key=upstream_key, mode="garbage")
    with serve(good) as good_url, serve(bad) as bad_url:
        (tmp_path / "config.yaml").write_text(CONFIG.format(good=good_url, bad=bad_url))
        port = free_port()
        env = {
            **os.environ,
            "CHAT_UPSTREAM_KEY": upstream_key,
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
            bundled = ServerSettings(media_dir=tmp_path / "server", time_scale=0)
            writer = Enhancer(url=base_url, model="writer", key=SecretStr(master_key))
            session = Session(tmp_path / "media", bundled=bundled, enhancer=writer)
            take = session.run_plan(session.plan(BRIEF, seconds=4, enhance=True)).takes[0]
            babbler = Session(
                tmp_path / "media",
                bundled=bundled,
                enhancer=Enhancer(url=base_url, model="babbler", key=SecretStr(master_key)),
            )
            with pytest.raises(EnhancerError) as caught:
                babbler.plan(BRIEF, seconds=4, enhance=True)
            rows = session.ledger.count()
            session.ledger.close()
            babbler.ledger.close()
        finally:
            proxy.terminate()
            try:
                proxy.wait(10)
            except subprocess.TimeoutExpired:
                proxy.kill()
    assert take.status == "completed" and take.prompt == BRIEF + ADDED and take.mine == BRIEF
    # The proxy forwarded the user's words with its own upstream key, and said the cost.
    assert [b["messages"][-1]["content"] for b in good.bodies] == [BRIEF]
    assert good.authorizations == [f"Bearer {upstream_key}"]
    enhancement = take.request.enhancement
    assert enhancement is not None and enhancement.model == "writer"
    assert enhancement.cost == pytest.approx(120 * 0.000002 + 40 * 0.000006)
    # Garbage upstream: the proxy's refusal, quoted in one line, and nothing in the ledger
    # beyond the one take.
    message = str(caught.value)
    assert "\n" not in message and "refused with HTTP" in message and master_key not in message
    assert rows == 1
