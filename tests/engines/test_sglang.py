"""sora_nb against SGLang 0.5.23's own HTTP server, only its GPU workers stubbed.

Everything a client meets is SGLang's (``tests/engines/conftest.py``): its CLI's settings, its
FastAPI app, routes, request parsing, job store, per-step progress listener, MP4 encoding,
list paging and error answers. The stub behind its scheduler socket reports progress step by
step and fails the engine's way for a prompt holding ``shattered``. What the engine handed its
pipeline is read back from the stub's ``requests.jsonl``.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from sora_nb import media
from sora_nb.api import errors
from sora_nb.runs.loop import run_sync
from tests.engines.conftest import (
    PROMPT,
    WAN,
    Engine,
    a_failed_take,
    client_on,
    engine_env,
    handed_over,
    session_on,
    sglang_server,
)
from tests.imitations import free_port

# A first run builds the engine's virtualenv inside the first test's setup (BUILD_SECONDS).
pytestmark = pytest.mark.timeout(3000)

SLOW = "A heron wades slowly through the reeds."  # sglang_stub.SLOW_WORD: 0.5 s a step


def test_a_take_with_seed_steps_and_negative_prompt_completes_and_downloads(
    sglang: Engine, tmp_path: Path
) -> None:
    session = session_on(sglang, tmp_path)
    info = session.server_info()
    assert (info.dialect.name, info.models, info.assumed) == ("sglang", (WAN,), False)
    # Its version, from SGLang's own /server_info, is the one the dialect was tested against.
    assert info.version == "0.5.23" and info.untested is None
    assert info.describe().startswith("Dialect: SGLang Diffusion 0.5.23 (/v1/models owned_by")
    seen: list[tuple[str, int]] = []
    options = {"seed": 7, "steps": 12, "negative_prompt": "blurry, text, watermark"}
    plan = session.plan(PROMPT, options=options)
    [take] = session.run_plan(plan, on_update=lambda t: seen.append((t.status, t.progress))).takes
    assert take.status == "completed", take.error
    # The video is the engine's own MP4, of the size asked; previews made from it here.
    probe = media.probe(take.path("video"))
    assert f"{probe.width}x{probe.height}" == take.request.size == "832x480"
    assert take.path("thumbnail").stat().st_size > 0
    assert take.path("spritesheet").stat().st_size > 0
    # Its video was asked for as SGLang 0.5.23 numbers outputs: with no variant, once.
    asked = re.findall(rf"GET /v1/videos/{take.job_id}/content(\S*) HTTP", sglang.logged())
    assert asked == [""], asked
    # What SGLang handed its pipeline is what the take asked for.
    handed = handed_over(sglang, take.job_id)
    assert handed["prompt"] == PROMPT and handed["negative_prompt"] == "blurry, text, watermark"
    assert (handed["seed"], handed["num_inference_steps"]) == (7, 12)
    assert (handed["width"], handed["height"]) == (832, 480)
    chosen = take.request.options
    assert (handed["num_frames"], handed["fps"]) == (chosen.num_frames, chosen.fps)
    # SGLang's per-step progress reached the take while it ran.
    running = [p for status, p in seen if status == "in_progress"]
    assert running and all(0 <= p <= 99 for p in running), seen
    assert take.peak_memory_mb == 1234.5  # the worker's figure, through SGLang's job
    session.ledger.close()


def test_seeds_make_different_videos_and_a_seed_grid_of_two(sglang: Engine, tmp_path: Path) -> None:
    from sora_nb.runs.grid import Axis

    session = session_on(sglang, tmp_path)
    axes = [Axis.parse("seed", ["1", "2"])]
    grid = session.run_plan(session.plan(PROMPT, axes=axes, options={"steps": 4}))
    assert [t.status for t in grid.takes] == ["completed", "completed"]
    one, two = sorted(grid.takes, key=lambda t: t.request.options.seed or 0)
    assert (one.request.options.seed, two.request.options.seed) == (1, 2)
    assert one.path("video").read_bytes() != two.path("video").read_bytes()
    assert [handed_over(sglang, t.job_id)["seed"] for t in (one, two)] == [1, 2]
    session.ledger.close()


def test_interpolation_and_upscaling_are_the_engines_own_when_it_does_them(
    sglang: Engine, tmp_path: Path
) -> None:
    """SGLang interpolates (RIFE) and upscales (Real-ESRGAN) itself: its HTTP code takes
    sora_nb's fields and hands them to the pipeline, and nothing is done on the kernel. Its
    RIFE weights come from the Hugging Face hub on first use: offline, without them, the job
    fails in SGLang's own words, which the take keeps."""
    session = session_on(sglang, tmp_path)
    plan = session.plan(PROMPT, options={"steps": 2, "interpolate": 2, "upscale": 2})
    [take] = session.run_plan(plan).takes
    handed = handed_over(sglang, take.job_id)
    assert (handed["enable_frame_interpolation"], handed["frame_interpolation_exp"]) == (True, 1)
    assert (handed["enable_upscaling"], handed["upscaling_scale"]) == (True, 2)
    assert session.ledger.count() == 1 and not take.path("raw").exists()
    assert take.status == "failed" and take.error is not None
    assert "RIFE-4.22.lite" in take.error.message, take.error
    session.ledger.close()


