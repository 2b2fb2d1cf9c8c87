"""The SGLang imitation (``python -m sora_nb.server --dialect sglang``) answers as SGLang 0.5.23's
own server does: each test here runs the same raw-HTTP assertions against both, the imitation
in-process and the real server with its workers stubbed (``tests/engines/conftest.py``).

Both fail a prompt holding ``shattered`` the way a crashed pipeline does (the imitation's
renderer, the stub's worker), so their failed jobs can be compared too.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.engines.conftest import WAN, Engine
from tests.imitations import imitation

pytestmark = pytest.mark.timeout(3000)  # a first run builds SGLang's env (conftest)

MP4 = b"ftyp"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
SMALL = {"size": "320x192", "seconds": 1, "num_inference_steps": 2}
FAILED_PREFIX = "Model generation failed. Error from scheduler: "


@dataclass(frozen=True)
class Target:
    """Where one SGLang answers: the imitation in this process, or the real server."""

    name: str
    transport: httpx.AsyncBaseTransport | None
    root: str  # the URL before /v1

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport, base_url=self.root, timeout=30)


@pytest.fixture(params=["imitation", "sglang"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param == "sglang":
        engine: Engine = request.getfixturevalue("sglang")
        yield Target("sglang", None, engine.base_url.removesuffix("/v1"))
        return
    server = imitation("sglang", tmp_path / "imitation")
    try:
        yield Target("imitation", httpx.ASGITransport(app=server.app), "http://engine.test")
    finally:
        server.close()


@pytest.fixture
async def http(target: Target) -> AsyncIterator[httpx.AsyncClient]:
    async with target.client() as client:
        yield client


async def settle(http: httpx.AsyncClient, job_id: str) -> list[dict[str, Any]]:
    """GET the job until it is completed or failed (bounded); every body seen."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while not seen or seen[-1]["status"] not in ("completed", "failed"):
        assert time.monotonic() < deadline, f"{job_id} did not finish in 60 s: {seen[-1:]}"
        answer = await http.get(f"/v1/videos/{job_id}")
        assert answer.status_code == 200, answer.text
        seen.append(answer.json())
        await asyncio.sleep(0.02)
    return seen


async def test_its_card_version_and_a_jobs_fields(target: Target, http: httpx.AsyncClient) -> None:
    models = (await http.get("/v1/models")).json()
    [card] = models["data"]
    assert (card["id"], card["owned_by"], card["object"]) == (WAN, "sglang", "model")
    # The imitation names the version it imitates on its card; SGLang names its own only at
    # /server_info (both answer that the same).
    assert card.get("version") == ("0.5.23" if target.name == "imitation" else None)
    info = await http.get("/server_info")
    assert (info.status_code, info.json()["version"]) == (200, "0.5.23")

    made = await http.post("/v1/videos", json={"prompt": "a kite", **SMALL})
    job = made.json()
    assert made.status_code == 200 and re.fullmatch(UUID, job["id"])
    assert (job["object"], job["status"], job["progress"]) == ("video", "queued", 0)
    assert job["model"] == WAN  # none sent: the served model
    assert (job["size"], job["seconds"]) == ("320x192", "1")
    for field in ("urls", "revised_prompt", "lidar", "file_path", "peak_memory_mb"):
        assert field in job, field
    named = await http.post("/v1/videos", json={"prompt": "a kite", "model": "x", **SMALL})
    assert named.json()["model"] == "x"  # the request's model, echoed

    done = (await settle(http, job["id"]))[-1]
    assert (done["status"], done["progress"], done["error"]) == ("completed", 100, None)
    assert done["file_path"] and done["completed_at"] >= done["created_at"]
    assert done["urls"] == [None]  # one output, not uploaded anywhere
    # The variant is an output index: none or 0 is the MP4; a name or another index is 404.
    for params in ({}, {"variant": "0"}):
        video = await http.get(f"/v1/videos/{job['id']}/content", params=params)
        assert video.status_code == 200 and video.content[4:8] == MP4
        assert video.headers["content-type"] == "video/mp4"
    for variant in ("video", "thumbnail", "1"):
        other = await http.get(f"/v1/videos/{job['id']}/content", params={"variant": variant})
        assert (other.status_code, other.json()) == (
            404,
            {"detail": f"Video variant {variant} not found"},
        )
    await settle(http, named.json()["id"])


