"""The dialect script against the bundled server's own imitations of each engine.

``test_dialect_script.py`` runs the script on in-memory fakes; here the same steps run against
``ServerSettings(dialect=...)`` apps in-process (every dialect) and against
``python -m sora_nb.server --dialect vllm-omni`` on a socket: generate (the served model, its
usual clip and frame count, a seed chosen), a 2×2 grid with a seed axis (refused plainly where
seeds are not taken), download, previews, delete (or its plain refusal), failed jobs (a render
that breaks, a guardrail block: vLLM-Omni answers its GET with HTTP 400 and the job), a
guardrail-style 400 at create in each dialect's own envelope, and a restart of the server
mid-job (the engines forget jobs: the take ends with a clear message and is sent again; the
bundled server and the deployment behind LiteLLM keep theirs and the take completes). Every
request each imitation receives is checked against what that dialect accepts.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sora_nb import media
from sora_nb.api import errors
from sora_nb.api.retry import PollPolicy
from sora_nb.notebook.display import plan_summary
from sora_nb.runs.grid import Axis
from sora_nb.runs.loop import run_sync
from sora_nb.runs.session import Session
from tests.imitations import (
    BLOCKED_NAME,
    BREAKAGE,
    BROKEN_WORD,
    REFUSAL,
    REFUSED_WORD,
    WAN,
    Imitation,
    Seen,
    imitation,
    served,
)

DIALECTS = ("vllm-omni", "sglang", "fastvideo", "litellm", "openai")
SEEDED = ("vllm-omni", "sglang", "fastvideo")
PROMPT = "A heron lifts off the reeds at dawn, low mist, slow push-in."
FAST = PollPolicy(floor=0.01, ceiling=0.05, random=lambda: 0.0)
KNOBS = {"seed", "negative_prompt", "num_inference_steps", "guidance_scale", "fps", "num_frames"}


def session_on(server: Imitation, folder: Path) -> Session:
    return Session(
        folder,
        base_url=server.base_url,
        api_key="sk-engine",
        client_options={"transport": server.transport(), "poll": FAST},
    )


def failed_answers(server: Imitation, job_id: str | None) -> set[int]:
    """The HTTP statuses of the imitation's answers to GETs of one job that said it failed."""
    assert job_id is not None
    return {
        s.status
        for s in server.seen
        if s.request.method == "GET"
        and s.request.url.path.endswith(job_id)
        and isinstance(s.body, dict)
        and s.body.get("status") == "failed"
    }


def check_what_it_received(server: Imitation) -> None:
    """Every create the imitation got is one its dialect accepts: form or JSON, the served
    model (never sora-2 where it is not served), knobs only where they are taken."""
    dialect = server.dialect
    assert server.creates(), "it received no create"
    for seen in server.creates():
        kind = seen.request.headers["content-type"]
        fields = seen.form
        if dialect == "vllm-omni":
            assert kind.startswith("multipart/form-data"), kind
        else:
            assert kind == "application/json", kind
        if dialect in SEEDED:
            assert fields["model"] == WAN, fields
            assert "seed" in fields and "num_frames" in fields
        else:
            assert fields["model"] == "sora-2" and not KNOBS & set(fields), fields
        refused = REFUSED_WORD in str(fields["prompt"])
        assert seen.status == (400 if refused else 200), (seen.status, seen.body)
    for seen in server.seen:
        method, path = seen.request.method, seen.request.url.path
        # Nothing it lacks is asked of it: no remix of an engine, no DELETE of LiteLLM's proxy,
        # no preview of a server that makes none; and every answer is one it gives.
        assert not path.endswith("/remix") or dialect in ("openai", "litellm"), path
        assert method != "DELETE" or dialect != "litellm", path
        assert seen.request.url.params.get("variant", "video") == "video" or dialect == "openai"
        # SGLang 0.5.23 reads the variant as an output index: none is sent it.
        assert "variant" not in seen.request.url.params or dialect != "sglang", seen.request.url
        assert seen.status < 500 or dialect == "vllm-omni", (method, path, seen.status)


