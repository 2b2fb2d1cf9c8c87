"""Step caches and stage times on the tiny Wan pipeline: each cache the server offers changes
the picture by a measured, bounded amount and is gone after the job; the stages' seconds add up
to the job's wall time; a cache the model lacks is refused in one line."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy
from sora_nb.research.fidelity import compare_videos
from sora_nb.research.results import grid_records
from sora_nb.runs.grid import Axis, GridRun, plan_grid
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.runner import Runner
from sora_nb.server.renderers.diffusers.caching import hooks_left
from tests.local.helpers import client, finish

BODY = {
    "prompt": "a red kite over the sea at sunset",
    "size": "112x64",
    "seed": 7,
    "num_inference_steps": 12,
    "num_frames": 9,
}
METHODS = ("firstblock:0.2", "taylorseer:3", "pab", "seacache")
FAST_POLL = PollPolicy(floor=0.02, ceiling=0.05, min_hint=0.01)


async def _render(app: Starlette, folder: Path, **extra: Any) -> tuple[dict[str, Any], Path]:
    async with client(app) as http:
        made = await http.post("/videos", json={**BODY, **extra})
        assert made.status_code == 200, made.text
        done = await finish(http, made.json()["id"])
        assert done["status"] == "completed", done
        path = folder / f"{done['id']}.mp4"
        path.write_bytes((await http.get(f"/videos/{done['id']}/content")).content)
    return done, path


async def test_each_cache_changes_the_picture_a_bounded_amount_and_is_removed_after(
    local_app: Callable[..., Starlette], tmp_path: Path
) -> None:
    app = local_app("wan")
    renderer = app.state.server.store.renderer
    async with client(app) as http:
        card = (await http.get("/models")).json()["data"][0]
    assert card["step_caches"] == ["none", *(m.split(":")[0] for m in METHODS)]
    _, uncached = await _render(app, tmp_path)
    for method in METHODS:
        done, cached = await _render(app, tmp_path, step_cache=method)
        assert done["step_cache"] == method
        quality = compare_videos(cached, uncached)
        # The same seed: close to the uncached take, never the same picture, never noise.
        assert 30 < quality.psnr < float("inf"), (method, quality)
        assert 0.9 < quality.ssim < 1.0, (method, quality)
        # Off after the job: no hook left on the denoiser.
        assert hooks_left(renderer.pipe) == 0, method
        assert not renderer.pipe.transformer.is_cache_enabled, method
    # And the next uncached take is the first one again, byte for byte.
    _, again = await _render(app, tmp_path, step_cache="none")
    assert again.read_bytes() == uncached.read_bytes()


async def test_the_stages_add_up_to_the_jobs_wall_time(
    local_app: Callable[..., Starlette], tmp_path: Path
) -> None:
    app = local_app("wan")
    done, _ = await _render(app, tmp_path, num_frames=17)
    stages = done["stage_durations"]
    assert list(stages) == ["text_encoding", "denoising", "vae_decode", "encoding"]
    assert all(seconds > 0 for seconds in stages.values()), stages
    record = await asyncio.to_thread(app.state.server.store.get, done["id"])
    wall = record.render_seconds
    assert abs(sum(stages.values()) - wall) <= 0.1 * wall, (stages, wall)
    # Seconds per step are the denoising stage's pace.
    assert 0 < done["seconds_per_step"] * 12 <= stages["denoising"] * 1.5


async def test_a_cache_the_model_lacks_is_refused_in_one_line(
    local_app: Callable[..., Starlette],
) -> None:
    app = local_app("wan")
    async with client(app) as http:
        lacking = await http.post("/videos", json={**BODY, "step_cache": "teacache"})
        unknown = await http.post("/videos", json={**BODY, "step_cache": "fastest"})
        too_far = await http.post("/videos", json={**BODY, "step_cache": "firstblock:3"})
    assert lacking.status_code == 400
    assert lacking.json()["error"] == {
        "message": "Invalid value for 'step_cache': wan-tiny (WanPipeline) has no step cache "
        "'teacache': it offers firstblock, taylorseer, pab, seacache (or none); send one of "
        "those.",
        "type": "invalid_request_error",
        "param": "step_cache",
        "code": "invalid_value",
    }
    assert unknown.status_code == 400
    assert unknown.json()["error"]["message"] == (
        "Invalid value for 'step_cache': There is no step cache 'fastest'; the methods are none, "
        "firstblock, taylorseer, pab, seacache, teacache (a server offers some of them), like "
        "firstblock or firstblock:0.1."
    )
    assert too_far.json()["error"]["message"] == (
        "Invalid value for 'step_cache': The threshold of firstblock should be a number from 0 "
        "to 1; got 3."
    )


def test_a_grid_of_caches_reads_speed_and_quality_against_the_uncached_take(
    local_app: Callable[..., Starlette], tmp_path: Path
) -> None:
    app = local_app("wan")
    ledger = Ledger(tmp_path / "media")
    axes = [Axis.parse("cache", ["none", "firstblock:0.2", "taylorseer:3"])]
    plan = plan_grid(
        "a red kite over the sea at sunset",
        axes,
        model="wan-tiny",
        size="112x64",
        seconds=1,
        seed=7,
        steps=12,
        num_frames=9,
    )

    async def go() -> GridRun:
        client = VideosClient(transport=httpx.ASGITransport(app=app), poll=FAST_POLL)
        try:
            return GridRun(plan, await Runner(client, ledger, server="local").run(plan.requests))
        finally:
            await client.aclose()

    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        run = worker.submit(asyncio.run, go()).result(timeout=300)
    try:
        rows = {row["cache"]: row for row in grid_records(run)}
    finally:
        ledger.close()
    assert set(rows) == {"none", "firstblock:0.2", "taylorseer:3"}
    # The uncached take is the reference: nothing against itself.
    assert rows["none"]["psnr_vs_uncached"] is None and rows["none"]["step_cache"] == "none"
    for method in ("firstblock:0.2", "taylorseer:3"):
        row = rows[method]
        assert row["step_cache"] == method
        assert 30 < row["psnr_vs_uncached"] < 100 and 0.9 < row["ssim_vs_uncached"] < 1
        assert row["speedup_vs_uncached"] > 0
    # Every row has the time of each stage, as the server reported it and the ledger kept it.
    for row in rows.values():
        assert all(row[f"{stage}_s"] > 0 for stage in ("text_encoding", "denoising"))
        assert row["vae_decode_s"] > 0 and row["encoding_s"] > 0
    reopened = Ledger(tmp_path / "media")
    try:
        kept = reopened.get(run.takes[0].id)
        assert kept is not None and kept.stage_durations == run.takes[0].stage_durations
    finally:
        reopened.close()


async def test_ltx2_offers_only_the_cache_its_audio_video_blocks_take(
    local_app: Callable[..., Starlette], tmp_path: Path
) -> None:
    app = local_app("ltx2")
    async with client(app) as http:
        card = (await http.get("/models")).json()["data"][0]
        refused = await http.post(
            "/videos", json={"prompt": "a red kite", "size": "64x32", "step_cache": "firstblock"}
        )
    assert card["step_caches"] == ["none", "taylorseer"]
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == (
        "Invalid value for 'step_cache': ltx2-tiny (LTX2Pipeline) has no step cache "
        "'firstblock': it offers taylorseer (or none); send one of those."
    )
    done, _ = await _render(
        app, tmp_path, size="64x32", num_frames=9, num_inference_steps=6, step_cache="taylorseer"
    )
    assert done["step_cache"] == "taylorseer"
    assert hooks_left(app.state.server.store.renderer.pipe) == 0


async def test_the_client_refuses_a_cache_the_card_does_not_offer_before_sending(
    local_app: Callable[..., Starlette],
) -> None:
    app = local_app("wan")
    async with VideosClient(transport=httpx.ASGITransport(app=app), poll=FAST_POLL) as videos:
        with pytest.raises(errors.InvalidRequestError) as caught:
            await videos.create(prompt="a red kite", size="112x64", step_cache="teacache")
        made = await videos.create(prompt="a red kite", size="112x64", step_cache="pab")
    assert str(caught.value) == (
        "Not sent: the served model offers the step caches firstblock, taylorseer, pab, "
        "seacache (or none), not 'teacache'; send one of those."
    )
    assert caught.value.param == "step_cache" and caught.value.status_code is None
    # Only the offered one reached the server.
    assert app.state.server.store.stats.jobs_created == 1
    assert app.state.server.store.get(made.id).options.step_cache == "pab"