async def test_a_failed_job_keeps_its_progress_and_the_schedulers_words(
    http: httpx.AsyncClient,
) -> None:
    made = await http.post("/v1/videos", json={"prompt": "A shattered kite.", **SMALL})
    seen = await settle(http, made.json()["id"])
    failed = seen[-1]
    assert failed["status"] == "failed" and failed["file_path"] is None
    said = failed["error"]["message"]
    assert said.startswith(FAILED_PREFIX) and "an illegal memory access" in said, said
    assert set(failed["error"]) == {"message"}
    # It keeps the progress it had reached: never 100, never below what a client saw.
    running = [body["progress"] for body in seen if body["status"] == "in_progress"]
    assert failed["progress"] < 100 and failed["progress"] >= max(running, default=0)
    content = await http.get(f"/v1/videos/{made.json()['id']}/content")
    assert (content.status_code, content.json()) == (
        404,
        {"detail": "Video variant None not found"},
    )


async def test_lists_page_with_cursors_twenty_by_default(http: httpx.AsyncClient) -> None:
    have = len((await http.get("/v1/videos", params={"limit": 100})).json()["data"])
    made = [
        (await http.post("/v1/videos", json={"prompt": f"kite {n}", **SMALL})).json()["id"]
        for n in range(max(0, 21 - have))
    ]
    page = (await http.get("/v1/videos")).json()
    assert set(page) == {"data", "object", "first_id", "last_id", "has_more"}
    assert (page["object"], len(page["data"]), page["has_more"]) == ("list", 20, True)
    assert (page["first_id"], page["last_id"]) == (page["data"][0]["id"], page["data"][-1]["id"])
    stamps = [video["created_at"] for video in page["data"]]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    after = (await http.get("/v1/videos", params={"after": page["last_id"], "limit": 100})).json()
    assert not {v["id"] for v in after["data"]} & {v["id"] for v in page["data"]}
    assert after["has_more"] is False
    for params in ({"order": "sideways"}, {"limit": 0}, {"limit": 101}):
        refused = await http.get("/v1/videos", params=params)
        [problem] = refused.json()["detail"]
        assert refused.status_code == 422 and problem["loc"] == ["query", next(iter(params))]
    for job_id in made:
        await settle(http, job_id)


async def test_ranges_are_not_checked_but_counts_must_be_positive(
    http: httpx.AsyncClient,
) -> None:
    zero = await http.post("/v1/videos", json={"prompt": "a kite", "num_inference_steps": 0})
    positive = {"detail": "num_inference_steps must be positive"}
    assert (zero.status_code, zero.json()) == (400, positive)
    loud = {**SMALL, "guidance_scale": 50, "num_inference_steps": 1}
    queued = await http.post("/v1/videos", json={"prompt": "a kite", **loud})
    assert (queued.status_code, queued.json()["status"]) == (200, "queued")
    await settle(http, queued.json()["id"])


async def test_delete_forgets_and_unknown_jobs_are_404(http: httpx.AsyncClient) -> None:
    made = (await http.post("/v1/videos", json={"prompt": "a kite", **SMALL})).json()
    await settle(http, made["id"])
    gone = await http.delete(f"/v1/videos/{made['id']}")
    assert gone.status_code == 200
    assert (gone.json()["id"], gone.json()["status"]) == (made["id"], "deleted")
    for path in (f"/v1/videos/{made['id']}", f"/v1/videos/{made['id']}/content"):
        answer = await http.get(path)
        assert (answer.status_code, answer.json()) == (404, {"detail": "Video not found"})
    again = await http.delete(f"/v1/videos/{made['id']}")
    assert (again.status_code, again.json()) == (404, {"detail": "Video not found"})
    remix = await http.post(f"/v1/videos/{made['id']}/remix", json={"prompt": "again"})
    assert (remix.status_code, remix.json()) == (404, {"detail": "Not Found"})
