"""the bundled server's endpoints through the real VideosClient, in-process and over a socket.

Every answer passes through ``SpecChecked``, which validates it against the Videos API contract.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from sora_nb.api import errors
from sora_nb.api.types import ImageRef
from tests.server.conftest import MakeApp, client_for, raw_client
from tests.server.helpers import JPEG, FrozenClock, data_url, image


def _magic(path: Path, variant: str) -> bool:
    head = path.read_bytes()[:16]
    if variant == "video":
        return head[4:8] == b"ftyp"
    if variant == "thumbnail":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return head[:3] == JPEG


@pytest.mark.parametrize("over_socket", [False, True], ids=["in-process", "loopback"])
async def test_a_job_goes_from_create_to_downloads(
    app: Starlette, served: Callable[[Starlette], Any], tmp_path: Path, over_socket: bool
) -> None:
    async def run(client: Any) -> None:
        created = await client.create(
            prompt="A paper boat drifts down a rain gutter",
            model="sora-2",
            seconds=4,
            size="1280x720",
        )
        assert (created.status, created.progress, created.seconds) == ("queued", 0, "4")
        seen: list[str] = []
        done = await client.wait(created.id, on_progress=lambda v: seen.append(v.status))
        assert done.status == "completed" and done.progress == 100
        assert done.completed_at is not None and done.completed_at >= done.created_at
        assert seen[-1] == "completed"
        for variant in ("video", "thumbnail", "spritesheet"):
            path = await client.download(done, tmp_path / variant, variant=variant)
            assert _magic(path, variant), variant

    if over_socket:
        with served(app) as base_url:
            async with client_for(base_url=base_url) as client:
                await run(client)
    else:
        async with client_for(app) as client:
            await run(client)


async def test_status_rises_from_queued_through_progress_on_the_time_scale(
    make_app: MakeApp,
) -> None:
    clock = FrozenClock()
    app = make_app(time_scale=1.0, clock=clock)
    async with raw_client(app) as http:
        created = await http.post("/videos", json={"prompt": "a lighthouse", "seconds": "8"})
        video_id = created.json()["id"]
        assert created.json()["status"] == "queued"
        assert int(created.headers["openai-poll-after-ms"]) > 0

        async def state() -> tuple[str, int]:
            body = (await http.get(f"/videos/{video_id}")).json()
            return body["status"], body["progress"]

        assert await state() == ("queued", 0)
        clock.advance(2)
        status, early = await state()
        assert status == "in_progress" and 0 < early < 100
        not_ready = await http.get(f"/videos/{video_id}/content")
        assert not_ready.status_code == 404
        assert "not ready" in not_ready.json()["error"]["message"]
        clock.advance(4)
        status, later = await state()
        assert status == "in_progress" and later > early
        await asyncio.to_thread(app.state.server.store.wait_idle, 60)
        clock.advance(2.1)
        final = (await http.get(f"/videos/{video_id}")).json()
        assert final["status"] == "completed"
        assert "openai-poll-after-ms" not in (await http.get(f"/videos/{video_id}")).headers
        assert (await http.get(f"/videos/{video_id}/content")).status_code == 200


async def test_content_before_completion_is_a_clear_not_ready_error(
    make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app(render=False, time_scale=1.0, clock=FrozenClock())
    async with client_for(app) as client:
        video = await client.create(prompt="a slow sunrise", model="sora-2", seconds=4)
        with pytest.raises(errors.NotReadyError, match="not ready") as caught:
            await client.download(video, tmp_path / "early.mp4")
        assert caught.value.status_code == 404
        assert not (tmp_path / "early.mp4").exists()


async def test_reference_image_as_upload_and_as_data_url(client: Any, tmp_path: Path) -> None:
    png = tmp_path / "first.png"
    png.write_bytes(image("720x1280"))
    uploaded = await client.create(
        prompt="the scene comes alive", model="sora-2", size="720x1280", input_reference=png
    )
    as_url = await client.create(
        prompt="the scene comes alive",
        model="sora-2",
        size="1280x720",
        input_reference=ImageRef(image_url=data_url(image("1280x720", "WEBP"), "image/webp")),
    )
    for video in (uploaded, as_url):
        assert (await client.wait(video)).status == "completed"


async def test_list_pages_with_cursors_in_both_orders(make_app: MakeApp) -> None:
    app = make_app(render=False, time_scale=100, clock=FrozenClock())
    async with client_for(app) as client:
        made = [(await client.create(prompt=f"shot {n}")).id for n in range(5)]
        page = await client.list_page(limit=2)
        assert [v.id for v in page.data] == made[::-1][:2]
        assert page.has_more and page.first_id == made[4] and page.last_id == made[3]
        newest_first = [v.id async for v in client.list(page_size=2)]
        assert newest_first == made[::-1]
        oldest_first = [v.id async for v in client.list(order="asc", page_size=3)]
        assert oldest_first == made
        after = await client.list_page(after=made[1], order="asc")
        assert [v.id for v in after.data] == made[2:] and not after.has_more
        empty = await client.list_page(limit=0)
        assert empty.data == [] and empty.has_more and empty.first_id is None


async def test_remix_of_a_completed_video_records_its_source(client: Any) -> None:
    source = await client.wait(await client.create(prompt="a red kite over dunes"))
    remix = await client.remix(source, prompt="same shot, switch to 85 mm")
    assert remix.remixed_from_video_id == source.id
    assert (remix.model, remix.size, remix.seconds) == (source.model, source.size, source.seconds)
    done = await client.wait(remix)
    assert done.status == "completed" and done.remixed_from_video_id == source.id


async def test_remix_needs_a_completed_source(make_app: MakeApp) -> None:
    app = make_app(render=False, time_scale=100, clock=FrozenClock())
    async with client_for(app) as client:
        running = await client.create(prompt="still rendering")
        with pytest.raises(errors.BadRequestError, match="only a completed video") as caught:
            await client.remix(running, prompt="again")
        assert caught.value.param == "video_id"
        with pytest.raises(errors.NotFoundError):
            await client.remix("video_" + "0" * 32, prompt="again")


async def test_delete_removes_the_job_and_its_files(client: Any, app: Starlette) -> None:
    video = await client.wait(await client.create(prompt="a glass of water on a table"))
    folder = app.state.server.store.root / video.id
    assert (folder / "video.mp4").is_file()
    deleted = await client.delete(video)
    assert (deleted.deleted, deleted.id) == (True, video.id)
    assert not folder.exists()
    with pytest.raises(errors.NotFoundError, match="not found"):
        await client.retrieve(video.id)
    assert video.id not in [v.id async for v in client.list()]


async def test_delete_refuses_a_running_job(make_app: MakeApp) -> None:
    app = make_app(render=False, time_scale=100, clock=FrozenClock())
    async with client_for(app) as client:
        running = await client.create(prompt="not yet")
        with pytest.raises(errors.BadRequestError, match="only completed or failed"):
            await client.delete(running)


async def test_unknown_ids_and_urls_answer_404_in_the_envelope(quiet_app: Starlette) -> None:
    async with client_for(quiet_app) as client:
        with pytest.raises(errors.NotFoundError, match="video_nope"):
            await client.retrieve("video_nope")
    async with raw_client(quiet_app) as http:
        stray = await http.get("/nothing-here")
        assert stray.status_code == 404 and "base URL" in stray.json()["error"]["message"]


async def test_models_lists_the_catalog(quiet_app: Starlette) -> None:
    async with raw_client(quiet_app) as http:
        models = (await http.get("/models")).json()
        names = [m["id"] for m in models["data"]]
        assert {"sora-2", "sora-2-pro"} <= set(names)
        assert (await http.get("/models/sora-2-pro")).json()["id"] == "sora-2-pro"
        assert (await http.get("/models/veo-9")).status_code == 404


async def test_a_repeated_idempotency_key_returns_the_same_job(quiet_app: Starlette) -> None:
    app = quiet_app
    async with client_for(app) as client:
        first = await client.create(prompt="one job only", idempotency_key="key-1")
        again = await client.create(prompt="one job only", idempotency_key="key-1")
        other = await client.create(prompt="one job only", idempotency_key="key-2")
    assert again.id == first.id != other.id
    assert app.state.server.stats.jobs_created == 2
    assert app.state.server.stats.idempotent_replays == 1


async def test_re_rolls_render_as_new_takes(client: Any, app: Starlette) -> None:
    ids = [(await client.create(prompt="the same request")).id for _ in range(2)]
    for video_id in ids:
        await client.wait(video_id)
    store = app.state.server.store
    assert [store.get(i).take for i in ids] == [1, 2]
    videos = [(store.root / i / "video.mp4").read_bytes() for i in ids]
    assert videos[0] != videos[1]


async def test_a_new_app_over_the_same_folder_finishes_an_interrupted_job(
    make_app: MakeApp,
) -> None:
    class ProcessDied(BaseException):
        """Stands for the kernel dying mid-render (not an error the job could record)."""

    def dying(*_args: Any) -> Any:
        raise ProcessDied

    first = make_app(renderer=dying)
    async with client_for(first) as client:
        video = await client.create(prompt="survives a restart")
    first.state.server.close()
    async with client_for(first) as client:
        assert (await client.retrieve(video.id)).status == "in_progress"

    second = make_app()
    async with client_for(second) as client:
        done = await client.wait(video.id)
    assert done.status == "completed" and done.prompt == "survives a restart"


async def test_content_expires_when_the_server_sets_a_lifetime(make_app: MakeApp) -> None:
    clock = FrozenClock()
    app = make_app(content_ttl=3600, clock=clock)
    async with client_for(app) as client:
        video = await client.create(prompt="a kettle coming to the boil")
        await asyncio.to_thread(app.state.server.store.wait_idle, 60)
        done = await client.retrieve(video.id)
        assert done.status == "completed" and done.completed_at is not None
        assert done.expires_at == done.completed_at + 3600
        clock.advance(3601)
        with pytest.raises(errors.NotReadyError, match="expired"):
            await client.download(done, make_app.root.parent / "late.mp4")