def the_script(server: Imitation, folder: Path, *, own_renderer: bool = True) -> None:
    """The script; ``own_renderer``: the imitation renders with the tests' FilteredAnimatic
    (which refuses and breaks on cue), else with the plain animatic of the command line."""
    dialect = server.dialect
    seeded = dialect in SEEDED
    session = session_on(server, folder)
    info = session.server_info()
    assert info.dialect.name == dialect and not info.assumed, info
    # The SGLang and vLLM-Omni imitations name the version they follow where the engine names
    # its own (/server_info, vLLM's /version).
    assert info.version == {"sglang": "0.5.23", "vllm-omni": "0.30.0"}.get(dialect), info

    # 1. Generate with the server's defaults: downloaded, with a thumbnail and a spritesheet
    #    (derived from the video where the server makes none).
    [take] = session.run_plan(session.plan(PROMPT)).takes
    assert take.status == "completed", take.error
    request = take.request
    if seeded:
        # The served Wan, its usual 5 s at 832x480, the 81 frames of its 4k+1 rule, a seed.
        assert (request.model, request.size, request.seconds) == (WAN, "832x480", 5)
        assert (request.options.num_frames, request.options.fps) == (
            81,
            16,
        ) and request.options.seed is not None
        assert take.gpu_seconds is not None and take.gpu_seconds > 0  # inference_time_s
    else:
        assert (request.model, request.size, request.seconds) == ("sora-2", "1280x720", 4)
        assert request.options.seed is None and request.options.num_frames is None
    probe = media.probe(take.path("video"))
    assert f"{probe.width}x{probe.height}" == request.size
    assert take.path("thumbnail").stat().st_size > 0
    assert take.path("spritesheet").stat().st_size > 0
    asked_previews = [s for s in server.seen if s.request.url.params.get("variant") == "thumbnail"]
    assert bool(asked_previews) is (dialect == "openai")  # only OpenAI's API makes them

    # 2. A 2×2 grid with a seed axis where seeds are taken; refused plainly elsewhere.
    axes = [Axis.parse("seed", ["1", "2"]), Axis.parse("steps", ["20", "40"])]
    if seeded:
        grid = session.run_plan(session.plan(PROMPT, axes=axes))
        assert [t.status for t in grid.takes] == ["completed"] * 4
        cells = sorted((t.request.options.seed, t.request.options.steps) for t in grid.takes)
        assert cells == [(1, 20), (1, 40), (2, 20), (2, 40)]
        sent = sorted(
            (int(s.form["seed"]), int(s.form["num_inference_steps"])) for s in server.creates()[-4:]
        )
        assert sent == cells
    else:
        before = len(server.seen)
        with pytest.raises(errors.InvalidRequestError, match="takes no seed"):
            session.plan(PROMPT, axes=axes)
        assert len(server.seen) == before

    # 3. Delete, or the plain reason it cannot be done.
    client = session.runner.client
    assert take.job_id is not None
    if dialect == "litellm":
        before = len(server.seen)
        with pytest.raises(errors.UnsupportedError, match="cannot delete"):
            run_sync(client.delete(take.job_id))
        assert len(server.seen) == before
    else:
        gone = run_sync(client.delete(take.job_id))
        assert gone.deleted and gone.cancelled is (
            False if dialect in ("sglang", "fastvideo") else None
        )
        with pytest.raises(errors.NotFoundError):
            run_sync(client.retrieve(take.job_id))

    # 4. Jobs the server fails: the take fails with the server's own reason. A guardrail
    #    block is answered by vLLM-Omni with HTTP 400 and the job as the body.
    [blocked] = session.run_plan(session.plan(f"A portrait of {BLOCKED_NAME} in the reeds.")).takes
    assert blocked.status == "failed" and blocked.error is not None
    assert "blocked by the (simulated) moderation system" in blocked.error.message
    assert BLOCKED_NAME in blocked.error.message
    statuses = failed_answers(server, blocked.job_id)
    assert statuses == ({400} if dialect == "vllm-omni" else {200}), statuses
    if own_renderer:
        [broken] = session.run_plan(session.plan(f"A {BROKEN_WORD} heron.")).takes
        assert broken.status == "failed" and broken.error is not None
        assert BREAKAGE in broken.error.message
        statuses = failed_answers(server, broken.job_id)
        assert statuses == ({500} if dialect == "vllm-omni" else {200}), statuses

        # 5. A guardrail-style 400 at create: failed with the server's words, nothing made,
        #    read from each dialect's own envelope.
        [refused] = session.run_plan(session.plan(f"A {REFUSED_WORD} heron.")).takes
        assert refused.status == "failed" and refused.error is not None
        assert REFUSAL in refused.error.message and refused.job_id is None
        body = server.creates()[-1].body
        if dialect in ("sglang", "fastvideo"):
            assert body == {"detail": REFUSAL}
        else:
            code = {"vllm-omni": 400, "litellm": "400"}.get(dialect)
            assert REFUSAL in body["error"]["message"]
            assert code is None or body["error"]["code"] == code

    # 6. The server restarts while a job runs (its create answered, nothing polled yet).
    night = f"{PROMPT} Night falls."

    def just_created(seen: Seen) -> bool:
        return seen in server.creates() and "Night falls" in str(seen.form.get("prompt"))

    server.restart_after = just_created
    [lost] = session.run_plan(session.plan(night)).takes
    assert server.restarts == 1
    if info.dialect.forgets_on_restart:
        # The engine forgot the job: a clear message, and the cell can be run again.
        assert lost.status == "expired" and lost.error is not None
        assert "no longer has job" in lost.error.message
        assert "keeps jobs in memory only" in lost.error.message
        assert "Run the cell again to send it again" in lost.error.message
        [again] = session.run_plan(session.plan(night)).takes
        assert again.status == "completed" and again.id != lost.id
        assert (
            again.request.options.seed == lost.request.options.seed
        )  # the same take, made again exactly
    else:
        # The bundled server (and the deployment behind LiteLLM) keeps its jobs on disk.
        assert lost.status == "completed", lost.error

    check_what_it_received(server)
    session.ledger.close()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_script_on_each_imitation_in_process(dialect: str, tmp_path: Path) -> None:
    server = imitation(dialect, tmp_path / "server")
    try:
        the_script(server, tmp_path / "media")
    finally:
        server.close()


