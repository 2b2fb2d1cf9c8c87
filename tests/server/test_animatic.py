"""The animatic renderer: what a user sees and hears in the bundled server's MP4s."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from sora_nb import media
from sora_nb.prompt import parse
from sora_nb.server.renderers.animatic import FPS, AnimaticFiles, AnimaticRequest, render
from sora_nb.server.renderers.animatic.colours import colour_rgb
from sora_nb.server.renderers.animatic.storyboard import plan

MULTI_SHOT = """A courier crosses a rooftop garden in the city.
Palette: teal, amber, sand
Shot 1: wide shot, slow push in, 35mm lens.
Shot 2: close-up, slow pan left, 85mm.
Shot 3: medium shot, orbiting the courier.
Dialogue:
- Ana: Right on time.
Background Sound: wind, footsteps, upbeat music"""
GOLDEN = "Wide shot of a hiker on a mountain ridge at golden hour, warm light, slow pan right."
NEON = (
    "Medium shot of a courier in a rain-soaked alley at neon night, magenta and cyan signs, "
    "slow push in. Palette: magenta, cyan, deep navy"
)


def _frames(path: Path, size: tuple[int, int] = (160, 90)) -> npt.NDArray[np.float64]:
    """Every decoded frame, scaled down, as floats (frames x rows x columns x RGB)."""
    with av.open(str(path)) as container:
        return np.stack(
            [
                f.to_ndarray(format="rgb24", width=size[0], height=size[1]).astype(np.float64)
                for f in container.decode(video=0)
            ]
        )


def _audio(path: Path) -> npt.NDArray[np.float64]:
    with av.open(str(path)) as container:
        chunks = [f.to_ndarray().astype(np.float64).mean(axis=0) for f in container.decode(audio=0)]
    return np.concatenate(chunks)


@pytest.fixture(scope="module")
def multi_shot(tmp_path_factory: pytest.TempPathFactory) -> AnimaticFiles:
    request = AnimaticRequest(MULTI_SHOT, 1280, 720, 4)
    return render(request, tmp_path_factory.mktemp("multi"))


def test_video_has_exact_size_duration_rate_and_an_audio_stream(multi_shot: AnimaticFiles) -> None:
    info = media.probe(multi_shot.video)
    assert (info.width, info.height) == (1280, 720)
    assert info.fps == pytest.approx(24)
    assert info.frame_count == 4 * FPS
    assert info.duration == pytest.approx(4.0, abs=1 / FPS)
    assert info.has_audio
    with av.open(str(multi_shot.video)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
        audio = container.streams.audio[0]
        assert float(audio.duration * audio.time_base) == pytest.approx(4.0, abs=1 / FPS)


def test_a_cut_at_each_shot_boundary(multi_shot: AnimaticFiles) -> None:
    frames = _frames(multi_shot.video)
    change = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2, 3))  # change[i]: i -> i+1
    boards = plan(parse(MULTI_SHOT), AnimaticRequest(MULTI_SHOT, 1280, 720, 4))
    cuts = [shot.start - 1 for shot in boards.shots[1:]]
    assert len(cuts) == 2
    within = np.delete(change, cuts)
    for cut in cuts:
        assert change[cut] > 4 * within.max(), (cut, change[cut], within.max())


@pytest.mark.parametrize(("width", "height"), [(720, 1280), (16, 16), (18, 30)])
def test_portrait_and_tiny_sizes_are_exact(tmp_path: Path, width: int, height: int) -> None:
    files = render(AnimaticRequest(MULTI_SHOT, width, height, 1), tmp_path)
    info = media.probe(files.video)
    assert (info.width, info.height, info.frame_count, info.has_audio) == (width, height, 24, True)


MOVES = {
    "static": "static shot",
    "pan": "slow pan left",
    "tilt": "tilt up",
    "push-in": "slow push in",
    "pull-out": "pull back",
    "truck": "truck left",
    "orbit": "arc shot",
    "crane": "crane up",
    "handheld": "handheld camera",
    "drone": "drone shot",
    "tracking": "tracking shot",
}


def _travel(tmp_path: Path, move: str) -> float:
    """How much the picture changes from a shot's first frame to its last, captions aside."""
    # A subject standing still: a walker would walk across the frame (the drawing acts), and
    # this measures the camera alone.
    prompt = f"Medium shot of a woman standing on a hillside in the afternoon, {MOVES[move]}."
    request = AnimaticRequest(prompt, 320, 180, 4)  # long enough for a full move
    (shot,) = plan(parse(prompt), request).shots
    assert shot.movement == move
    frames = _frames(render(request, tmp_path / move).video, (320, 180))
    picture = (slice(30, 140), slice(0, 320))  # between the captions and the timecode
    return float(np.abs(frames[-1][picture] - frames[0][picture]).mean())


