"""sora_nb against FastVideo 0.2.1's own HTTP server, only its GPU executor stubbed.

Everything a client meets is FastVideo's (``tests/engines/conftest.py``): ``fastvideo serve
--config``'s parsing, its FastAPI app, routers, request parsing, job store, its
``VideoGenerator`` (the model's preset, its checks, its MP4 writing), list and error answers.
The stub executor fails the engine's way for a prompt holding ``shattered``. What FastVideo
handed its workers is read back from the stub's ``requests.jsonl``.
"""

from __future__ import annotations

import json
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
    handed_over,
    session_on,
)

# A first run builds the engine's virtualenv inside the first test's setup (BUILD_SECONDS).
pytestmark = pytest.mark.timeout(3000)


def test_a_take_with_seed_steps_negative_prompt_and_teacache_completes_and_downloads(
    fastvideo: Engine, tmp_path: Path
) -> None:
    session = session_on(fastvideo, tmp_path)
    info = session.server_info()
    assert (info.dialect.name, info.models, info.assumed) == ("fastvideo", (WAN,), False)
    # FastVideo 0.2.1 names its version nowhere: status says so, and what was tested.
    assert info.version is None and info.untested is None
    described = info.describe()
    assert described.startswith("Dialect: FastVideo (/v1/models owned_by 'fastvideo').")
    assert "Version: not reported by the server (sora_nb was tested on 0.2.1)." in described
    options = {
        "seed": 7,
        "steps": 12,
        "negative_prompt": "blurry, text, watermark",
        "step_cache": "teacache",
    }
    [take] = session.run_plan(session.plan(PROMPT, options=options)).takes
    assert take.status == "completed", take.error
    # The video is the MP4 FastVideo's own generator wrote, of the size and length asked.
    probe = media.probe(take.path("video"))
    assert f"{probe.width}x{probe.height}" == take.request.size == "832x480"
    chosen = take.request.options
    assert (chosen.num_frames, chosen.fps) == (81, 16)  # Wan 2.1's usual clip
    assert probe.frame_count == 81 and round(probe.fps) == 16
    assert probe.has_audio is False  # Wan makes no sound track
    assert take.path("thumbnail").stat().st_size > 0
    assert take.path("spritesheet").stat().st_size > 0
    # What FastVideo handed its workers is what the take asked for.
    handed = handed_over(fastvideo, take.job_id)
    assert handed["prompt"] == PROMPT and handed["negative_prompt"] == "blurry, text, watermark"
    assert (handed["seed"], handed["num_inference_steps"]) == (7, 12)
    assert (handed["width"], handed["height"], handed["num_frames"], handed["fps"]) == (
        832,
        480,
        81,
        16,
    )
    # --step-cache teacache reaches FastVideo as its request model's enable_teacache.
    assert handed["enable_teacache"] is True
    assert take.peak_memory_mb == 1234.5  # the workers' figure, through FastVideo's job
    session.ledger.close()


def test_seeds_make_different_videos_and_a_seed_grid_of_two(
    fastvideo: Engine, tmp_path: Path
) -> None:
    from sora_nb.runs.grid import Axis

    session = session_on(fastvideo, tmp_path)
    axes = [Axis.parse("seed", ["1", "2"])]
    grid = session.run_plan(session.plan(PROMPT, axes=axes, options={"steps": 4}))
    assert [t.status for t in grid.takes] == ["completed", "completed"]
    one, two = sorted(grid.takes, key=lambda t: t.request.options.seed or 0)
    assert (one.request.options.seed, two.request.options.seed) == (1, 2)
    assert one.path("video").read_bytes() != two.path("video").read_bytes()
    assert [handed_over(fastvideo, t.job_id)["seed"] for t in (one, two)] == [1, 2]
    session.ledger.close()


def test_a_create_naming_no_clip_is_sent_the_models_usual_clip(fastvideo: Engine) -> None:
    """Point 4: FastVideo would misread a create without size and seconds ("" and "0") and
    pick 24 x seconds frames at 24 fps; sora_nb sends Wan's usual clip in full."""

    async def scenario() -> Any:
        async with client_on(fastvideo) as client:
            return await client.wait(await client.create(prompt=PROMPT, steps=2))

    job = run_sync(scenario())
    assert (job.status, job.size, job.seconds) == ("completed", "832x480", "5")
    handed = handed_over(fastvideo, job.id)
    assert (handed["width"], handed["height"], handed["num_frames"], handed["fps"]) == (
        832,
        480,
        81,
        16,
    )
    # What FastVideo itself does with the same request sent bare, and with an unreadable size.
    with httpx.Client(base_url=fastvideo.base_url, timeout=30) as http:
        bare = http.post("/videos", json={"prompt": PROMPT, "num_inference_steps": 1}).json()
        odd = http.post("/videos", json={"prompt": PROMPT, "size": "big", "seconds": 5}).json()
    assert (bare["size"], bare["seconds"], odd["size"], odd["seconds"]) == ("", "0", "", "5")
    wait_until_handed(fastvideo, bare["id"])
    misread = handed_over(fastvideo, bare["id"])
    # The job says nothing, but the workers got the preset's size, 81 frames and 24 fps.
    assert (misread["width"], misread["num_frames"], misread["fps"]) == (832, 81, 24)


