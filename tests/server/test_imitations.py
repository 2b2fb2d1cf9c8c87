"""The imitations of other servers (server/imitations) answer as engine-dialects.md says each
server does (raw httpx only)."""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sora_nb import media
from sora_nb.server import ServerSettings, create_app
from tests.server.helpers import MP4, FrozenClock

WAN = "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
BLOCKED = {"harbour ghost": "copyrighted character"}


class Apps:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.made: list[Starlette] = []

    def __call__(self, dialect: str, **settings: Any) -> Starlette:
        settings.setdefault("media_dir", self.root)
        settings.setdefault("time_scale", 0)
        settings.setdefault("blocked", BLOCKED)
        app = create_app(ServerSettings(dialect=dialect, **settings))  # type: ignore[arg-type]
        self.made.append(app)
        return app


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[Apps]:
    made = Apps(tmp_path / "server")
    yield made
    for app in made.made:
        app.state.server.close()


def http(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://engine")


def form(**fields: str) -> dict[str, tuple[None, str]]:
    """A multipart body of text fields (httpx sends files= as multipart/form-data)."""
    return {name: (None, value) for name, value in fields.items()}


async def settle(client: httpx.AsyncClient, path: str) -> list[httpx.Response]:
    """GET a job until it is completed or failed (bounded); every answer seen."""
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = await client.get(path)
        seen.append(answer)
        if answer.json().get("status") in ("completed", "failed"):
            return seen
        await asyncio.sleep(0.02)
    raise AssertionError(f"{path} did not finish: {seen[-1].json()}")


# -- vLLM-Omni ---------------------------------------------------------------------------


async def test_vllm_omni(apps: Apps) -> None:
    app = apps("vllm-omni")
    async with http(app) as c:
        models = (await c.get("/v1/models")).json()
        assert [m["id"] for m in models["data"]] == [WAN]
        assert models["data"][0]["owned_by"] == "vllm"

        # JSON reads as an empty form: vLLM's 400 envelope for the missing prompt.
        refused = await c.post("/v1/videos", json={"prompt": "a kite", "model": WAN})
        assert refused.status_code == 400
        error = refused.json()["error"]
        assert (error["type"], error["param"], error["code"]) == ("Bad Request", "body.prompt", 400)

        mismatch = await c.post("/v1/videos", files=form(prompt="a kite", model="sora-2"))
        assert mismatch.status_code == 400
        assert mismatch.json()["error"]["message"] == (
            f"Model mismatch: request specifies 'sora-2' but server is running '{WAN}'."
        )
        bad = await c.post("/v1/videos", files=form(prompt="a kite", num_inference_steps="300"))
        assert bad.status_code == 400
        assert (bad.json()["error"]["type"], bad.json()["error"]["param"]) == (
            "BadRequestError",
            None,
        )
        empty = await c.post("/v1/videos", files=form(prompt="a kite", size="0x0"))
        assert (empty.status_code, empty.json()["error"]["message"]) == (
            400,
            "Invalid size: 0x0. Width and height must be positive integers.",
        )
        assert (
            await c.post("/v1/videos", files=form(prompt="k", seconds="4.5"))
        ).status_code == 400

        made = await c.post(
            "/v1/videos", files=form(prompt="a kite", size="320x192", seconds="1", seed="7")
        )
        job = made.json()
        assert made.status_code == 200 and re.fullmatch(r"video_gen_[0-9a-f]{32}", job["id"])
        assert (job["status"], job["progress"], job["model"], job["quality"]) == (
            "queued",
            0,
            WAN,
            "default",
        )
        assert (job["size"], job["seconds"], job["media_type"]) == ("320x192", "1", "video/mp4")
        # 24.0 fps when not sent; frames and length resolved from seconds (vLLM-Omni 0.30.0).
        assert (job["fps"], job["num_frames"], job["duration_s"]) == (24.0, 24, 1.0)
        seen = await settle(c, f"/v1/videos/{job['id']}")
        done = seen[-1].json()
        assert {a.json()["progress"] for a in seen} <= {0, 100}
        assert done["status"] == "completed" and done["file_name"] == f"{job['id']}.mp4"
        assert (done["duration_s"], done["metrics"]) == (1.0, None)  # metrics only when asked
        asked = await c.post(
            "/v1/videos", files=form(prompt="a kite", seconds="1", return_stage_metrics="true")
        )
        measured = (await settle(c, f"/v1/videos/{asked.json()['id']}"))[-1].json()
        assert set(measured["metrics"]) == {"diffusion_engine_exec_time_ms"}
        assert (await c.get("/version")).json() == {"version": "0.30.0"}
        assert (await c.get("/server_info")).status_code == 404  # SGLang's route, not vLLM's
        # Form-encoded works too; size and seconds left out are null and "4".
        plain = (await c.post("/v1/videos", data={"prompt": "a boat", "seconds": "1"})).json()
        assert (plain["size"], plain["seconds"]) == (None, "1")

        thumb = await c.get(f"/v1/videos/{job['id']}/content", params={"variant": "thumbnail"})
        assert thumb.headers["content-type"] == "video/mp4" and thumb.content[4:8] == MP4

        failed = await c.post("/v1/videos", files=form(prompt="the harbour ghost", seconds="1"))
        answers = await settle(c, f"/v1/videos/{failed.json()['id']}")
        # A failed job's GET is an HTTP error whose body is the job.
        assert answers[-1].status_code == 400
        body = answers[-1].json()
        assert body["object"] == "video" and body["status"] == "failed"
        assert body["error"]["code"] == 400 and body["progress"] == 0
        content = await c.get(f"/v1/videos/{failed.json()['id']}/content")
        assert content.status_code == 422
        assert content.json()["error"]["message"].startswith("Video generation failed.")

        remix = await c.post(f"/v1/videos/{job['id']}/remix", json={"prompt": "again"})
        assert (remix.status_code, remix.json()) == (404, {"detail": "Not Found"})  # FastAPI's

        listed = (await c.get("/v1/videos")).json()
        assert set(listed) == {"object", "data", "first_id", "last_id", "has_more"}
        assert len(listed["data"]) == 4 and listed["has_more"] is False
        page = (await c.get("/v1/videos", params={"limit": 1})).json()
        assert len(page["data"]) == 1 and page["has_more"] is True
        assert (await c.get("/v1/videos", params={"limit": 101})).status_code == 400
        assert (await c.get("/v1/videos", params={"after": "video_gen_" + "0" * 32})).json()[
            "data"
        ] == []

        sync = await c.post("/v1/videos/sync", files=form(prompt="a gull", seconds="1"))
        assert sync.status_code == 200 and sync.content[4:8] == MP4
        assert sync.headers["x-model"] == WAN

        gone = await c.delete(f"/v1/videos/{job['id']}")
        assert gone.json() == {"id": job["id"], "deleted": True, "object": "video.deleted"}
        missing = await c.get(f"/v1/videos/{job['id']}")
        assert missing.status_code == 404
        assert missing.json() == {
            "error": {"message": "Video not found", "type": "Not Found", "param": None, "code": 404}
        }
    # vLLM-Omni keeps jobs in memory: a restarted server has forgotten them.
    async with http(apps("vllm-omni")) as c:
        assert (await c.get(f"/v1/videos/{plain['id']}")).status_code == 404


async def test_vllm_omni_content_before_completion(apps: Apps) -> None:
    app = apps("vllm-omni", time_scale=1, clock=FrozenClock())
    async with http(app) as c:
        made = (await c.post("/v1/videos", files=form(prompt="a kite", seconds="1"))).json()
        early = await c.get(f"/v1/videos/{made['id']}/content")
        assert early.status_code == 404
        assert early.json()["error"]["message"] == "Generation is still in-progress"


# -- SGLang and FastVideo ------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["sglang", "fastvideo"])
async def test_sglang_and_fastvideo(apps: Apps, dialect: str) -> None:
    app = apps(dialect)
    async with http(app) as c:
        made = await c.post(
            "/v1/videos", json={"prompt": "a kite", "size": "320x192", "seconds": 1}
        )
        job = made.json()
        if dialect == "sglang":
            assert re.fullmatch(
                r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", job["id"]
            )
        else:
            assert re.fullmatch(r"[0-9a-f]{32}", job["id"])
        assert job["model"] == WAN  # none sent: the served model
        assert (job["status"], job["quality"], job["size"], job["seconds"]) == (
            "queued",
            "standard",
            "320x192",
            "1",
        )
        seen = await settle(c, f"/v1/videos/{job['id']}")
        if dialect == "fastvideo":
            assert {a.json()["status"] for a in seen} <= {"queued", "completed"}  # no in_progress
            assert {a.json()["progress"] for a in seen} <= {0, 100}
            video = await c.get(
                f"/v1/videos/{job['id']}/content", params={"variant": "spritesheet"}
            )
            assert video.headers["content-type"] == "video/mp4" and video.content[4:8] == MP4
            assert media.probe(video.content).has_audio is False  # Wan makes no sound track
        else:
            # SGLang 0.5.23 numbers its outputs: no variant or "0" is the MP4, names are 404.
            for variant in (None, "0"):
                params = {"variant": variant} if variant else {}
                video = await c.get(f"/v1/videos/{job['id']}/content", params=params)
                assert video.headers["content-type"] == "video/mp4" and video.content[4:8] == MP4
            for variant in ("video", "thumbnail", "1"):
                named = await c.get(f"/v1/videos/{job['id']}/content", params={"variant": variant})
                assert (named.status_code, named.json()) == (
                    404,
                    {"detail": f"Video variant {variant} not found"},
                )

        # Both read 81 frames at 16 fps as 5 seconds. The model sent is echoed.
        frames = await c.post(
            "/v1/videos",
            json={"prompt": "a boat", "size": "320x192", "num_frames": 81, "fps": 16, "model": "x"},
        )
        assert (frames.json()["seconds"], frames.json()["model"]) == ("5", "x")

        urlencoded = await c.post("/v1/videos", data={"prompt": "a kite"})
        assert urlencoded.status_code == 400
        assert urlencoded.json()["detail"].startswith("Invalid request body: 1 validation error")
        no_prompt = await c.post("/v1/videos", files=form(size="320x192"))
        assert no_prompt.json() == {"detail": "prompt is required"}
        typed = await c.post("/v1/videos", files=form(prompt="a kite", seconds="abc"))
        assert typed.status_code == 422
        assert typed.json()["detail"][0]["loc"] == ["body", "seconds"]
        odd = await c.post("/v1/videos", json={"prompt": "a kite", "size": "640x"})
        if dialect == "sglang":
            assert odd.json() == {"detail": "size must be formatted as positive WIDTHxHEIGHT"}
        else:  # FastVideo ignores a size it cannot read
            assert odd.status_code == 200 and odd.json()["size"] == ""

        failed = await c.post("/v1/videos", json={"prompt": "the harbour ghost", "seconds": 1})
        answers = await settle(c, f"/v1/videos/{failed.json()['id']}")
        assert answers[-1].status_code == 200  # a failed job is a 200 here
        assert set(answers[-1].json()["error"]) == {"message"}
        content = await c.get(f"/v1/videos/{failed.json()['id']}/content")
        if dialect == "sglang":
            said = answers[-1].json()["error"]["message"]
            assert said.startswith("Model generation failed. Error from scheduler: "), said
            assert answers[-1].json()["file_path"] is None
            assert (content.status_code, content.json()) == (
                404,
                {"detail": "Video variant None not found"},
            )
        else:
            assert (content.status_code, content.json()) == (
                500,
                {"detail": "Video generation failed"},
            )

        listed = (await c.get("/v1/videos")).json()
        info = await c.get("/server_info")
        if dialect == "sglang":
            assert (info.status_code, info.json()["version"]) == (200, "0.5.23")
        else:
            assert info.status_code == 404
        limit = await c.get("/v1/videos", params={"limit": 0})
        assert limit.status_code == 422 and isinstance(limit.json()["detail"], list)
        order = await c.get("/v1/videos", params={"order": "sideways"})
        if dialect == "sglang":
            assert set(listed) == {"data", "object", "first_id", "last_id", "has_more"}
            assert listed["first_id"] == listed["data"][0]["id"] and not listed["has_more"]
            assert order.status_code == 422 and isinstance(order.json()["detail"], list)
        else:
            assert set(listed) == {"data", "object"}
            assert order.status_code == 200
        remix = await c.post(f"/v1/videos/{job['id']}/remix", json={"prompt": "again"})
        assert remix.status_code == 404 and remix.json() == {"detail": "Not Found"}

        deleted = await c.delete(f"/v1/videos/{job['id']}")
        assert deleted.status_code == 200
        assert deleted.json()["status"] == "deleted" and deleted.json()["id"] == job["id"]
        assert (await c.get(f"/v1/videos/{job['id']}")).json() == {"detail": "Video not found"}
    async with http(apps(dialect)) as c:
        assert (await c.get(f"/v1/videos/{frames.json()['id']}")).status_code == 404


async def test_fastvideo_echoes_what_a_json_create_left_out_and_checks_no_ranges(
    apps: Apps,
) -> None:
    async with http(apps("fastvideo")) as c:
        bare = (await c.post("/v1/videos", json={"prompt": "a kite"})).json()
        odd = (await c.post("/v1/videos", json={"prompt": "a kite", "size": "wide"})).json()
        counted = (await c.post("/v1/videos", json={"prompt": "a kite", "num_frames": 33})).json()
        card = (await c.get("/v1/models")).json()["data"][0]
        health = await c.get("/health")
        sized = (
            await c.post("/v1/videos", json={"prompt": "a kite", "size": "320x192", "seconds": 1})
        ).json()
        queued = [
            await c.post("/v1/videos", json={"prompt": "a kite", **knob})
            for knob in (
                {"num_inference_steps": 0},
                {"num_inference_steps": 500},
                {"guidance_scale": 50},
            )
        ]
        failed = await c.post("/v1/videos", json={"prompt": "the harbour ghost", "seconds": 1})
        answers = await settle(c, f"/v1/videos/{failed.json()['id']}")
    assert (bare["size"], bare["seconds"]) == ("", "0")
    assert (odd["size"], odd["seconds"]) == ("", "0")
    # Frames over the rate, 24 fps when none is sent (FastVideo 0.2.1: 33 frames read "1").
    assert (counted["size"], counted["seconds"]) == ("", "1")
    assert (sized["size"], sized["seconds"]) == ("320x192", "1")
    assert [(a.status_code, a.json()["status"]) for a in queued] == [(200, "queued")] * 3
    assert answers[-1].json()["status"] == "failed" and answers[-1].json()["progress"] == 0
    assert (card["owned_by"], card["version"]) == ("fastvideo", "0.2.1")
    assert "parent" not in card
    assert (health.status_code, health.json()) == (200, {"status": "ok"})


async def test_fastvideo_multipart_always_sends_seconds_and_seed(apps: Apps) -> None:
    app = apps("fastvideo")
    async with http(app) as c:
        made = (await c.post("/v1/videos", files=form(prompt="a kite", size="320x192"))).json()
    assert made["seconds"] == "4"
    assert app.state.server.store.get(made["id"]).options.seed == 1024


async def test_sglang_reports_progress_step_by_step_and_a_failed_job_keeps_it(
    apps: Apps,
) -> None:
    clock = FrozenClock()
    app = apps("sglang", time_scale=1, clock=clock)
    async with http(app) as c:
        made = (await c.post("/v1/videos", json={"prompt": "a kite", "seconds": 1})).json()
        early = await c.get(f"/v1/videos/{made['id']}/content")
        assert (early.status_code, early.json()) == (
            404,
            {"detail": "Generation is still in-progress"},
        )
        blocked = await c.post("/v1/videos", json={"prompt": "harbour ghost", "seconds": 1})
        seen: list[tuple[str, int]] = []
        last_blocked: list[tuple[str, int]] = []
        for _ in range(40):
            clock.advance(0.1)
            await asyncio.to_thread(app.state.server.store.wait_idle, 60)
            job = (await c.get(f"/v1/videos/{made['id']}")).json()
            seen.append((job["status"], job["progress"]))
            other = (await c.get(f"/v1/videos/{blocked.json()['id']}")).json()
            last_blocked.append((other["status"], other["progress"]))
            if job["status"] == "completed" and other["status"] == "failed":
                break
    running = [p for status, p in seen if status == "in_progress"]
    assert len(running) >= 2 and running == sorted(running) and 0 < running[-1] <= 99, seen
    assert seen[-1] == ("completed", 100)
    # The failed job reads as it last stood, not 100.
    before = [p for status, p in last_blocked if status == "in_progress"]
    assert last_blocked[-1] == ("failed", before[-1]), last_blocked


async def test_sglang_checks_no_ranges_but_refuses_zero_steps(apps: Apps) -> None:
    async with http(apps("sglang")) as c:
        many = await c.post(
            "/v1/videos",
            json={"prompt": "a kite", "num_inference_steps": 500, "guidance_scale": 50},
        )
        zero = await c.post("/v1/videos", json={"prompt": "a kite", "num_inference_steps": 0})
    assert many.status_code == 200 and many.json()["status"] == "queued"
    assert (zero.status_code, zero.json()) == (
        400,
        {"detail": "num_inference_steps must be positive"},
    )


# -- LiteLLM -------------------------------------------------------------------------------


def _decoded(video_id: str) -> str:
    body = video_id[len("video_") :]
    return base64.b64decode(body + "=" * (-len(body) % 4)).decode()


async def test_litellm(apps: Apps) -> None:
    app = apps("litellm")
    async with http(app) as c:
        made = await c.post("/v1/videos", json={"prompt": "a kite", "size": "720x1280"})
        job = made.json()
        assert made.status_code == 200 and job["id"].startswith("video_")
        decoded = _decoded(job["id"])
        assert re.fullmatch(
            r"litellm:custom_llm_provider:openai;model_id:sora-2;video_id:video_[0-9a-f]{32}",
            decoded,
        )
        assert "prompt" not in job and job["usage"] == {"duration_seconds": 4.0}
        # The same routes answer without /v1.
        seen = await settle(c, f"/videos/{job['id']}")
        assert seen[-1].json()["status"] == "completed"
        content = await c.get(f"/v1/videos/{job['id']}/content", params={"variant": "thumbnail"})
        assert content.headers["content-type"] == "video/mp4" and content.content[4:8] == MP4
        assert content.headers["content-disposition"] == (
            f"attachment; filename=video_{job['id']}.mp4"
        )
        deleted = await c.delete(f"/v1/videos/{job['id']}")
        assert (deleted.status_code, deleted.json()) == (405, {"detail": "Method Not Allowed"})
        listed = (await c.get("/v1/videos")).json()
        assert listed["data"][0]["id"] == job["id"]
        assert listed["first_id"] == decoded.rsplit("video_id:", 1)[1]  # left raw
        unknown = await c.post("/v1/videos", json={"prompt": "a kite", "model": "veo-3"})
        assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "400"
        remix = (await c.post(f"/v1/videos/{job['id']}/remix", json={"prompt": "at night"})).json()
        assert remix["remixed_from_video_id"] == job["id"]
        missing = await c.get("/v1/videos/video_" + "0" * 32)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "404"
    # The deployment behind the proxy keeps its jobs across a proxy restart.
    async with http(apps("litellm")) as c:
        assert (await c.get(f"/v1/videos/{job['id']}")).status_code == 200


async def test_openai_dialect_has_no_knobs(apps: Apps) -> None:
    async with http(apps("openai")) as c:
        refused = await c.post("/v1/videos", json={"prompt": "a kite", "seed": 7})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "Unknown parameter: 'seed'."


def test_served_with_a_dialect_in_a_process(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "sora_nb.server", "--dialect", "vllm-omni", "--port", "0"),
            *("--media", str(tmp_path / "media"), "--time-scale", "0"),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stderr is not None
        base_url, said = None, []
        deadline = time.monotonic() + 60
        while base_url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            said.append(line)
            if not line and process.poll() is not None:
                break
            found = re.search(r"running on (http://127\.0\.0\.1:\d+)", line)
            if found:
                base_url = found.group(1)
        assert base_url is not None, said
        assert any("answering as vllm-omni" in line for line in said)
        assert httpx.get(f"{base_url}/v1/models").json()["data"][0]["id"] == WAN
        refused = httpx.post(f"{base_url}/v1/videos", json={"prompt": "a kite"})
        assert refused.status_code == 400 and refused.json()["error"]["param"] == "body.prompt"
    finally:
        process.terminate()
        process.wait(20)