def test_a_failed_job_reads_as_the_engine_says(sglang: Engine, tmp_path: Path) -> None:
    take, job, failure = a_failed_take(sglang, tmp_path, options={"steps": 10})
    assert take.error is not None and take.error.message == (
        "Model generation failed. Error from scheduler: "
        "CUDA error: an illegal memory access was encountered"
    )
    # It failed halfway: the job keeps the progress it had reached, and no file.
    assert job.status == "failed" and 0 < job.progress < 100, job
    assert (job.model_extra or {})["file_path"] is None
    assert "illegal memory access" in str(failure)


def test_a_completed_jobs_lost_file_is_an_error_quoting_the_engine(
    sglang: Engine, tmp_path: Path
) -> None:
    """The point-1 failure, against the real code: content 404 on a completed job."""

    async def scenario() -> tuple[str, errors.ContentMissingError, int]:
        async with client_on(sglang) as client:
            job = await client.wait(await client.create(prompt=PROMPT, steps=2))
            assert job.status == "completed"
            Path((job.model_extra or {})["file_path"]).unlink()
            with pytest.raises(errors.ContentMissingError) as caught:
                await client.download(job, tmp_path / "lost.mp4")
            return job.id, caught.value, 0

    job_id, missing, _ = run_sync(scenario())
    assert str(missing).startswith(f"Job {job_id} is completed, but the server answered 404")
    assert "'Video variant None not found'" in str(missing)


