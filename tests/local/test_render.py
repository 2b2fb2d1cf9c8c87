"""The bundled server rendering with an open model (tiny random weights): what a client sees."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.local.helpers import client, finish, png, streams, wait_for

PROMPT = "a red kite over the sea at sunset"


async def test_wan_renders_the_size_frames_and_rate_with_true_progress(
    local_app: Callable[..., Starlette], tmp_path: Path
) -> None:
    app = local_app("wan")
    async with client(app) as http:
        made = await http.post(
            "/videos",
            json={"prompt": PROMPT, "size": "112x64", "seconds": "1", "num_inference_steps": 40},
        )
        assert made.status_code == 200 and made.json()["status"] == "queued"
        seen: list[tuple[str, int]] = []
        done = await finish(http, made.json()["id"], seen=seen)
        video = tmp_path / "wan.mp4"
        video.write_bytes((await http.get(f"/videos/{done['id']}/content")).content)
    assert done["status"] == "completed" and done["model"] == "wan-tiny"
    # Progress follows the steps: values strictly between 0 and 100, never going back.
    middle = [p for s, p in seen if s == "in_progress" and 0 < p < 100]
    assert middle, seen
    progress = [p for _, p in seen]
    assert progress == sorted(progress)
    # 1 s at Wan's 16 fps is 16 frames; its VAE takes 4k+1, so 17.
    assert streams(video) == {"width": 112, "height": 64, "frames": 17, "fps": 16.0, "audio": None}
    # Measured, as vLLM-Omni's jobs report them.
    assert done["num_inference_steps"] == 40 and done["num_frames"] == 17
    assert done["inference_time_s"] > 0 and done["seconds_per_step"] > 0
    assert done["peak_memory_mb"] > 0 and done["device"] == "cpu"
    assert isinstance(done["seed"], int)


async def test_the_same_seed_renders_the_same_bytes(local_app: Callable[..., Starlette]) -> None:
    app = local_app("wan")
    body = {"prompt": PROMPT, "size": "112x64", "seconds": "1", "num_inference_steps": 3}
    files = []
    async with client(app) as http:
        for seed in (7, 7, 8):
            made = await http.post("/videos", json={**body, "seed": seed})
            done = await finish(http, made.json()["id"])
            assert done["seed"] == seed
            files.append((await http.get(f"/videos/{done['id']}/content")).content)
        # No seed: each take gets its own, reported so it can be sent again.
        first = await finish(http, (await http.post("/videos", json=body)).json()["id"])
        second = await finish(http, (await http.post("/videos", json=body)).json()["id"])
    assert files[0] == files[1] != files[2]
    assert first["seed"] != second["seed"]


async def test_delete_stops_the_render_between_steps(local_app: Callable[..., Starlette]) -> None:
    app = local_app("wan")
    store = app.state.server.store
    async with client(app) as http:
        made = await http.post(
            "/videos",
            json={"prompt": PROMPT, "size": "112x64", "seconds": "1", "num_inference_steps": 200},
        )
        video_id = made.json()["id"]

        async def stepping() -> bool:
            return bool((await http.get(f"/videos/{video_id}")).json()["progress"] > 0)

        await wait_for(stepping, "the render to take its first steps")
        gone = await http.delete(f"/videos/{video_id}")
        assert gone.status_code == 200
        assert gone.json() == {"object": "video.deleted", "deleted": True, "id": video_id}
        assert (await http.get(f"/videos/{video_id}")).status_code == 404
        await wait_for(lambda: store.stats.cancelled == 1, "the render to stop")
        [steps] = store.stats.steps_at_cancel
        assert 0 < steps < 200
        assert not (store.root / video_id).exists()
        # The one worker is free again: the next job renders.
        after = await http.post(
            "/videos", json={"prompt": PROMPT, "size": "112x64", "num_inference_steps": 2}
        )
        assert (await finish(http, after.json()["id"]))["status"] == "completed"


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        ({"size": "100x64"}, "size", "multiples of 16 px, and 100x64 is not one. The nearest "),
        ({"size": "112x64", "num_frames": 18}, "num_frames", "The nearest: 17 or 21."),
        ({"model": "sora-2"}, "model", "renders 'wan-tiny' with diffusers, not 'sora-2'"),
        ({"num_inference_steps": 0}, "num_inference_steps", "an integer from 1 to 200"),
        ({"guidance_scale": 25}, "guidance_scale", "a number from 0 to 20"),
        ({"seed": "7"}, "seed", "expected an integer, but got a string"),
        ({"size": "112x64", "seconds": "500"}, "seconds", "120 s at most"),
    ],
)
async def test_a_request_the_model_cannot_render_is_refused_in_one_line(
    local_app: Callable[..., Starlette], body: dict[str, Any], param: str, words: str
) -> None:
    async with client(local_app("wan")) as http:
        refused = await http.post("/videos", json={"prompt": PROMPT, **body})
    error = refused.json()["error"]
    assert refused.status_code == 400 and error["param"] == param
    assert words in error["message"] and "\n" not in error["message"]


async def test_text_to_video_wan_refuses_a_first_frame(local_app: Callable[..., Starlette]) -> None:
    async with client(local_app("wan")) as http:
        refused = await http.post(
            "/videos",
            data={"prompt": PROMPT, "size": "112x64"},
            files={"input_reference": ("first.png", png(112, 64), "image/png")},
        )
    error = refused.json()["error"]
    assert refused.status_code == 400 and error["param"] == "input_reference"
    assert "Wan2.2-TI2V-5B-Diffusers" in error["message"]


async def test_wan_takes_a_first_frame_from_the_same_components(
    local_app: Callable[..., Starlette], tmp_path: Path
) -> None:
    app = local_app("wan-i2v")
    renderer = app.state.server.store.renderer
    # The image-to-video pipeline shares the loaded modules: no second load.
    assert renderer.image_pipe.transformer is renderer.pipe.transformer
    fields = {"prompt": PROMPT, "size": "112x64", "seconds": "1", "seed": "3"}
    fields["num_inference_steps"] = "3"
    async with client(app) as http:
        with_image = await http.post(
            "/videos",
            data=fields,
            files={"input_reference": ("first.png", png(112, 64), "image/png")},
        )
        text_only = await http.post("/videos", json={**fields, "seed": 3, "num_inference_steps": 3})
        from_image = await finish(http, with_image.json()["id"])
        from_text = await finish(http, text_only.json()["id"])
        video = tmp_path / "i2v.mp4"
        video.write_bytes((await http.get(f"/videos/{from_image['id']}/content")).content)
        plain = (await http.get(f"/videos/{from_text['id']}/content")).content
    # Wan 2.2's layout runs at 24 fps: 1 s is 25 frames (4k+1).
    assert streams(video) == {"width": 112, "height": 64, "frames": 25, "fps": 24.0, "audio": None}
    assert video.read_bytes() != plain  # the first frame changed the take


async def test_ltx2_has_sound_at_the_vocoders_rate(
    local_app: Callable[..., Starlette], tmp_path: Path
) -> None:
    app = local_app("ltx2")
    async with client(app) as http:
        made = await http.post(
            "/videos",
            json={"prompt": PROMPT, "size": "64x32", "seconds": "1", "num_inference_steps": 4},
        )
        done = await finish(http, made.json()["id"])
        video = tmp_path / "ltx2.mp4"
        video.write_bytes((await http.get(f"/videos/{done['id']}/content")).content)
    found = streams(video)
    assert (found["width"], found["height"], found["frames"], found["fps"]) == (64, 32, 25, 24.0)
    audio = found["audio"]
    assert audio is not None and audio["codec"] == "aac"
    assert audio["rate"] == 16000 and audio["channels"] == 2  # the tiny vocoder's, stereo
    assert audio["seconds"] == pytest.approx(25 / 24, abs=0.1)  # ends with the picture


async def test_out_of_memory_fails_the_take_with_what_to_try(
    local_app: Callable[..., Starlette], monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    app = local_app("wan")
    transformer = app.state.server.store.renderer.pipe.transformer

    def exhausted(*_args: Any, **_kwargs: Any) -> Any:
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    body = {"prompt": PROMPT, "size": "112x64", "seconds": "1", "num_inference_steps": 2}
    async with client(app) as http:
        monkeypatch.setattr(transformer, "forward", exhausted)
        failed = await finish(http, (await http.post("/videos", json=body)).json()["id"])
        monkeypatch.undo()
        after = await finish(http, (await http.post("/videos", json=body)).json()["id"])
    assert failed["status"] == "failed" and failed["error"]["code"] == "out_of_memory"
    message = failed["error"]["message"]
    assert "ran out of memory rendering 112x64, 17 frames" in message
    assert "Try a smaller size or fewer seconds, or restart the server with" in message
    assert "--vae-tiling" in message and "still up" in message
    assert after["status"] == "completed"  # the server stayed up


async def test_a_restarted_server_renders_an_interrupted_job_again(
    local_app: Callable[..., Starlette], tmp_path: Path
) -> None:
    media = tmp_path / "restart"
    first = local_app("wan", media=media)
    async with client(first) as http:
        made = await http.post(
            "/videos",
            json={"prompt": PROMPT, "size": "112x64", "num_inference_steps": 200, "seed": 5},
        )
        video_id = made.json()["id"]

        async def stepping() -> bool:
            return bool((await http.get(f"/videos/{video_id}")).json()["progress"] > 0)

        await wait_for(stepping, "the render to take its first steps")
    first.state.server.close()  # the process stops: the render stops at its next step
    record = json.loads((media / "jobs" / video_id / "job.json").read_text())
    assert record["rendered_at"] is None and record["knobs"]["num_inference_steps"] == 200

    second = local_app("wan", media=media)
    async with client(second) as http:
        done = await finish(http, video_id)
    assert done["status"] == "completed" and done["seed"] == 5


def test_the_model_must_be_a_video_pipeline_on_this_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sora_nb.server.renderers.diffusers import DiffusersOptions, ModelError, open_renderer

    def refusal(model: str) -> str:
        with pytest.raises(ModelError) as raised:
            open_renderer(DiffusersOptions(model=model))
        text = str(raised.value)
        assert "\n" not in text
        return text

    assert refusal(str(tmp_path / "missing")).startswith(f"No folder {tmp_path / 'missing'}")
    (tmp_path / "empty").mkdir()
    assert "has no model_index.json" in refusal(str(tmp_path / "empty"))
    images = tmp_path / "sd"
    images.mkdir()
    (images / "model_index.json").write_text(json.dumps({"_class_name": "StableDiffusionPipeline"}))
    assert "makes images, not video" in refusal(str(images))
    text = refusal("Wan-AI/Wan2.1-T2V-1.3B-Diffusers")
    assert "not in this machine's Hugging Face cache" in text
    assert text.endswith("hf download Wan-AI/Wan2.1-T2V-1.3B-Diffusers")


async def test_an_engine_imitation_renders_with_the_open_model(
    tiny: Callable[[str], Path], tmp_path: Path
) -> None:
    from sora_nb.server import ServerSettings, create_app
    from sora_nb.server.renderers.diffusers import DiffusersOptions, open_renderer

    renderer = open_renderer(DiffusersOptions(model=str(tiny("wan"))))
    app = create_app(
        ServerSettings(media_dir=tmp_path / "vllm", renderer=renderer, dialect="vllm-omni")
    )
    try:
        async with client(app) as http:
            made = await http.post(
                "/videos",
                files={
                    "prompt": (None, PROMPT),
                    "size": (None, "112x64"),
                    "seconds": (None, "1"),
                    "num_inference_steps": (None, "3"),
                    "seed": (None, "9"),
                },
            )
            assert made.status_code == 200 and made.json()["model"] == "wan-tiny"
            done = await finish(http, made.json()["id"])
    finally:
        app.state.server.close()
    assert done["status"] == "completed" and done["inference_time_s"] > 0
    assert (
        done["peak_memory_mb"] > 0 and app.state.server.store.get(done["id"]).metrics["seed"] == 9
    )
