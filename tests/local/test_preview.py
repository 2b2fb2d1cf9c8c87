"""Live previews: the bundled server's preview of a job while it renders (an open model's
projected latent, the animatic's storyboard frame), and the one line where a server has none."""

from __future__ import annotations

import dataclasses
import io
import itertools
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from starlette.applications import Starlette

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy
from sora_nb.catalog.options import Options
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.runner import Runner
from sora_nb.runs.take import Take
from sora_nb.server import ServerSettings, create_app
from sora_nb.server.renderers.animatic.renderer import AnimaticRenderer
from sora_nb.server.renderers.base import Abilities, RenderControl, RenderRequest
from sora_nb.server.renderers.diffusers import DiffusersOptions, open_renderer
from sora_nb.server.renderers.diffusers.tiny import TinyKind
from sora_nb.server.renderers.preview_slot import PREVIEW_SIDE
from tests.local.helpers import client, finish, wait_for

PROMPT = "a red kite over the sea at sunset"
FAST_POLL = PollPolicy(floor=0.02, ceiling=0.05, min_hint=0.01)


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return np.asarray(image.convert("RGB"), dtype=np.float64)


@pytest.mark.parametrize(
    ("kind", "size", "shape"),
    [
        # Wan: latents (batch, 16-ish channels, frames, height, width).
        ("wan", (112, 64), (146, PREVIEW_SIDE, 3)),
        # LTX-2: latents packed one token per latent pixel, (batch, tokens, channels).
        ("ltx2", (64, 32), (128, PREVIEW_SIDE, 3)),
    ],
)
def test_the_preview_changes_between_steps_of_a_tiny_model(
    tiny: Callable[[TinyKind], Path],
    tmp_path: Path,
    kind: TinyKind,
    size: tuple[int, int],
    shape: tuple[int, int, int],
) -> None:
    renderer = open_renderer(DiffusersOptions(model=str(tiny(kind))))
    assert renderer.abilities.previews
    seen: list[tuple[int, bytes]] = []

    def look(control: RenderControl) -> None:
        # What a client asking after each step would get (once a step: later reports of the
        # last step, decoding and encoding, offer nothing new).
        data = control.preview.image()
        if data is not None and (not seen or seen[-1][0] != control.steps_done):
            seen.append((control.steps_done, data))

    width, height = size
    request = RenderRequest(
        prompt=PROMPT,
        width=width,
        height=height,
        seconds=1,
        model=f"{kind}-tiny",
        options=Options(steps=6),
    )
    renderer.render(request, tmp_path / "out", RenderControl(on_report=look))
    steps = [step for step, _ in seen]
    assert steps == [1, 2, 3, 4, 5, 6], steps  # one preview per step, from the first
    pictures = [_pixels(data) for _, data in seen]
    # The middle frame at the video's shape, PREVIEW_SIDE px along its longest side.
    assert {p.shape for p in pictures} == {shape}
    changes = [float(np.abs(b - a).mean()) for a, b in itertools.pairwise(pictures)]
    assert all(change > 0.01 for change in changes), changes


async def test_a_client_sees_the_preview_while_it_renders_and_after(
    local_app: Callable[..., Starlette],
) -> None:
    app = local_app("wan")
    async with client(app) as http:
        card = (await http.get("/models")).json()["data"][0]
        assert card["previews"] is True
        made = await http.post(
            "/videos",
            json={"prompt": PROMPT, "size": "112x64", "seconds": "1", "num_inference_steps": 200},
        )
        video_id = made.json()["id"]
        previews: list[bytes] = []

        async def rendering_with_preview() -> bool:
            answer = await http.get(f"/videos/{video_id}/content", params={"variant": "preview"})
            status = (await http.get(f"/videos/{video_id}")).json()["status"]
            if answer.status_code == 200 and status == "in_progress":
                assert answer.headers["content-type"] == "image/jpeg"
                if not previews or previews[-1] != answer.content:
                    previews.append(answer.content)
            return len(previews) >= 2

        await wait_for(rendering_with_preview, "two different previews while in progress")
        done = await finish(http, video_id)
        kept = await http.get(f"/videos/{video_id}/content", params={"variant": "preview"})
    assert done["status"] == "completed"
    assert kept.status_code == 200 and _pixels(kept.content).shape[1] == PREVIEW_SIDE


