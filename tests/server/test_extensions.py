"""Extensions and edits on the bundled server: the spec's rules (finished videos only, 4 to 20 s
at a time, six extensions, 120 s in all), the stitched total, and the body shapes clients send.

The animatic here renders at a sixteenth of the size (80x44 for a 1280x720 request): the same
segments, continuation and stitching, in a fraction of the time."""

from __future__ import annotations

import dataclasses
from pathlib import Path

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


async def test_bodies_as_the_sdk_writes_them_and_an_uploaded_video_refused(
    app: Starlette,
) -> None:
    async with client_for(app) as client:
        source = await client.wait(await client.create(prompt="A heron at dawn."))
    async with raw_client(app) as http:
        # The OpenAI SDK sends a form, the video as video[id].
        form = [("prompt", "It flies off."), ("seconds", "4"), ("video[id]", source.id)]
        answer = await http.post(
            "/videos/extensions", files=[(k, (None, v.encode())) for k, v in form]
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["seconds"] == "8"
        upload = {"video": ("mine.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")}
        answer = await http.post("/videos/edits", data={"prompt": "Night."}, files=upload)
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "unsupported_video_upload"
        answer = await http.post(
            "/videos/extensions", json={"video": {"id": source.id}, "prompt": "x", "seconds": 8}
        )
        assert (
            answer.status_code == 400 and "expected a string" in answer.json()["error"]["message"]
        )