def test_the_script_on_vllm_omni_served_on_a_socket(tmp_path: Path) -> None:
    """``python -m sora_nb.server --dialect vllm-omni``, restarted as a new process."""
    with served("vllm-omni", tmp_path / "server") as server:
        the_script(server, tmp_path / "media", own_renderer=False)
        log = server.log.read_text()
    # Two processes answered: the first, and the one started after the restart.
    assert log.count("sora_nb server: answering as vllm-omni") == 2, log


@pytest.mark.parametrize("dialect", ["sglang", "vllm-omni"])
def test_a_lora_axis_reaches_each_engine_as_its_source_reads_it(
    dialect: str, tmp_path: Path
) -> None:
    """vLLM-Omni: one adapter per create in its ``lora`` form field. SGLang: adapters set for
    the whole server before the takes that need them, and no take with other adapters in
    flight while they are set (every create before a set_lora has been seen completed)."""
    server = imitation(dialect, tmp_path / "server")
    try:
        session = session_on(server, tmp_path / "media")
        # vLLM-Omni loads an adapter per request from its path (a name alone fails the job).
        name = "/loras/ghibli.safetensors" if dialect == "vllm-omni" else "ghibli"
        axes = [Axis.parse("lora", ["none", f"{name}:0.6", f"{name}:1.0"])]
        plan = session.plan(PROMPT, axes=axes, takes=2)
        said = "3 adapter sets, one at a time (SGLang Diffusion's adapters are server-wide"
        line = plan_summary(plan, session)
        assert (said in line) is (dialect == "sglang"), line
        grid = session.run_plan(plan)
        assert [t.status for t in grid.takes] == ["completed"] * 6
        asked = sorted(str(t.request.options.loras) for t in grid.takes)
        assert len(set(asked)) == 3
        check_what_it_received(server)
        if dialect == "vllm-omni":
            sent = sorted(s.form.get("lora", "none") for s in server.creates())
            one = '{"name": "ghibli", "scale": %s, "path": "/loras/ghibli.safetensors"}'
            assert sent == sorted([one % "0.6"] * 2 + [one % "1.0"] * 2 + ["none"] * 2)
            return
        assert all("lora" not in s.form for s in server.creates())
        completed: set[str] = set()
        created: list[str] = []
        switches = []
        for seen in server.seen:
            path = seen.request.url.path
            if path == "/v1/videos" and seen.request.method == "POST":
                created.append(seen.body["id"])
            elif isinstance(seen.body, dict) and seen.body.get("status") == "completed":
                completed.add(str(seen.body.get("id")))
            elif path in ("/v1/set_lora", "/v1/unmerge_lora_weights"):
                switches.append(seen.form if path.endswith("set_lora") else "off")
                assert set(created) <= completed, "adapters changed under a running take"
        strengths = [s["strength"] for s in switches if s != "off"]
        assert sorted(strengths) == [[0.6], [1.0]], switches
    finally:
        server.close()


