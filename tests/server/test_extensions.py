"""Extensions and edits on the bundled server: the spec's rules (finished videos only, 4 to 20 s
at a time, six extensions, 120 s in all), the stitched total, and the body shapes clients send.

The animatic here renders at a sixteenth of the size (80x44 for a 1280x720 request): the same
segments, continuation and stitching, in a fraction of the time."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from starlette.applications import Starlette

from sora_nb import media
from sora_nb.api import errors
from sora_nb.server.renderers.animatic import AnimaticFiles, AnimaticRequest, render
from tests.server.conftest import MakeApp, client_for, raw_client


def small(request: AnimaticRequest, out_dir: Path) -> AnimaticFiles:
    """The animatic at a sixteenth of the size asked for (even sides, as H.264 wants)."""
    return render(
        dataclasses.replace(
            request, width=request.width // 32 * 2, height=request.height // 32 * 2
        ),
        out_dir,
    )


@pytest.fixture
def app(make_app: MakeApp) -> Starlette:
    return make_app(renderer=small)


async def test_a_video_extends_to_120_seconds_and_no_further(app: Starlette) -> None:
    async with client_for(app) as client:
        video = await client.wait(
            await client.create(prompt="A lighthouse at dusk, waves below.", size="1280x720")
        )
        lengths = []
        for step, seconds in enumerate((20, 20, 20, 20, 20, 16), start=1):
            if step == 6:
                # 104 s + 20 s would pass 120 s: the server says how much room is left.
                with pytest.raises(errors.BadRequestError, match="add at most 16 s") as past:
                    await client.extend(video.id, prompt="More.", seconds=20)
                assert past.value.code == "duration_limit_reached"
            made = await client.extend(
                video, prompt=f"The tide rises, step {step}.", seconds=seconds
            )
            assert made.status == "queued" and made.id != video.id
            video = await client.wait(made)
            assert video.status == "completed", video.error
            lengths.append(video.seconds)
        with pytest.raises(errors.BadRequestError, match="extended 6 times") as seventh:
            await client.extend(video.id, prompt="Once more.", seconds=4)
        assert seventh.value.code == "extension_limit_reached"
        path = await client.download(video, app.state.server.settings.media_dir / "long.mp4")
    assert lengths == ["24", "44", "64", "84", "104", "120"]
    info = media.probe(path)
    assert (info.duration, info.frame_count, info.has_audio) == (120.0, 120 * 24, True)


async def test_only_a_finished_video_is_extended_or_edited(quiet_app: Starlette) -> None:
    async with client_for(quiet_app) as client:
        running = await client.create(prompt="A fox in the snow.")
        for call in (
            client.extend(running.id, prompt="It runs.", seconds=4),
            client.edit(running.id, prompt="Make it night."),
        ):
            with pytest.raises(errors.BadRequestError, match="only a completed video") as refused:
                await call
            assert refused.value.code == "invalid_state" and refused.value.param == "video"
        with pytest.raises(errors.NotFoundError):
            await client.edit("video_" + "0" * 32, prompt="Make it night.")


async def test_an_edit_keeps_the_length_and_characters_and_an_extension_keeps_the_edit(
    app: Starlette, tmp_path: Path
) -> None:
    from tests.cameos import figure_clip

    async with client_for(app) as client:
        maya = await client.create_character(figure_clip(tmp_path / "maya.mp4"), "Maya")
        first = await client.wait(
            await client.create(
                prompt="Maya walks through a forest at noon.", seconds=8, characters=[maya]
            )
        )
        edited = await client.wait(await client.edit(first, prompt="Make it night."))
        extended = await client.wait(await client.extend(edited, prompt="She stops.", seconds=4))
    store = app.state.server.store
    assert (edited.seconds, extended.seconds) == ("8", "12")
    assert store.get(edited.id).characters == [maya.id] == store.get(extended.id).characters
    segments = store.get(extended.id).segments
    assert [(s.prompt, s.seconds, s.edits) for s in segments] == [
        ("Maya walks through a forest at noon.", 8, ("Make it night.",)),
        ("She stops.", 4, ("Make it night.",)),
    ]


async def test_bodies_as_the_sdk_writes_them(app: Starlette) -> None:
    async with client_for(app) as client:
        source = await client.wait(await client.create(prompt="A heron at dawn."))
    async with raw_client(app) as http:
        # The OpenAI SDK sends a form, a video reference as video[id].
        form = [("prompt", "It flies off."), ("seconds", "4"), ("video[id]", source.id)]
        answer = await http.post(
            "/videos/extensions", files=[(k, (None, v.encode())) for k, v in form]
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["seconds"] == "8"
        answer = await http.post(
            "/videos/extensions", json={"video": {"id": source.id}, "prompt": "x", "seconds": 8}
        )
        assert answer.status_code == 400
        assert "expected a string" in answer.json()["error"]["message"]


async def test_an_uploaded_video_is_continued_from_its_last_frame_and_regraded_by_an_edit(
    make_app: MakeApp, tmp_path: Path
) -> None:
    from tests.cameos import figure_clip

    odd = figure_clip(tmp_path / "odd.mp4", size=(480, 360), seconds=4)
    async with client_for(make_app()) as client:  # full size: uploads are sizes it renders
        made = await client.wait(await client.create(prompt="A heron at dawn.", seconds=4))
        upload = await client.download(made, tmp_path / "mine.mp4")
        longer = await client.wait(await client.extend(upload, prompt="It flies off.", seconds=4))
        night = await client.wait(await client.edit(upload, prompt="Make it night."))
        again = await client.wait(await client.extend(longer, prompt="It lands.", seconds=4))
        files = {
            name: await client.download(video, tmp_path / f"{name}.mp4")
            for name, video in (("longer", longer), ("night", night), ("again", again))
        }
        with pytest.raises(errors.BadRequestError, match="a size the service renders"):
            await client.extend(odd, prompt="It turns.", seconds=4)
    assert (longer.seconds, night.seconds, again.seconds) == ("8", "4", "12")
    last = media.decode_frames(upload, [95])[95].astype(np.int16)
    opened = media.decode_frames(files["longer"], [95, 96])
    assert np.abs(opened[95] - last).mean() < 1.0  # the upload, kept
    assert np.abs(opened[96] - last).mean() < 6.0  # the new part opens on its last frame
    before = media.decode_frames(upload, [48])[48].astype(np.float64)
    after = media.decode_frames(files["night"], [48])[48].astype(np.float64)
    assert before.mean() - after.mean() > 25  # night fell on the same picture...
    luma = before.mean(axis=-1).ravel(), after.mean(axis=-1).ravel()
    assert np.corrcoef(*luma)[0, 1] > 0.9  # ...whose shapes stay where they were
    assert media.probe(files["again"]).duration == 12.0