@pytest.fixture(scope="module")
def static_travel(tmp_path_factory: pytest.TempPathFactory) -> float:
    return _travel(tmp_path_factory.mktemp("static"), "static")


def test_a_static_shot_holds_still(static_travel: float) -> None:
    assert static_travel < 1.5  # only compression noise


@pytest.mark.parametrize("move", sorted(set(MOVES) - {"static"}))
def test_every_named_camera_move_moves_the_picture(
    tmp_path: Path, move: str, static_travel: float
) -> None:
    assert _travel(tmp_path, move) > 2 * static_travel + 0.5


def test_golden_hour_and_neon_night_have_clearly_different_colours(tmp_path: Path) -> None:
    means = {}
    for name, prompt in (("golden", GOLDEN), ("neon", NEON)):
        files = render(AnimaticRequest(prompt, 320, 180, 1), tmp_path / name)
        means[name] = _frames(files.video).reshape(-1, 3).mean(axis=0)
    golden, neon = means["golden"], means["neon"]
    assert golden.sum() > neon.sum() + 150  # golden hour is far brighter
    assert golden[0] - golden[2] > 40  # and warm: more red than blue
    assert neon[2] >= neon[1]  # a night is blue/magenta rather than warm
    assert np.linalg.norm(golden - neon) > 80


def test_palette_and_key_light_words_colour_the_scene(tmp_path: Path) -> None:
    base = "Medium shot of a dancer in an open field in the afternoon, static shot."

    def mean(text: str, name: str) -> npt.NDArray[np.float64]:
        files = render(AnimaticRequest(text, 320, 180, 1), tmp_path / name)
        return _frames(files.video).reshape(-1, 3).mean(axis=0)

    red = mean(base + "\nPalette: crimson, maroon, rust", "red")
    blue = mean(base + "\nPalette: teal, deep navy, cobalt", "blue")
    assert red[0] - red[2] > blue[0] - blue[2] + 20
    warm = mean(base + "\nLighting: warm tungsten key from the left", "warm")
    cool = mean(base + "\nLighting: cool moonlight key from the left", "cool")
    assert warm[0] - warm[2] > cool[0] - cool[2] + 10


def test_identical_requests_give_identical_bytes(tmp_path: Path) -> None:
    request = AnimaticRequest(MULTI_SHOT, 320, 180, 2, take=3)
    first = render(request, tmp_path / "a")
    second = render(request, tmp_path / "b")
    assert first.video.read_bytes() == second.video.read_bytes()
    assert first.thumbnail.read_bytes() == second.thumbnail.read_bytes()
    assert first.spritesheet.read_bytes() == second.spritesheet.read_bytes()


def test_takes_differ_a_little_and_a_new_prompt_differs_a_lot(tmp_path: Path) -> None:
    one = _frames(render(AnimaticRequest(GOLDEN, 320, 180, 1, take=1), tmp_path / "1").video)
    two = _frames(render(AnimaticRequest(GOLDEN, 320, 180, 1, take=2), tmp_path / "2").video)
    other = _frames(render(AnimaticRequest(NEON, 320, 180, 1, take=1), tmp_path / "3").video)
    reroll = np.abs(one - two).mean()
    assert reroll > 0.5  # a re-roll is not a copy ...
    assert reroll < np.abs(one - other).mean() / 3  # ... but still the same shot


