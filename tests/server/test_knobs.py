"""The open-model knobs on POST /v1/videos against the animatic: typed, bounded, honoured where
the animatic can (seed, fps 24, num_frames = seconds x 24) and refused plainly where it cannot."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from sora_nb.api import errors
from tests.server.conftest import MakeApp, client_for, raw_client


async def _done(app: Starlette, video_id: str) -> bytes:
    await asyncio.to_thread(app.state.server.store.wait_idle, 60)
    async with raw_client(app) as http:
        return (await http.get(f"/videos/{video_id}/content")).content


async def test_a_seed_is_the_take_variation(make_app: MakeApp) -> None:
    app = make_app()
    body = {"prompt": "A kite over the dunes.", "size": "720x1280", "seconds": "4"}
    async with raw_client(app) as http:
        ids = []
        for extra in ({"seed": 7}, {"seed": 7}, {"seed": 8}):
            made = await http.post("/videos", json={**body, **extra})
            assert made.status_code == 200
            ids.append(made.json()["id"])
    videos = [await _done(app, i) for i in ids]
    # Two takes with one seed are one video; another seed is another video.
    assert videos[0] == videos[1] != videos[2]
    record = json.loads((app.state.server.store.root / ids[0] / "job.json").read_text())
    assert record["knobs"]["seed"] == 7


async def test_knobs_arrive_as_form_fields_too(quiet_app: Starlette) -> None:
    async with raw_client(quiet_app) as http:
        made = await http.post(
            "/videos",
            files={
                "prompt": (None, "A harbour."),
                "seed": (None, "42"),
                "fps": (None, "24"),
                "num_frames": (None, "96"),
            },
        )
    assert made.status_code == 200, made.text
    record = quiet_app.state.server.store.get(made.json()["id"])
    assert (record.options.seed, record.options.fps, record.options.num_frames) == (42, 24, 96)


@pytest.mark.parametrize(
    ("fields", "param", "words"),
    [
        ({"num_inference_steps": 30}, "num_inference_steps", "The animatic has no denoising"),
        ({"guidance_scale": 5.0}, "guidance_scale", "has no guidance scale"),
        ({"negative_prompt": "blur"}, "negative_prompt", "takes no negative prompt"),
        ({"fps": 30}, "fps", "24 frames a second only"),
        ({"num_frames": 100}, "num_frames", "4 s is 96 frames at 24 fps"),
        ({"seed": -1}, "seed", "an integer from 0 to 9223372036854775807"),
        ({"seed": 1.5}, "seed", "expected an integer, but got 1.5"),
        ({"seed": True}, "seed", "expected an integer, but got a boolean"),
        ({"num_inference_steps": 201}, "num_inference_steps", "from 1 to 200"),
        ({"guidance_scale": "high"}, "guidance_scale", "expected a number, but got a string"),
        ({"negative_prompt": 3}, "negative_prompt", "expected a string, but got an integer"),
    ],
)
async def test_what_the_animatic_cannot_honour_is_refused_by_name(
    quiet_app: Starlette, fields: dict[str, Any], param: str, words: str
) -> None:
    async with raw_client(quiet_app) as http:
        refused = await http.post("/videos", json={"prompt": "A harbour.", **fields})
    error = refused.json()["error"]
    assert refused.status_code == 400 and error["param"] == param, error
    assert words in error["message"]
    assert quiet_app.state.server.stats.jobs_created == 0


async def test_a_form_value_that_is_not_a_number_is_refused(quiet_app: Starlette) -> None:
    async with raw_client(quiet_app) as http:
        for value in ("7.5", "nan", "seven"):
            refused = await http.post(
                "/videos", files={"prompt": (None, "A harbour."), "seed": (None, value)}
            )
            assert refused.status_code == 400
            assert refused.json()["error"]["param"] == "seed"
        refused = await http.post(
            "/videos", files={"prompt": (None, "A harbour."), "guidance_scale": (None, "nan")}
        )
    assert refused.json()["error"]["param"] == "guidance_scale"


async def test_the_cards_say_what_the_renderer_takes_and_the_client_sends_only_that(
    make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app()
    async with raw_client(app) as http:
        card = (await http.get("/models/sora-2")).json()
    assert (card["owned_by"], card["renderer"]) == ("sora_nb-server", "animatic")
    assert card["knobs"] == ["seed", "fps", "num_frames"]
    # The strict dialect is OpenAI's API exactly: it takes no knobs and says nothing more.
    strict = make_app(dialect="openai", media_dir=tmp_path / "strict")
    async with raw_client(strict) as http:
        plain = (await http.get("/models/sora-2")).json()
    assert set(plain) == {"id", "object", "created", "owned_by"}

    async with client_for(app) as client:
        info = await client.detect()
        assert info.extra_knobs == {"seed", "fps", "num_frames"} and info.renderer == "animatic"
        # Takes on the animatic differ by their number; only an asked-for seed is sent.
        assert not info.takes_knobs and not info.self_hosted
        seeded = await client.create(prompt="A kite over the dunes.", seconds=4, seed=7)
        plain_take = await client.create(prompt="A kite over the dunes.", seconds=4)
        with pytest.raises(errors.InvalidRequestError, match="takes no steps; it takes --seed"):
            await client.create(prompt="A kite over the dunes.", seconds=4, steps=30)
    store = app.state.server.store
    assert store.get(seeded.id).options.seed == 7 and store.get(plain_take.id).options.seed is None
    assert store.stats.jobs_created == 2
    async with client_for(strict) as client:
        with pytest.raises(errors.InvalidRequestError, match="OpenAI Videos API takes no seed"):
            await client.create(prompt="A kite over the dunes.", seconds=4, seed=7)


def test_a_job_saved_before_options_had_their_own_field_reads_them_back() -> None:
    from sora_nb.server.job_records import JobRecord

    saved = {
        "id": "video_1",
        "seq": 1,
        "model": "sora-2",
        "prompt": "A kite.",
        "size": "1280x720",
        "seconds": "4",
        "created_at": 0.0,
        "duration": 0.0,
        "take": 1,
        "fingerprint": "f",
        "seed": 7,
        "num_inference_steps": 30,
        "guidance_scale": None,
    }
    record = JobRecord.model_validate(saved)
    assert record.knobs == {"seed": 7, "num_inference_steps": 30}
    assert (record.options.seed, record.options.steps, record.options.guidance) == (7, 30, None)
    # Saved again, the options sit in their own field and read back the same.
    assert JobRecord.model_validate_json(record.model_dump_json()).knobs == record.knobs
