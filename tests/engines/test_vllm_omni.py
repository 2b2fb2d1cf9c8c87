"""sora_nb against vLLM-Omni 0.30.0's own HTTP server, only its engine client stubbed.

Everything a client meets is vLLM-Omni's and vLLM's (``tests/engines/conftest.py``): ``vllm
serve MODEL --omni``'s argument parsing, vLLM's app with its error handlers, vLLM-Omni's video
routes, form parsing, request model, job store, file storage and MP4 encoding. The stub engine
client says "started", takes a short time per step and fails the engine's way for a prompt
holding ``shattered``. What vLLM-Omni handed its engine is read back from the stub's
``requests.jsonl``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from sora_nb import media
from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.retry import RetryPolicy
from sora_nb.runs.loop import run_sync
from sora_nb.runs.session import Session
from sora_nb.runs.take import Take
from tests.engines.conftest import (
    FAST,
    PROMPT,
    WAN,
    Engine,
    a_failed_take,
    client_on,
    engine_env,
    handed_over,
    session_on,
    vllm_omni_server,
)
from tests.imitations import free_port
from tests.research.clips import write_clip

# A first run builds the engine's virtualenv inside the first test's setup (BUILD_SECONDS).
pytestmark = pytest.mark.timeout(3000)


def recorded(engine: Engine) -> list[str]:
    """Every line the stub engine wrote: one per request that reached it (or abort)."""
    path = engine.outputs / "requests.jsonl"
    return path.read_text().splitlines() if path.exists() else []


def png(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", size, colour).save(path, "PNG")
    return path


def flat_clip(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> Path:
    """A real H.264 MP4 of 12 frames of one colour at 16 fps."""
    frame = np.full((size[1], size[0], 3), colour, dtype=np.uint8)
    return write_clip(path, lambda _i: frame, 12, fps=16)


def test_a_take_with_seed_steps_and_negative_prompt_completes_and_downloads(
    vllm_omni: Engine, tmp_path: Path
) -> None:
    session = session_on(vllm_omni, tmp_path)
    info = session.server_info()
    assert (info.dialect.name, info.models, info.assumed) == ("vllm-omni", (WAN,), False)
    # Its version, from vLLM's own /version, is the one the dialect was tested against.
    assert info.version == "0.30.0" and info.untested is None
    assert info.describe().startswith("Dialect: vLLM-Omni 0.30.0 (/v1/models owned_by 'vllm')")
    seen: list[tuple[str, int]] = []
    options = {"seed": 7, "steps": 12, "negative_prompt": "blurry, text, watermark"}
    plan = session.plan(PROMPT, seconds=1, options=options)
    [take] = session.run_plan(plan, on_update=lambda t: seen.append((t.status, t.progress))).takes
    assert take.status == "completed", take.error
    # The video is vLLM-Omni's own MP4, of the size asked; previews made from it here.
    probe = media.probe(take.path("video"))
    assert f"{probe.width}x{probe.height}" == take.request.size == "832x480"
    chosen = take.request.options
    # As many frames as asked, at the asked rate, and no sound track (Wan makes none).
    assert (probe.frame_count, round(probe.fps), probe.has_audio) == (
        chosen.num_frames,
        chosen.fps,
        False,
    )
    # The frames decode, brightening from the first to the last (the stub's colour ramp).
    first, last = media.decode_frames(take.path("video"), [0, probe.frame_count - 1]).values()
    assert first.mean() < last.mean()
    assert take.path("thumbnail").stat().st_size > 0
    assert take.path("spritesheet").stat().st_size > 0
    # What vLLM-Omni handed its engine is what the take asked for.
    handed = handed_over(vllm_omni, take.job_id)
    assert handed["prompt"] == PROMPT and handed["negative_prompt"] == "blurry, text, watermark"
    assert (handed["seed"], handed["num_inference_steps"]) == (7, 12)
    assert (handed["width"], handed["height"]) == (832, 480)
    # The job went in_progress once the engine said it started (vLLM-Omni has no per-step
    # progress: 0 until the end).
    assert ("in_progress", 0) in seen, seen
    # What the server reports of the job is on the take: GPU time, memory, stage times, the
    # clip's length and its stage metrics.
    assert take.peak_memory_mb == 2345.5 and take.gpu_seconds and take.gpu_seconds > 0
    assert take.stage_durations is not None and set(take.stage_durations) == {
        "denoise",
        "vae_decode",
    }
    assert (handed["num_frames"], handed["fps"]) == (chosen.num_frames, chosen.fps)
    assert take.duration_s == pytest.approx((chosen.num_frames or 0) / (chosen.fps or 1))
    assert take.server_metrics == {"diffusion_engine_exec_time_ms": pytest.approx(600.0)}
    again = session.ledger.get(take.id)
    assert again is not None
    assert (again.duration_s, again.server_metrics) == (take.duration_s, take.server_metrics)
    session.ledger.close()


def test_seeds_make_different_videos_and_a_seed_grid_of_two(
    vllm_omni: Engine, tmp_path: Path
) -> None:
    from sora_nb.runs.grid import Axis

    session = session_on(vllm_omni, tmp_path)
    axes = [Axis.parse("seed", ["1", "2"])]
    plan = session.plan(PROMPT, axes=axes, seconds=1, options={"steps": 4})
    grid = session.run_plan(plan)
    assert [t.status for t in grid.takes] == ["completed", "completed"]
    one, two = sorted(grid.takes, key=lambda t: t.request.options.seed or 0)
    assert (one.request.options.seed, two.request.options.seed) == (1, 2)
    assert one.path("video").read_bytes() != two.path("video").read_bytes()
    assert [handed_over(vllm_omni, t.job_id)["seed"] for t in (one, two)] == [1, 2]
    session.ledger.close()


def test_a_failed_job_reads_as_the_engine_says(vllm_omni: Engine, tmp_path: Path) -> None:
    take, job, failure = a_failed_take(vllm_omni, tmp_path, seconds=1, options={"steps": 10})
    assert take.error is not None
    assert take.error.message == "CUDA error: an illegal memory access was encountered"
    assert (job.status, job.progress) == ("failed", 0)
    assert "illegal memory access" in str(failure)

    # vLLM-Omni answers a failed job's GET with the error's status (500) and the job as body,
    # its progress 0; its content is 422.
    with httpx.Client(base_url=vllm_omni.base_url, timeout=30) as http:
        got = http.get(f"/videos/{take.job_id}")
        content = http.get(f"/videos/{take.job_id}/content")
    assert got.status_code == 500
    assert (got.json()["status"], got.json()["progress"]) == ("failed", 0)
    assert got.json()["error"] == {"code": 500, "message": take.error.message}
    assert content.status_code == 422


def test_delete_cancels_a_running_job(vllm_omni: Engine) -> None:
    async def scenario() -> str:
        async with client_on(vllm_omni) as client:
            job = await client.create(prompt=PROMPT, steps=200)
            deadline = time.monotonic() + 30
            while job.status == "queued" and time.monotonic() < deadline:
                job = await client.retrieve(job.id)
            assert job.status == "in_progress", "the job did not start within 30 s"
            gone = await client.delete(job.id)
            assert gone.deleted and gone.id == job.id
            with pytest.raises(errors.NotFoundError, match="Video not found"):
                await client.retrieve(job.id)

        return job.id

    job_id = run_sync(scenario())
    # Cancelled, not left running: vLLM-Omni asked its engine to abort it, and kept no file.
    handed_over(vllm_omni, f"aborted:{job_id}")
    assert not (vllm_omni.outputs / f"{job_id}.mp4").exists()


def test_list_pages_with_cursors(vllm_omni: Engine) -> None:
    async def scenario() -> None:
        async with client_on(vllm_omni) as client:
            made = [(await client.create(prompt=f"heron {n}", steps=1)).id for n in range(3)]
            page = await client.list_page(limit=2)
            assert len(page.data) == 2 and page.has_more and page.last_id == page.data[-1].id
            listed = [video.id async for video in client.list(page_size=2)]
            assert set(made) <= set(listed) and len(listed) == len(set(listed))
            with pytest.raises(errors.InvalidRequestError, match="between 0 and 100"):
                await client.list_page(limit=101)  # refused here: vLLM-Omni's limit is 0..100
            for ident in made:
                await client.wait(ident)

    run_sync(scenario())


def test_bad_requests_are_refused_here_and_by_the_engine(vllm_omni: Engine) -> None:
    async def ours() -> None:
        async with client_on(vllm_omni) as client:
            refused = r"should be a (whole )?number from"
            for bad in ({"steps": 0}, {"steps": 500}, {"guidance": 50.0}):
                with pytest.raises(errors.InvalidRequestError, match=refused):
                    await client.create(prompt=PROMPT, **bad)  # type: ignore[arg-type]
            with pytest.raises(errors.InvalidRequestError, match="needs the adapter's path"):
                await client.create(prompt=PROMPT, loras=["ghibli"])

    run_sync(ours())
    # What vLLM-Omni itself answers.
    with httpx.Client(base_url=vllm_omni.base_url, timeout=30) as http:
        zero = http.post("/videos", files={"prompt": (None, PROMPT), "size": (None, "0x0")})
        many = http.post(
            "/videos", files={"prompt": (None, PROMPT), "num_inference_steps": (None, "500")}
        )
        as_json = http.post("/videos", json={"prompt": PROMPT})
        unknown = http.get("/videos/nope/remix")
    assert (zero.status_code, zero.json()["error"]) == (
        400,
        {
            "message": "Invalid size: 0x0. Width and height must be positive integers.",
            "type": "BadRequestError",
            "param": None,
            "code": 400,
        },
    )
    assert many.status_code == 400 and many.json()["error"]["type"] == "BadRequestError"
    assert "less than or equal to 200" in many.json()["error"]["message"]
    assert as_json.status_code == 400 and as_json.json()["error"]["param"] == "body.prompt"
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "Not Found"})
    # sora_nb reads those answers as one plain line each.
    said = errors.status_error(
        status_code=400, body=zero.content, headers=zero.headers, what="POST /videos"
    )
    assert str(said).startswith(
        "The server refused the request (400 on POST /videos): Invalid size: 0x0. "
        "Width and height must be positive integers."
    )
    route = errors.status_error(
        status_code=404, body=unknown.content, headers=unknown.headers, what="GET /x"
    )
    lead = "The server has no such video or endpoint (404 on GET /x): Not Found."
    assert str(route).startswith(lead)


def test_a_lora_goes_as_vllm_omni_takes_it(vllm_omni: Engine) -> None:
    async def scenario() -> str:
        async with client_on(vllm_omni) as client:
            job = await client.create(
                prompt=PROMPT, steps=1, loras=["/loras/ghibli.safetensors:0.8"]
            )
            return (await client.wait(job.id)).id

    job_id = run_sync(scenario())
    handed = handed_over(vllm_omni, job_id)
    assert handed["lora"] == {"name": "ghibli", "path": "/loras/ghibli.safetensors"}
    assert handed["lora_scale"] == 0.8


def test_a_restart_mid_job_expires_the_take_plainly_and_it_can_be_sent_again(
    tmp_path: Path,
) -> None:
    """vLLM-Omni keeps jobs in memory: restarted while a take runs, it no longer knows it."""
    env = engine_env("vllm_omni.sh")
    port = free_port()
    with contextlib.ExitStack() as servers:
        first = servers.enter_context(vllm_omni_server(env, tmp_path / "first", port))
        # Room for the restart: polls meet a closed port until the new process answers.
        options = {"poll": FAST, "retry": RetryPolicy(budget=240, random=lambda: 0.0)}
        session = Session(
            tmp_path / "media", base_url=first.base_url, api_key="k", client_options=options
        )
        restarted: list[Engine] = []

        def restart_once(take: Take) -> None:
            if take.status == "in_progress" and not restarted:
                first.process.kill()
                first.process.wait(10)
                second = vllm_omni_server(env, tmp_path / "second", port)
                restarted.append(servers.enter_context(second))

        plan = session.plan(PROMPT, seconds=1, options={"steps": 200, "seed": 5})
        [lost] = session.run_plan(plan, on_update=restart_once).takes
        assert restarted, "the take never reached in_progress"
        assert lost.status == "expired" and lost.error is not None
        assert f"no longer has job {lost.job_id}" in lost.error.message
        assert "keeps jobs in memory only" in lost.error.message
        again_plan = session.plan(PROMPT, seconds=1, options={"steps": 2, "seed": 5})
        [again] = session.run_plan(again_plan).takes
        assert again.status == "completed" and again.request.options.seed == 5
        session.ledger.close()


def test_first_and_last_frames_reach_the_engine_as_its_two_images_in_order(
    vllm_omni: Engine, tmp_path: Path
) -> None:
    """--image FIRST --last-image LAST: vLLM-Omni's form parsing decodes the two
    image_reference data URLs and hands its engine ``image: [first, last]`` at the video's
    size (what Wan's first-last-frame model reads)."""
    first = png(tmp_path / "first.png", (832, 480), (200, 30, 30))
    last = png(tmp_path / "last.png", (832, 480), (20, 30, 230))

    async def scenario() -> str:
        # The catalog knows the served Wan T2V takes no image (the stub serves it; vLLM-Omni's
        # HTTP code is the same for Wan's first-last-frame model): its check is off here.
        unchecked = VideosClient(vllm_omni.base_url, "sk", poll=FAST, check_requests=False)
        async with unchecked as client:
            job = await client.create(
                prompt=PROMPT, size="832x480", input_reference=first, last_image=last,
                steps=2, seed=4,
            )  # fmt: skip
            done = await client.wait(job.id)
            assert done.status == "completed", done.error
            return done.id

    handed = handed_over(vllm_omni, run_sync(scenario()))
    assert handed["images"] == [
        {"size": [832, 480], "mean": [200, 30, 30]},
        {"size": [832, 480], "mean": [20, 30, 230]},
    ]
    assert "video" not in handed and handed["seed"] == 4


def test_a_source_video_reaches_the_engine_as_its_video(vllm_omni: Engine, tmp_path: Path) -> None:
    """A take with ``video=``: the input_reference file is decoded by vLLM-Omni (not an image,
    so a video) and its frames go to the engine as ``video``, at the clip's own size."""
    clip = flat_clip(tmp_path / "source.mp4", (416, 240), (40, 160, 90))
    session = session_on(vllm_omni, tmp_path / "media")
    plan = session.plan(PROMPT, seconds=1, options={"video": str(clip), "steps": 2})
    [take] = session.run_plan(plan).takes
    assert take.status == "completed", take.error
    handed = handed_over(vllm_omni, take.job_id)
    assert "images" not in handed
    video = handed["video"]
    # Up to the asked frame count, the clip's first frames (vLLM-Omni keeps the first N).
    assert video["frames"] == min(12, take.request.options.num_frames or 12)
    assert video["first"]["size"] == [416, 240]
    assert video["first"]["mean"] == pytest.approx([40, 160, 90], abs=4)  # H.264's rounding
    session.ledger.close()


def test_strength_is_refused_before_anything_reaches_the_engine(
    vllm_omni: Engine, tmp_path: Path
) -> None:
    clip = flat_clip(tmp_path / "source.mp4", (416, 240), (40, 160, 90))
    before = recorded(vllm_omni)

    async def scenario() -> None:
        async with client_on(vllm_omni) as client:
            with pytest.raises(errors.InvalidRequestError, match="vLLM-Omni takes no strength"):
                await client.create(prompt=PROMPT, video=clip, strength=0.5)

    run_sync(scenario())
    assert recorded(vllm_omni) == before


def test_the_engine_refuses_input_reference_beside_image_reference(
    vllm_omni: Engine, tmp_path: Path
) -> None:
    """Why sora_nb sends a first frame as an image_reference when a last frame goes too."""
    first = png(tmp_path / "first.png", (832, 480), (200, 30, 30)).read_bytes()
    url = "data:image/png;base64," + base64.b64encode(first).decode()
    with httpx.Client(base_url=vllm_omni.base_url, timeout=30) as http:
        both = http.post(
            "/videos",
            data={"prompt": PROMPT, "image_reference": json.dumps({"image_url": url})},
            files={"input_reference": ("first.png", first, "image/png")},
        )
    assert both.status_code == 400
    assert both.json()["error"]["message"] == (
        "Provide only one of input_reference, image_reference, or video_reference when using "
        "input_reference; image_reference and video_reference may be combined."
    )