def test_list_pages_with_cursors_and_delete_forgets(sglang: Engine, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with client_on(sglang) as client:
            made = [(await client.create(prompt=f"heron {n}", steps=1)).id for n in range(3)]
            page = await client.list_page(limit=2)
            assert len(page.data) == 2 and page.has_more and page.last_id == page.data[-1].id
            listed = [video.id async for video in client.list(page_size=2)]
            assert set(made) <= set(listed) and len(listed) == len(set(listed))
            with pytest.raises(errors.InvalidRequestError, match="between 1 and 100"):
                await client.list_page(limit=0)  # refused here: SGLang's limit is 1..100
            gone = await client.delete(made[0])
            assert gone.deleted and gone.cancelled is False  # SGLang forgets; it runs on
            with pytest.raises(errors.NotFoundError, match="Video not found"):
                await client.retrieve(made[0])
            for ident in made[1:]:
                await client.wait(ident)

    run_sync(scenario())


def wait_for(what: str, done: Any, seconds: float = 60) -> None:
    """Until ``done()`` is true (bounded); the failure names what was awaited."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def test_per_step_progress_reaches_the_take(sglang: Engine, tmp_path: Path) -> None:
    """SGLang counts progress per denoising step (0, then 10 a step for 10 steps, capped at
    99 until the MP4 is written): the take shows each step, then completed at 100."""
    session = session_on(sglang, tmp_path)
    seen: list[tuple[str, int]] = []
    plan = session.plan(SLOW, options={"steps": 10}, seconds=1)
    [take] = session.run_plan(plan, on_update=lambda t: seen.append((t.status, t.progress))).takes
    assert take.status == "completed" and take.progress == 100, take.error
    running = [p for status, p in seen if status == "in_progress"]
    steps = sorted(set(running))
    assert running == sorted(running) and set(running) <= {*range(0, 100, 10), 99}
    # Each step lasts 0.5 s and the take is polled every 0.2 s or less: on an idle machine it
    # sees all ten; a busy one may skip some, but several steps' figures, not 0 then 100.
    assert len([p for p in steps if 0 < p < 99]) >= 3, seen
    assert seen[-1] == ("completed", 100)
    session.ledger.close()


def test_deleting_a_running_job_forgets_it_and_the_take_says_so(
    sglang: Engine, tmp_path: Path
) -> None:
    """SGLang's DELETE only forgets a job (it has no abort): the worker renders on, and the
    take that waited for it ends saying the server no longer has its job."""
    session = session_on(sglang, tmp_path)
    deleted: list[httpx.Response] = []

    def delete_once_running(take: Any) -> None:
        if take.status == "in_progress" and not deleted:
            deleted.append(httpx.delete(f"{sglang.base_url}/videos/{take.job_id}", timeout=10))

    plan = session.plan(SLOW, options={"steps": 6}, seconds=1)
    [take] = session.run_plan(plan, on_update=delete_once_running).takes
    [answer] = deleted
    assert answer.status_code == 200 and answer.json()["status"] == "deleted"
    assert answer.json()["id"] == take.job_id
    assert take.status == "expired" and take.error is not None
    assert take.error.message == (
        f"The server no longer has job {take.job_id}: the SGLang Diffusion keeps jobs in memory "
        "only, so a restart of the server loses them (or it was deleted). Run the cell again to "
        "send it again."
    )
    assert not take.path("video").exists()
    # The worker got it and rendered on; a job sent after it (queued behind it) completes, and
    # the deleted one never comes back.
    assert handed_over(sglang, take.job_id)["num_inference_steps"] == 6
    after = httpx.post(f"{sglang.base_url}/videos", json={"prompt": PROMPT, "seconds": 1}).json()
    status = lambda: httpx.get(f"{sglang.base_url}/videos/{after['id']}").json()["status"]  # noqa: E731
    wait_for("a job queued behind the deleted one", lambda: status() == "completed", 60)
    listed = httpx.get(f"{sglang.base_url}/videos", params={"limit": 100}, timeout=10).json()
    assert take.job_id not in [video["id"] for video in listed["data"]]
    session.ledger.close()


def test_a_restart_mid_take_keeps_the_job_id_and_says_what_happened(tmp_path: Path) -> None:
    """The engine process dies while a take renders, then comes back on the same port: the
    take first fails as unreachable (its job id kept), and running the cell again re-attaches
    to that job and says the restarted server no longer has it. Nothing half-written is left."""
    env = engine_env("sglang.sh")
    port = free_port()
    media = tmp_path / "media"
    with sglang_server(env, tmp_path / "first", port) as first:
        session = session_on(first, media)
        plan = session.plan(SLOW, options={"steps": 40}, seconds=1)
        seen: list[str] = []
        [take] = session.run(plan.requests, wait=False, on_update=lambda t: seen.append(t.status))
        wait_for("the take to render", lambda: "in_progress" in seen)
        first.process.kill()  # a crash: no graceful stop
        first.process.wait(10)
        wait_for("the take to end", lambda: seen[-1] in ("failed", "expired", "completed"), 60)
    after_crash = session.ledger.get(take.id)
    assert after_crash is not None and after_crash.status == "failed"
    assert after_crash.job_id == take.job_id and after_crash.error is not None
    assert after_crash.error.code == "APIConnectionError"
    assert after_crash.error.message.startswith(
        f"Could not reach http://127.0.0.1:{port}/v1 for GET /videos/{take.job_id} after 5 "
        "attempts (ConnectError"
    ), after_crash.error.message
    with sglang_server(env, tmp_path / "second", port):
        [resumed] = session.run_plan(plan).takes  # the cell, run again
    assert resumed.id == take.id and resumed.job_id == take.job_id
    assert resumed.status == "expired" and resumed.error is not None
    assert f"no longer has job {take.job_id}: the SGLang Diffusion keeps jobs in memory" in (
        resumed.error.message
    )
    # No video and no partial file: at most the take's JSON sidecar.
    folder = resumed.path("video").parent
    assert [p.name for p in folder.rglob("*") if p.suffix != ".json"] == []
    assert session.ledger.unfinished() == []
    session.ledger.close()


def loras_of(engine: Engine) -> list[dict[str, Any]]:
    """The LoRA requests SGLang's routes handed its worker, in order."""
    path = engine.outputs / "controls.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_lora_takes_set_the_servers_adapters_one_set_at_a_time(
    sglang: Engine, tmp_path: Path
) -> None:
    """Through SGLang's own /v1/set_lora, /v1/unmerge_lora_weights and /v1/list_loras: each
    take is rendered with exactly its adapters, never with another take's."""
    from sora_nb.runs.grid import Axis

    session = session_on(sglang, tmp_path)
    values = ["/weights/ghibli.safetensors:0.6", "/weights/grain.safetensors:1.0", "none"]
    plan = session.plan(PROMPT, axes=[Axis.parse("lora", values)], options={"steps": 3})
    before = len(loras_of(sglang))
    grid = session.run_plan(plan)
    assert [t.status for t in grid.takes] == ["completed"] * 3
    for take in grid.takes:
        wanted = [[a.nickname, "all", a.scale] for a in take.request.options.loras or ()]
        assert handed_over(sglang, take.job_id)["loras"] == wanted, take.request.options
    sets = [c for c in loras_of(sglang)[before:] if c["kind"] == "SetLoraReq"]
    # As SGLang's route built its SetLoraReq: one list entry per adapter.
    assert {(tuple(c["lora_nickname"]), tuple(c["lora_path"]), c["strength"][0]) for c in sets} == {
        (("ghibli",), ("/weights/ghibli.safetensors",), 0.6),
        (("grain",), ("/weights/grain.safetensors",), 1.0),
    }
    assert all(c["target"] == ["all"] for c in sets)
    listed = httpx.get(f"{sglang.base_url}/list_loras", timeout=10).json()
    assert {a["nickname"] for a in listed["loaded_adapters"]} >= {"ghibli", "grain"}

    # Another kernel meets the server with adapters left on: its plain take turns them off.
    httpx.post(
        f"{sglang.base_url}/set_lora", json={"lora_nickname": "grain", "strength": 0.5}, timeout=10
    ).raise_for_status()
    other = session_on(sglang, tmp_path / "other")
    [plain] = other.run_plan(other.plan(PROMPT, options={"steps": 2})).takes
    assert plain.status == "completed" and handed_over(sglang, plain.job_id)["loras"] == []

    # A nickname SGLang never loaded: its refusal, once (a 500 it means, not one to retry).
    [refused] = other.run_plan(other.plan(PROMPT, options={"steps": 2, "loras": "nobody"})).takes
    assert refused.status == "failed" and refused.error is not None and refused.job_id is None
    assert refused.error.message.startswith(
        "Not sent: SGLang refused the adapters (POST /v1/set_lora): Failed to set LoRA adapter: "
        "Adapter nobody not found in the pipeline. Please provide lora_path to load it."
    ), refused.error.message
    refusals = [
        line
        for line in sglang.logged().splitlines()
        if "POST /v1/set_lora HTTP/1.1" in line and "500 Internal Server Error" in line
    ]
    assert len(refusals) == 1, refusals
    session.ledger.close()
    other.ledger.close()


