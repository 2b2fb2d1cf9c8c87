"""sora_nb's client against the vLLM-Omni imitation with a first and a last frame, and with a
source video: the imitation reads the bodies sora_nb sends (``image_reference`` data URLs, a
video ``input_reference``) as vLLM-Omni does, and its renderer gets them; the job keeps them.
(``tests/engines/test_vllm_omni_parity.py`` holds the imitation to the real server.)"""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy
from sora_nb.server.renderers.base import RenderControl, RenderRequest, RenderResult
from tests.imitations import FilteredAnimatic, imitation
from tests.research.clips import write_clip

FAST = PollPolicy(floor=0.01, ceiling=0.05, random=lambda: 0.0)


class RecordingAnimatic(FilteredAnimatic):
    """The animatic, keeping each render request it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.rendered: list[RenderRequest] = []

    def render(self, request: RenderRequest, out_dir: Path, control: RenderControl) -> RenderResult:
        self.rendered.append(request)
        return super().render(request, out_dir, control)


def _colour(data: bytes | None) -> tuple[int, int, int, int, int] | None:
    """(width, height, mean r, g, b) of an image's bytes."""
    if data is None:
        return None
    with Image.open(io.BytesIO(data)) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64).reshape(-1, 3)
        r, g, b = (round(v) for v in pixels.mean(axis=0))
        return (image.width, image.height, r, g, b)


async def test_frames_and_a_source_video_reach_the_renderer_and_stay_with_the_job(
    tmp_path: Path,
) -> None:
    first, last = tmp_path / "first.png", tmp_path / "last.png"
    Image.new("RGB", (832, 480), (200, 30, 30)).save(first)
    Image.new("RGB", (832, 480), (20, 30, 230)).save(last)
    frame = np.full((240, 416, 3), (40, 160, 90), dtype=np.uint8)
    clip = write_clip(tmp_path / "source.mp4", lambda _i: frame, 12, fps=16)
    renderer = RecordingAnimatic()
    server = imitation("vllm-omni", tmp_path / "imitation", renderer=renderer)
    transport = httpx.ASGITransport(app=server.app)
    # The catalog knows the served Wan T2V takes no image: its check is off, as for an FLF2V.
    client = VideosClient(api_key="k", transport=transport, poll=FAST, check_requests=False)
    try:
        async with client:
            made = await client.create(
                prompt="A kite.", size="832x480", input_reference=first, last_image=last, seed=2
            )
            framed = await client.wait(made.id)
            sourced = await client.wait(
                (await client.create(prompt="A kite.", size="832x480", video=clip)).id
            )
    finally:
        server.close()
    assert (framed.status, sourced.status) == ("completed", "completed")
    with_frames, with_video = renderer.rendered
    assert _colour(with_frames.reference) == (832, 480, 200, 30, 30)
    assert _colour(with_frames.last_image) == (832, 480, 20, 30, 230)
    assert with_frames.video is None
    assert (with_video.reference, with_video.last_image) == (None, None)
    assert with_video.video == clip.read_bytes()
    # The jobs keep them (the render read them back from beside each job).
    kept = {path.name for path in (tmp_path / "imitation").rglob("*.bin")}
    assert {"last_image.bin", "video.bin"} <= kept, kept
