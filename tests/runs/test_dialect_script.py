"""One script, every dialect: generate, a 2×2 grid with a seed axis, download, previews, delete
(or its plain refusal), a failed job, a guardrail-style 400, and a restart of the server mid-job.

The servers are EngineFakes (tests/engine_fakes.py), each answering as its engine does; every
request each receives is checked against what that dialect accepts (form or JSON, the served
model). The fakes also play what the bundled server's imitations do not (Veo behind LiteLLM,
which never says "failed"); the script against the imitations themselves, in-process and on a
socket, is ``test_dialect_imitations.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from sora_nb.api import errors
from sora_nb.api.retry import PollPolicy
from sora_nb.runs.grid import Axis
from sora_nb.runs.loop import run_sync
from sora_nb.runs.session import Session
from tests.engine_fakes import (
    BLOCKED_WORD,
    GUARDRAIL,
    REFUSAL,
    REFUSED_WORD,
    SERVED,
    EngineFake,
    tiny_mp4,
)

DIALECTS = ("vllm-omni", "sglang", "fastvideo", "litellm", "openai")
SEEDED = ("vllm-omni", "sglang", "fastvideo")
PROMPT = "A heron lifts off the reeds at dawn, low mist, slow push-in."
FAST = PollPolicy(floor=0.01, ceiling=0.02, random=lambda: 0.0)


@pytest.fixture(scope="module")
def mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return tiny_mp4(tmp_path_factory.mktemp("clip") / "clip.mp4")


def server_for(dialect: str, mp4: bytes) -> EngineFake:
    return EngineFake(dialect, mp4, job_seconds=0.05)


def session_on(engine: EngineFake, media: Path) -> Session:
    return Session(
        media,
        base_url=engine.base_url,
        api_key="sk-engine",
        client_options={"transport": engine.transport(), "poll": FAST},
    )


def received(request: httpx.Request) -> dict[str, Any]:
    if request.headers["content-type"].startswith("multipart/"):
        from tests.openapi_spec import _parse_multipart

        return dict(_parse_multipart(request)[0])
    loaded: dict[str, Any] = json.loads(request.content)
    return loaded


def check_what_it_received(engine: EngineFake) -> None:
    """Every create the dialect got is one it accepts."""
    for request in engine.creates():
        kind = request.headers["content-type"]
        body = received(request)
        if engine.dialect == "vllm-omni":
            assert kind.startswith("multipart/form-data"), kind
        else:
            assert kind == "application/json", kind
        if engine.dialect in SEEDED:
            assert body["model"] == SERVED
        assert "sora-2" not in json.dumps(body) or engine.dialect in ("litellm", "openai")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_same_script_on_every_dialect(dialect: str, mp4: bytes, tmp_path: Path) -> None:
    engine = server_for(dialect, mp4)
    session = session_on(engine, tmp_path / "media")
    info = session.server_info()
    assert info.dialect.name == dialect

    # 1. Generate: downloaded, with a thumbnail and a spritesheet (derived where not made).
    [take] = session.run_plan(session.plan(PROMPT)).takes
    assert take.status == "completed", take.error
    assert take.path("video").read_bytes() == mp4
    assert take.path("thumbnail").stat().st_size > 0
    assert take.path("spritesheet").stat().st_size > 0
    if dialect in SEEDED:
        assert take.request.options.seed is not None and take.gpu_seconds == 12.5
        assert not any(r.url.params.get("variant") == "thumbnail" for r in engine.requests)

    # 2. A 2×2 grid with a seed axis, where the server takes seeds; refused plainly elsewhere.
    axes = [Axis.parse("seed", ["1", "2"]), Axis.parse("steps", ["20", "40"])]
    if dialect in SEEDED:
        grid = session.run_plan(session.plan(PROMPT, axes=axes))
        assert [t.status for t in grid.takes] == ["completed"] * 4
        assert sorted((t.request.options.seed, t.request.options.steps) for t in grid.takes) == [
            (1, 20),
            (1, 40),
            (2, 20),
            (2, 40),
        ]
    else:
        before = len(engine.requests)
        with pytest.raises(errors.InvalidRequestError, match="takes no seed"):
            session.plan(PROMPT, axes=axes)
        assert len(engine.requests) == before

    # 3. Delete, or the plain reason it cannot be done.
    client = session.runner.client
    assert take.job_id is not None
    if dialect == "litellm":
        with pytest.raises(errors.UnsupportedError, match="cannot delete"):
            run_sync(client.delete(take.job_id))
    else:
        gone = run_sync(client.delete(take.job_id))
        assert gone.deleted and gone.cancelled is (
            False if info.dialect.delete == "forgets" else None
        )

    # 4. A job the server fails: the take fails with the server's own reason.
    [failed] = session.run_plan(session.plan(f"A {BLOCKED_WORD} heron.")).takes
    assert failed.status == "failed" and failed.error is not None
    reason = "No response data" if dialect == "litellm" else GUARDRAIL  # Veo never says failed
    assert reason in failed.error.message

    # 5. A guardrail-style 400 at create: failed, with the server's words, nothing made.
    [refused] = session.run_plan(session.plan(f"A {REFUSED_WORD} heron.")).takes
    assert refused.status == "failed" and refused.error is not None
    assert REFUSAL.rstrip(".") in refused.error.message and refused.job_id is None

    # 6. The server restarts mid-job and forgets it: the take ends with a clear message, and
    #    running the cell again sends it again.
    engine.restart_after = 1
    [lost] = session.run_plan(session.plan(f"{PROMPT} Night falls.")).takes
    assert lost.status == "expired" and lost.error is not None
    assert "no longer has job" in lost.error.message
    assert "Run the cell again to send it again" in lost.error.message
    if dialect in SEEDED:
        assert "keeps jobs in memory only" in lost.error.message
    [again] = session.run_plan(session.plan(f"{PROMPT} Night falls.")).takes
    assert again.status == "completed" and again.id != lost.id
    if dialect in SEEDED:
        assert (
            again.request.options.seed == lost.request.options.seed
        )  # the same take, made again exactly

    check_what_it_received(engine)
    session.ledger.close()