def test_a_second_experts_settings_are_refused_for_a_one_expert_model(tmp_path: Path) -> None:
    """vLLM-Omni takes guidance_scale_2 and boundary_ratio whatever it serves; for the Wan 2.1
    it serves here (one expert, says the catalog) they are refused before anything is sent, and
    flow_shift, which every Wan scheduler has, goes out as its form field."""
    server = imitation("vllm-omni", tmp_path / "server")
    try:
        session = session_on(server, tmp_path / "media")
        before = len(server.seen)
        with pytest.raises(
            errors.InvalidRequestError, match="has one denoising expert; --guidance-2"
        ):
            session.plan(PROMPT, options={"guidance_2": 3.0})
        asked = [s.request.url.path for s in server.seen[before:]]
        assert all(path.endswith(("/models", "/version")) for path in asked), asked
        [take] = session.run_plan(session.plan(PROMPT, options={"flow_shift": 3.0})).takes
        assert take.status == "completed", take.error
        assert server.creates()[-1].form["flow_shift"] == "3.0"
    finally:
        server.close()


def test_sglang_losing_a_completed_jobs_file_fails_the_take_with_its_words(
    tmp_path: Path,
) -> None:
    """The job says completed, its content is 404: the take ends at once (no minute of
    waiting, never "expired") and its error quotes what the server answered."""
    server = imitation("sglang", tmp_path / "server")

    def lose_the_file(seen: Seen) -> None:
        body = seen.body
        done = isinstance(body, dict) and body.get("status") == "completed"
        if seen.request.method == "GET" and done and body.get("file_path"):
            Path(body["file_path"]).unlink(missing_ok=True)

    server.on_answer = lose_the_file
    try:
        session = session_on(server, tmp_path / "media")
        started = time.monotonic()
        [take] = session.run_plan(session.plan(PROMPT)).takes
        took = time.monotonic() - started
        session.ledger.close()
    finally:
        server.close()
    assert take.status == "failed" and take.error is not None, take.status
    assert take.error.code == "content_missing", take.error.message
    assert f"Job {take.job_id} is completed, but the server answered 404" in take.error.message
    assert "'Video variant None not found'" in take.error.message
    assert not take.path("video").exists()
    contents = [s for s in server.seen if s.request.url.path.endswith("/content")]
    assert len(contents) == 1, "a completed job's missing content was asked for again"
    assert took < 20, f"the take took {took:.0f} s to fail"