def test_the_first_frame_is_the_reference_image(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    picture = np.zeros((180, 320, 3), dtype=np.uint8)
    picture[:] = (30, 60, 120)
    for _ in range(6):  # a few bold blocks, so a wrong frame cannot pass by accident
        x, y = rng.integers(0, 260), rng.integers(0, 130)
        picture[y : y + 50, x : x + 60] = rng.integers(0, 255, 3)
    data = io.BytesIO()
    Image.fromarray(picture).save(data, "PNG")
    request = AnimaticRequest("Slow push in on the scene.", 320, 180, 1, reference=data.getvalue())
    frames = _frames(render(request, tmp_path).video, size=(320, 180))
    assert np.abs(frames[0] - picture).mean() < 4
    plain = _frames(
        render(AnimaticRequest("Slow push in on the scene.", 320, 180, 1), tmp_path / "p").video,
        size=(320, 180),
    )
    assert np.abs(plain[0] - picture).mean() > 30


def test_dialogue_shows_a_subtitle_and_plays_a_voice_like_cue(tmp_path: Path) -> None:
    # A locked-off shot: apart from the timecode, frames change only where the subtitle is.
    spoken = "Static medium shot of a woman at a desk in a quiet office.\n"
    spoken += "Dialogue:\n- Ana: We leave at dawn."
    request = AnimaticRequest(spoken, 640, 360, 4)
    (line,) = plan(parse(spoken), request).subtitles
    assert line.speaker == "Ana" and 0 < line.start < line.stop < 4 * FPS - 4
    frames = _frames(render(request, tmp_path).video, (640, 360))
    during, after = frames[(line.start + line.stop) // 2], frames[line.stop + 2]
    bottom_centre = (slice(250, 340), slice(200, 440))
    assert np.abs(during[bottom_centre] - after[bottom_centre]).mean() > 8
    picture = (slice(60, 240), slice(0, 640))
    assert np.abs(during[picture] - after[picture]).mean() < 1
    sound = _audio(render(request, tmp_path).video)
    rate = 48_000
    voice = sound[line.start * rate // FPS : line.stop * rate // FPS]
    rest = sound[line.stop * rate // FPS + rate // 10 :]
    assert np.sqrt((voice**2).mean()) > 3 * np.sqrt((rest**2).mean())


def test_sound_words_become_sound(tmp_path: Path) -> None:
    still = "Static wide shot of an empty field."
    with_sound = still + "\nBackground Sound: heavy rain, wind and applause"
    boards = plan(parse(with_sound), AnimaticRequest(with_sound, 320, 180, 1))
    assert set(boards.sound.cues) == {"rain", "wind", "applause"}
    quiet = _audio(render(AnimaticRequest(still, 320, 180, 1), tmp_path / "a").video)
    loud = _audio(render(AnimaticRequest(with_sound, 320, 180, 1), tmp_path / "b").video)
    assert np.sqrt((loud**2).mean()) > 4 * np.sqrt((quiet**2).mean())
    assert np.sqrt((quiet**2).mean()) > 0  # even a quiet shot has room tone


def test_music_tempo_follows_the_mood() -> None:
    def bpm(mood: str) -> float | None:
        text = f"A wide shot of a harbour.\nMood: {mood}\nBackground Sound: music"
        return plan(parse(text), AnimaticRequest(text, 320, 180, 4)).sound.music_bpm

    calm, upbeat = bpm("calm"), bpm("upbeat")
    assert calm is not None and upbeat is not None and calm < upbeat


def test_captions_name_shot_framing_lens_and_move() -> None:
    boards = plan(parse(MULTI_SHOT), AnimaticRequest(MULTI_SHOT, 1280, 720, 12))
    captions = [shot.caption for shot in boards.shots]
    assert captions[0].startswith("SHOT 1/3") and "WIDE" in captions[0]
    assert "35 mm" in captions[0] and "PUSH-IN" in captions[0]
    assert "CLOSE-UP" in captions[1] and "85 mm" in captions[1] and "PAN" in captions[1]
    assert "ORBIT" in captions[2]
    assert boards.mark.startswith("OFFLINE ANIMATIC")
    assert [shot.stop - shot.start for shot in boards.shots] == [96, 96, 96]


def test_thumbnail_and_spritesheet_come_with_every_video(multi_shot: AnimaticFiles) -> None:
    thumb = Image.open(multi_shot.thumbnail)
    assert thumb.format == "WEBP" and thumb.size == (640, 360)
    sheet = Image.open(multi_shot.spritesheet)
    assert sheet.format == "JPEG"
    assert sheet.size == (4 * media.SPRITESHEET_TILE_WIDTH, 4 * 144)
    assert not list(multi_shot.video.parent.glob("*.part"))  # nothing half-written left


def test_renders_in_parallel_threads_match_renders_one_at_a_time(tmp_path: Path) -> None:
    requests = [AnimaticRequest(p, 320, 180, 1) for p in (GOLDEN, NEON, MULTI_SHOT)]
    alone = [render(r, tmp_path / f"alone{i}").video.read_bytes() for i, r in enumerate(requests)]
    together: dict[int, bytes] = {}

    def run(i: int) -> None:
        together[i] = render(requests[i], tmp_path / f"together{i}").video.read_bytes()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [together[i] for i in range(3)] == alone


def test_colour_words_cover_css_and_film_names() -> None:
    assert colour_rgb("amber") == (255, 176, 0)
    assert colour_rgb("Teal") == (0, 128, 128)
    assert colour_rgb("navy") == (0, 0, 128)
    deep = colour_rgb("deep navy")
    assert deep is not None and sum(deep) < 128
    pale = colour_rgb("pale blue")
    assert pale is not None and min(pale) > 100
    assert colour_rgb("dark slate gray") == (47, 79, 79)
    assert colour_rgb("courage") is None


@pytest.mark.parametrize(
    ("width", "height", "seconds", "take"),
    [(15, 16, 1, 1), (17, 16, 1, 1), (16, 16, 0, 1), (16, 16, 1, 0)],
)
def test_a_request_that_cannot_be_rendered_says_why(
    width: int, height: int, seconds: int, take: int
) -> None:
    with pytest.raises(ValueError, match=r"width and height|at least 1 second|numbered from 1"):
        AnimaticRequest("x", width, height, seconds, take=take)


@pytest.mark.parametrize(
    ("lengths", "frames", "expected"),
    [
        ([2.0, None, None], 96, [48, 24, 24]),  # stated seconds kept, the rest shared
        ([10.0, 10.0], 96, [48, 48]),  # lengths that overrun the clip are scaled to fit
        ([0.01, 5.0], 24, [1, 23]),  # a shot never vanishes to rounding
        ([None] * 30, 24, [1] * 24),  # more shots than frames: one frame each, while they fit
    ],
)
def test_shots_share_the_frames(
    lengths: list[float | None], frames: int, expected: list[int]
) -> None:
    text = "\n".join(f"Shot {i + 1}: wide shot of a field." for i in range(len(lengths)))
    parsed = parse(text)
    assert len(parsed.shots) == len(lengths)
    shots = [
        s.model_copy(update={"seconds": n}) for s, n in zip(parsed.shots, lengths, strict=True)
    ]
    prompt = parsed.model_copy(update={"shots": shots})
    boards = plan(prompt, AnimaticRequest(text, 320, 180, frames // FPS))
    assert [shot.stop - shot.start for shot in boards.shots] == expected
    assert boards.shots[-1].stop == frames


def test_a_broken_reference_fails_clearly_and_leaves_no_files(tmp_path: Path) -> None:
    request = AnimaticRequest("Slow push in.", 320, 180, 1, reference=b"not an image at all")
    with pytest.raises(ValueError, match="JPEG, PNG or WebP"):
        render(request, tmp_path)
    assert list(tmp_path.iterdir()) == []