class _NoPreviews(AnimaticRenderer):
    """A renderer that makes no previews (as a model whose VAE the projection cannot call)."""

    @property
    def abilities(self) -> Abilities:
        return dataclasses.replace(super().abilities, previews=False)


async def test_a_server_with_no_previews_says_so_in_one_line(tmp_path: Path) -> None:
    app = create_app(
        ServerSettings(media_dir=tmp_path / "server", time_scale=0, renderer=_NoPreviews())
    )
    try:
        async with client(app) as http:
            card = (await http.get("/models")).json()["data"][0]
            made = await http.post("/videos", json={"prompt": PROMPT})
            answer = await http.get(
                f"/videos/{made.json()['id']}/content", params={"variant": "preview"}
            )
            await finish(http, made.json()["id"])
    finally:
        app.state.server.close()
    assert "previews" not in card
    error = answer.json()["error"]
    assert answer.status_code == 400 and error["param"] == "variant"
    assert error["message"] == (
        "This server's animatic renderer makes no live previews of its models; ask for "
        "variant=video once the job has completed."
    )


async def test_the_animatics_preview_is_its_storyboard_frame(tmp_path: Path) -> None:
    app = create_app(ServerSettings(media_dir=tmp_path / "server", time_scale=3.0))
    try:
        async with client(app) as http:
            made = await http.post(
                "/videos", json={"prompt": PROMPT, "size": "1280x720", "seconds": "4"}
            )
            video_id = made.json()["id"]
            got: list[bytes] = []

            async def preview_while_running() -> bool:
                answer = await http.get(
                    f"/videos/{video_id}/content", params={"variant": "preview"}
                )
                status = (await http.get(f"/videos/{video_id}")).json()["status"]
                if answer.status_code == 200 and status in ("queued", "in_progress"):
                    got.append(answer.content)
                return bool(got)

            await wait_for(preview_while_running, "the storyboard frame before completion")
            done = await finish(http, video_id)
            thumbnail = await http.get(
                f"/videos/{video_id}/content", params={"variant": "thumbnail"}
            )
    finally:
        app.state.server.close()
    assert done["status"] == "completed"
    with Image.open(io.BytesIO(thumbnail.content)) as image:
        still = np.asarray(image.convert("RGB").resize((PREVIEW_SIDE, 144)), dtype=np.float64)
    # The same picture as the thumbnail's still, at preview size (JPEG's losses aside).
    assert float(np.abs(_pixels(got[0]) - still).mean()) < 6


async def test_a_running_take_follows_its_preview_then_gets_its_video(
    local_app: Callable[..., Starlette], tmp_path: Path
) -> None:
    app = local_app("wan")
    request = VideoRequest(
        prompt=PROMPT, model="wan-tiny", size="112x64", seconds=1, steps=150, num_frames=9
    )
    seen: list[tuple[str, bytes]] = []

    def note(take: Take) -> None:
        if take.preview is not None and (not seen or seen[-1][1] != take.preview):
            seen.append((take.status, take.preview))

    async with VideosClient(transport=httpx.ASGITransport(app=app), poll=FAST_POLL) as videos:
        runner = Runner(videos, Ledger(tmp_path / "media"), server="local")
        (take,) = await runner.run([request], on_update=note)
    assert take.status == "completed" and take.path("video").is_file()
    # Several different previews, each seen while the take was rendering.
    assert len(seen) >= 2, seen
    assert {status for status, _ in seen} == {"in_progress"}


async def test_asking_a_server_without_previews_is_refused_before_sending(tmp_path: Path) -> None:
    # vLLM-Omni (here its imitation) makes no previews: the client says so and sends nothing.
    app = create_app(ServerSettings(media_dir=tmp_path / "server", dialect="vllm-omni"))
    sent: list[str] = []
    inner = httpx.ASGITransport(app=app)

    class Spy(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(f"{request.method} {request.url.path}")
            return await inner.handle_async_request(request)

    try:
        async with VideosClient(transport=Spy()) as videos:
            with pytest.raises(errors.UnsupportedError) as caught:
                await videos.preview("video_0123")
    finally:
        app.state.server.close()
    assert str(caught.value) == (
        "Not sent: The vLLM-Omni makes no live previews; wait for the video instead (previews "
        "come from sora_nb's bundled server with the animatic or an open model whose latents "
        "it can project)."
    )
    assert not any("content" in line for line in sent), sent
