"""Smoother and sharper takes, the media layer and the options table: frame interpolation keeps
the length and doubles the frames and the rate, upscaling doubles the size, sound is kept, a
factor out of range is one line, and an engine that does it itself is sent its own fields."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from sora_nb import media, media_post
from sora_nb.api.dialects import DIALECTS
from sora_nb.catalog import options as options_table
from sora_nb.catalog import postprocessing
from sora_nb.catalog.options import OptionError, Options
from sora_nb.notebook.options import OptionsError, parse_options
from sora_nb.runs.request import VideoRequest

FPS = 16
SECONDS = 2
SIZE = (96, 64)
RATE = 16_000


def _wan_like(path: Path, *, sound: bool = True) -> Path:
    """A 2 s, 16 fps clip (Wan's rate) of a bar moving right, with a tone when ``sound``."""
    width, height = SIZE
    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = out.add_stream("aac", rate=RATE) if sound else None
        for index in range(FPS * SECONDS):
            picture = np.zeros((height, width, 3), np.uint8)
            picture[:, 4 * index % width : 4 * index % width + 8] = 255
            for packet in video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        if audio is not None:
            t = np.arange(RATE * SECONDS) / RATE
            tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]
            chunk = av.AudioFrame.from_ndarray(tone, format="fltp", layout="mono")
            chunk.sample_rate, chunk.pts = RATE, 0
            for packet in audio.encode(chunk):
                out.mux(packet)
            for packet in audio.encode(None):
                out.mux(packet)
    return path


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _wan_like(tmp_path_factory.mktemp("clip") / "raw.mp4")


def test_interpolating_by_two_doubles_frames_and_rate_and_keeps_the_length_and_sound(
    clip: Path, tmp_path: Path
) -> None:
    before = media.probe(clip)
    result = media_post.postprocess(clip, tmp_path / "smooth.mp4", interpolate=2)
    after = media.probe(tmp_path / "smooth.mp4")
    assert (before.fps, before.frame_count) == (16, 32)
    assert (after.fps, after.frame_count) == (32, 64)  # a 16 fps Wan take plays at 32 fps
    assert abs(after.duration - before.duration) <= 1 / before.fps  # within a frame
    assert (after.width, after.height) == (before.width, before.height)
    assert after.has_audio and result.has_audio
    assert (result.frames, result.fps, result.interpolate) == (64, 32.0, 2)
    # The new frames are made between the old ones, not copies of them: the bar is half-way.
    frames = media.decode_frames(tmp_path / "smooth.mp4", [0, 1, 2])
    bar = [int(np.argmax(frames[i][:, :, 0].mean(axis=0) > 128)) for i in (0, 1, 2)]
    assert bar[0] < bar[1] < bar[2] or not np.array_equal(frames[0], frames[1])


def test_upscaling_by_two_doubles_the_size_and_keeps_frames_rate_and_sound(
    clip: Path, tmp_path: Path
) -> None:
    result = media_post.postprocess(clip, tmp_path / "sharp.mp4", upscale=2)
    after = media.probe(tmp_path / "sharp.mp4")
    assert (after.width, after.height) == (2 * SIZE[0], 2 * SIZE[1])
    assert (after.fps, after.frame_count, after.has_audio) == (16, 32, True)
    assert (result.width, result.height) == (192, 128)


def test_both_at_once_and_a_silent_clip_stays_silent(tmp_path: Path) -> None:
    silent = _wan_like(tmp_path / "silent.mp4", sound=False)
    media_post.postprocess(silent, tmp_path / "both.mp4", interpolate=3, upscale=2)
    after = media.probe(tmp_path / "both.mp4")
    assert (after.width, after.height, after.fps, after.frame_count) == (192, 128, 48, 96)
    assert not after.has_audio


@pytest.mark.parametrize("value", [0, 5, 2.5, "2", True])
def test_a_factor_out_of_range_is_one_line_that_says_what_to_do(
    clip: Path, tmp_path: Path, value: object
) -> None:
    with pytest.raises(media_post.PostError) as caught:
        media_post.postprocess(clip, tmp_path / "x.mp4", interpolate=value)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    assert "whole number from 1 to 4" in message and "2 doubles the frame rate" in message
    assert not (tmp_path / "x.mp4").exists()


def test_the_options_take_interpolate_and_upscale_and_refuse_a_factor_out_of_range() -> None:
    magic = parse_options("--interpolate 2 --upscale 2")
    assert magic.options.given() == {"interpolate": 2, "upscale": 2}
    with pytest.raises(OptionsError) as caught:
        parse_options("--interpolate 8")
    assert "\n" not in str(caught.value)
    assert "interpolate should be a whole number from 1 to 4, like 2; got" in str(caught.value)
    with pytest.raises(ValueError, match="upscale should be a whole number from 1 to 4"):
        Options(upscale=0)
    with pytest.raises(OptionError, match="upscale should be a whole number from 1 to 4"):
        options_table.get("upscale").parse("0")


def test_a_factor_of_one_is_the_take_as_rendered_with_its_cache_key() -> None:
    plain = VideoRequest(prompt="a heron", seed=3)
    assert plain.with_options(interpolate=1, upscale=1) == plain
    assert plain.with_options(interpolate=1).cache_key("local") == plain.cache_key("local")
    assert plain.with_options(interpolate=2).cache_key("local") != plain.cache_key("local")


def test_engines_that_do_it_get_their_fields_and_other_servers_are_sent_nothing_of_it() -> None:
    asked = Options(interpolate=2, upscale=2, steps=20)
    assert asked.wire("sglang") == {
        "num_inference_steps": 20,
        "frame_interpolation_exp": 1,
        "enable_frame_interpolation": True,
        "upscaling_scale": 2,
        "enable_upscaling": True,
    }
    assert Options(interpolate=4).wire("vllm-omni") == {
        "frame_interpolation_exp": 2,
        "enable_frame_interpolation": True,
    }
    assert DIALECTS["sglang"].takes(asked.wire("sglang"))
    # What the kernel does itself, by server: vLLM-Omni has no upscaler, RIFE only doubles,
    # OpenAI's API and the bundled server do neither.
    assert postprocessing.local(asked.given(), "sglang") == {}
    assert postprocessing.local(asked.given(), "vllm-omni") == {"upscale": 2}
    assert postprocessing.local({"interpolate": 3}, "sglang") == {"interpolate": 3}
    assert postprocessing.local(asked.given(), "openai") == {"interpolate": 2, "upscale": 2}
    assert postprocessing.local(asked.given(), None) == {"interpolate": 2, "upscale": 2}