def test_litellms_sdk_calls_work_against_sglang(sglang: Engine, tmp_path: Path) -> None:
    """LiteLLM's own SDK (``custom_llm_provider="openai"`` at SGLang's base URL): create, status,
    content (it asks with no variant, which SGLang 0.5.23 reads as output 0) and list work, sync
    and async; remix is SGLang's plain FastAPI 404, as SGLang has no remix route."""
    import asyncio
    import base64
    import os

    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # offline: its own cost map
    litellm = pytest.importorskip("litellm", reason="the gateway extra installs LiteLLM")
    server = {"api_base": sglang.base_url, "api_key": "sk-engine", "custom_llm_provider": "openai"}

    def raw(wrapped: str) -> str:
        return base64.b64decode(wrapped.removeprefix("video_")).decode().rsplit("video_id:", 1)[1]

    made = litellm.video_generation(prompt=PROMPT, model=WAN, seconds="1", size="832x480", **server)
    assert made.status == "queued" and made.model == WAN

    def status() -> str:
        return str(litellm.video_status(video_id=made.id, **server).status)

    wait_for("the SDK's job to complete", lambda: status() == "completed")
    (tmp_path / "sdk.mp4").write_bytes(litellm.video_content(video_id=made.id, **server))
    probe = media.probe(tmp_path / "sdk.mp4")
    assert (probe.width, probe.height) == (832, 480)
    listed = litellm.video_list(limit=100, **server)
    assert raw(made.id) in [raw(video["id"]) for video in listed["data"]]  # wrapped too
    with pytest.raises(litellm.NotFoundError, match='"detail":"Not Found"'):
        litellm.video_remix(video_id=made.id, prompt="at night", **server)

    async def twins() -> tuple[Any, bytes, Any]:
        made = await litellm.avideo_generation(
            prompt=PROMPT, model=WAN, seconds="1", size="832x480", **server
        )
        deadline = time.monotonic() + 60
        while (done := await litellm.avideo_status(video_id=made.id, **server)).status not in (
            "completed",
            "failed",
        ):
            assert time.monotonic() < deadline, "waited 60 s for the async job"
            await asyncio.sleep(0.1)
        data = await litellm.avideo_content(video_id=made.id, **server)
        return done, data, await litellm.avideo_list(**server)

    done, data, page = run_sync(twins())
    assert done.status == "completed" and data[4:8] == b"ftyp"
    assert raw(done.id) in [raw(video["id"]) for video in page["data"]]