def wait_until_handed(engine: Engine, job_id: str, seconds: float = 30) -> None:
    """Until the stub has recorded ``job_id`` (FastVideo starts each job on its own thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if job_id in (engine.outputs / "requests.jsonl").read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"FastVideo did not hand job {job_id} to its workers in {seconds} s")


def test_a_failed_job_reads_as_the_engine_says(fastvideo: Engine, tmp_path: Path) -> None:
    take, job, failure = a_failed_take(fastvideo, tmp_path, options={"steps": 10})
    # FastVideo's message holds the worker's traceback; the take keeps its two telling lines.
    assert take.error is not None and take.error.message == (
        "Forward execution thread failed. "
        "RuntimeError: CUDA error: an illegal memory access was encountered"
    )
    # It failed halfway, yet FastVideo's job reads progress 0 (it never reports progress).
    assert (job.status, job.progress) == ("failed", 0), job
    assert "illegal memory access" in str(failure)


def test_a_completed_jobs_lost_file_is_an_error_quoting_the_engine(
    fastvideo: Engine, tmp_path: Path
) -> None:
    """FastVideo answers 404 "Video still being generated" for a completed job whose file is
    gone; sora_nb says so at once, never waiting or calling the take expired."""

    async def scenario() -> tuple[str, errors.ContentMissingError]:
        async with client_on(fastvideo) as client:
            job = await client.wait(await client.create(prompt=PROMPT, steps=2))
            assert job.status == "completed"
            Path((job.model_extra or {})["file_path"]).unlink()
            with pytest.raises(errors.ContentMissingError) as caught:
                await client.download(job, tmp_path / "lost.mp4")
            return job.id, caught.value

    job_id, missing = run_sync(scenario())
    assert str(missing).startswith(f"Job {job_id} is completed, but the server answered 404")
    assert "'Video still being generated'" in str(missing)


def test_list_pages_by_hand_and_delete_forgets_a_running_job(fastvideo: Engine) -> None:
    async def scenario() -> None:
        async with client_on(fastvideo) as client:
            made = [(await client.create(prompt=f"heron {n}", steps=1)).id for n in range(3)]
            page = await client.list_page(limit=2)
            assert len(page.data) == 2  # FastVideo sends no has_more, first_id or last_id
            listed = [video.id async for video in client.list(page_size=2)]
            assert set(made) <= set(listed) and len(listed) == len(set(listed))
            with pytest.raises(errors.InvalidRequestError, match="between 1 and 100"):
                await client.list_page(limit=0)  # refused here: FastVideo's limit is 1..100
            for ident in made:
                await client.wait(ident)
            # A long job, deleted while its workers run: FastVideo forgets it and runs on.
            running = await client.create(prompt="a long heron", steps=200)
            wait_until_handed(fastvideo, running.id)
            gone = await client.delete(running.id)
            assert gone.deleted and gone.cancelled is False
            with pytest.raises(errors.NotFoundError, match="Video not found"):
                await client.retrieve(running.id)
            assert running.id not in [video.id async for video in client.list()]

    run_sync(scenario())
    # The forgotten job's generation ran on to its MP4.
    video = fastvideo.outputs / "videos"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(video.glob("*.mp4")):
        time.sleep(0.1)
    lines = (fastvideo.outputs / "requests.jsonl").read_text().splitlines()
    running_id = json.loads(lines[-1])["request_id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (video / f"{running_id}.mp4").exists():
        time.sleep(0.1)
    assert (video / f"{running_id}.mp4").exists(), "the deleted job's MP4 was never written"


def test_bad_requests_are_refused_here_and_by_the_engine(fastvideo: Engine) -> None:
    async def ours() -> int:
        async with client_on(fastvideo) as client:
            for bad in ({"steps": 0}, {"steps": 500}, {"guidance": 50.0}):
                refused = r"should be a (whole )?number from"
                with pytest.raises(errors.InvalidRequestError, match=refused):
                    await client.create(prompt=PROMPT, **bad)  # type: ignore[arg-type]
        return 0

    run_sync(ours())
    # What FastVideo itself answers: it checks no ranges, and takes a body without a prompt
    # as a bad request.
    with httpx.Client(base_url=fastvideo.base_url, timeout=30) as http:
        zero = http.post("/videos", json={"prompt": PROMPT, "num_inference_steps": 0})
        many = http.post(
            "/videos", json={"prompt": PROMPT, "num_inference_steps": 500, "guidance_scale": 50}
        )
        empty = http.post("/videos", json={"size": "832x480"})
        limit = http.get("/videos", params={"limit": 0})
        flat = http.post("/videos", json={"prompt": PROMPT, "size": "0x0", "seconds": 1})
    assert (zero.status_code, zero.json()["status"]) == (200, "queued")
    assert (many.status_code, many.json()["status"]) == (200, "queued")
    assert empty.status_code == 400
    assert empty.json()["detail"].startswith("Invalid request body: 1 validation error")
    assert limit.status_code == 422 and limit.json()["detail"][0]["loc"] == ["query", "limit"]
    # A 0x0 size is queued, then fails in FastVideo's generator, at progress 0.

    async def settle() -> Any:
        async with client_on(fastvideo) as client:
            return await client.wait(flat.json()["id"])

    job = run_sync(settle())
    assert (job.status, job.progress) == ("failed", 0)
    assert job.error is not None
    assert job.error.message.startswith("Height, width, and num_frames must be positive integers")
