"""The step cache on the wire: SGLang and FastVideo get their TeaCache switch, vLLM-Omni (which
sets its cache when it starts) and OpenAI refuse it before anything is sent, and a job's stage
times are read from its body."""

from __future__ import annotations

import pytest

from sora_nb.api import errors
from sora_nb.api.clock import SimulatedClock
from sora_nb.api.types import Video
from tests.api.test_dialects import body_of, client_for, engine
from tests.engine_fakes import tiny_mp4


@pytest.fixture(scope="module")
def mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return tiny_mp4(tmp_path_factory.mktemp("clip") / "clip.mp4")


@pytest.mark.parametrize("dialect", ["sglang", "fastvideo"])
async def test_sglang_and_fastvideo_get_their_teacache_switch(
    dialect: str, mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine(dialect, mp4, clock)
    async with client_for(fake, clock, dialect=dialect) as client:
        await client.create(prompt="a heron", step_cache="teacache")
        await client.create(prompt="a heron", step_cache="none")
        with pytest.raises(errors.InvalidRequestError) as caught:
            await client.create(prompt="a heron", step_cache="firstblock:0.1")
    on, off = fake.creates()
    assert body_of(on)["enable_teacache"] is True and body_of(off)["enable_teacache"] is False
    assert "step_cache" not in body_of(on)
    title = "SGLang Diffusion" if dialect == "sglang" else "FastVideo"
    assert str(caught.value) == (
        f"Not sent: {title} has one step cache, TeaCache, switched on per request: "
        "send step_cache='teacache' (or 'none'), not 'firstblock:0.1'."
    )
    assert caught.value.param == "step_cache"


@pytest.mark.parametrize(
    ("dialect", "why"),
    [
        ("vllm-omni", "vLLM-Omni sets its step cache when it starts"),
        ("openai", "OpenAI's Videos API has no such fields"),
    ],
)
async def test_a_server_without_a_per_request_cache_refuses_it_before_sending(
    dialect: str, why: str, mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine(dialect, mp4, clock)
    async with client_for(fake, clock, dialect=dialect) as client:
        with pytest.raises(errors.InvalidRequestError, match=why) as caught:
            await client.create(prompt="a heron", step_cache="firstblock")
    assert "\n" not in str(caught.value) and caught.value.param == "step_cache"
    assert fake.video_requests() == []


def test_a_jobs_stage_times_are_read_from_its_body() -> None:
    stages = {"text_encoding": 0.4, "denoising": 12.5, "vae_decode": 2.1, "encoding": 0.3}
    video = Video.model_validate(
        {"id": "video_1", "status": "completed", "stage_durations": stages}
    )
    assert video.stage_durations == stages