def test_bad_requests_are_refused_here_and_by_the_engine(sglang: Engine) -> None:
    """Last in this module: the 500-step job SGLang queues keeps its worker busy for 25 s."""

    async def ours() -> int:
        async with client_on(sglang) as client:
            for bad in ({"steps": 0}, {"steps": 500}, {"guidance": 50.0}):
                refused = r"should be a (whole )?number from"
                with pytest.raises(errors.InvalidRequestError, match=refused):
                    await client.create(prompt=PROMPT, **bad)  # type: ignore[arg-type]
        return 0

    posted = sglang.logged().count("POST /v1/videos HTTP")
    run_sync(ours())
    assert sglang.logged().count("POST /v1/videos HTTP") == posted  # nothing was sent
    # What SGLang itself answers (it checks no ranges, only that counts are positive).
    with httpx.Client(base_url=sglang.base_url, timeout=30) as http:
        zero = http.post("/videos", json={"prompt": PROMPT, "num_inference_steps": 0})
        many = http.post(
            "/videos", json={"prompt": PROMPT, "num_inference_steps": 500, "guidance_scale": 50}
        )
        order = http.get("/videos", params={"order": "sideways"})
        variant = http.get("/videos/nope/content", params={"variant": "video"})
    assert (zero.status_code, zero.json()) == (
        400,
        {"detail": "num_inference_steps must be positive"},
    )
    assert (many.status_code, many.json()["status"]) == (200, "queued")  # no range check
    assert order.status_code == 422 and order.json()["detail"][0]["loc"] == ["query", "order"]
    assert (variant.status_code, variant.json()) == (404, {"detail": "Video not found"})


def test_a_source_video_reaches_the_pipeline_as_its_video_path_and_strength_is_refused(
    sglang: Engine, tmp_path: Path
) -> None:
    from tests.engine_fakes import tiny_mp4

    clip = tmp_path / "source.mp4"
    tiny_mp4(clip)

    async def send() -> tuple[Any, errors.SoraError]:
        async with client_on(sglang) as client:
            made = await client.create(prompt=PROMPT, size="832x480", seconds=1, video=clip)
            job = await client.wait(made, deadline=120)  # the stub records it as it renders
            with pytest.raises(errors.InvalidRequestError) as refused:
                await client.create(prompt=PROMPT, video=clip, strength=0.5)
        return job, refused.value

    job, refusal = run_sync(send())
    # SGLang told the upload from an image by its video/mp4 type and handed it on as a video.
    handed = handed_over(sglang, job.id)
    assert handed["video_path"] and str(handed["video_path"]).endswith("source.mp4"), handed
    assert handed["image_path"] is None
    assert job.status == "completed", job
    assert "SGLang Diffusion takes no strength" in str(refusal)
