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
from pathlib import Path
from typing import Any

import httpx
import pytest

from sora_nb import media
from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy
from sora_nb.runs.loop import run_sync
from sora_nb.runs.session import Session
from tests.engines.conftest import WAN, Engine

# A first run builds the engine's virtualenv inside the first test's setup (BUILD_SECONDS).
pytestmark = pytest.mark.timeout(3000)

PROMPT = "A heron lifts off the reeds at dawn, low mist, slow push-in."
FAIL_WORD = "shattered"  # sglang_stub.FAIL_WORD (that module runs only in SGLang's env)
FAST = PollPolicy(floor=0.05, ceiling=0.2, random=lambda: 0.0)


def session_on(engine: Engine, folder: Path) -> Session:
    options = {"poll": FAST}
    return Session(folder, base_url=engine.base_url, api_key="sk-engine", client_options=options)


def client_on(engine: Engine) -> VideosClient:
    return VideosClient(engine.base_url, "sk-engine", poll=FAST)


def handed_to_pipeline(engine: Engine, job_id: str | None) -> dict[str, Any]:
    """The settings SGLang gave its pipeline for one job (the stub's record of it)."""
    lines = (engine.outputs / "requests.jsonl").read_text().splitlines()
    found = [json.loads(line) for line in lines if json.loads(line)["request_id"] == job_id]
    assert len(found) == 1, (job_id, lines[-5:])
    return found[0]


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
    handed = handed_to_pipeline(sglang, take.job_id)
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
    assert [handed_to_pipeline(sglang, t.job_id)["seed"] for t in (one, two)] == [1, 2]
    session.ledger.close()


def test_a_failed_job_reads_as_the_engine_says(sglang: Engine, tmp_path: Path) -> None:
    session = session_on(sglang, tmp_path)
    [take] = session.run_plan(session.plan(f"A {FAIL_WORD} heron.", options={"steps": 10})).takes
    assert take.status == "failed" and take.error is not None
    assert take.error.message == (
        "Model generation failed. Error from scheduler: "
        "CUDA error: an illegal memory access was encountered"
    )
    assert not take.path("video").exists()

    async def look() -> tuple[Any, errors.SoraError]:
        async with client_on(sglang) as client:
            job = await client.retrieve(take.job_id or "")
            with pytest.raises(errors.JobFailedError) as caught:
                await client.download(job, tmp_path / "never.mp4")
        return job, caught.value

    job, failure = run_sync(look())
    # It failed halfway: the job keeps the progress it had reached, and no file.
    assert job.status == "failed" and 0 < job.progress < 100, job
    assert (job.model_extra or {})["file_path"] is None
    assert "illegal memory access" in str(failure)
    session.ledger.close()


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


def test_bad_requests_are_refused_here_and_by_the_engine(sglang: Engine) -> None:
    async def ours() -> int:
        async with client_on(sglang) as client:
            for bad in ({"steps": 0}, {"steps": 500}, {"guidance": 50.0}):
                refused = r"should be a (whole )?number from"
                with pytest.raises(errors.InvalidRequestError, match=refused):
                    await client.create(prompt=PROMPT, **bad)  # type: ignore[arg-type]
        return 0

    run_sync(ours())
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
    handed = handed_to_pipeline(sglang, job.id)
    assert handed["video_path"] and str(handed["video_path"]).endswith("source.mp4"), handed
    assert handed["image_path"] is None
    assert job.status == "completed", job
    assert "SGLang Diffusion takes no strength" in str(refusal)
