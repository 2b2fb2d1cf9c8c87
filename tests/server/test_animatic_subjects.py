"""The storyboard draws what you wrote: subjects, counts, places and weather, recognizably.

Each everyday prompt is rendered; the renderer's report says which drawing stands for which
words and where it is, and the decoded frames must show it there: unlike the background (the
same frame without the things) and unlike the fallback drawing in its place.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from sora_nb import media
from sora_nb.prompt import parse
from sora_nb.server.renderers.animatic import AnimaticFiles, AnimaticRequest, render
from sora_nb.server.renderers.animatic.report import drawings, still
from sora_nb.server.renderers.animatic.storyboard import plan
from sora_nb.server.renderers.animatic.subjects import motion_of, things_of, weather_of
from tests.server.subject_prompts import CROSSING, SUBJECT_PROMPTS

W, H = 640, 360
PROMPTS = [prompt for prompt, _ in SUBJECT_PROMPTS]


def _request(prompt: str) -> AnimaticRequest:
    return AnimaticRequest(prompt, W, H, 2)


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, AnimaticFiles]:
    folder = tmp_path_factory.mktemp("subjects")
    return {p: render(_request(p), folder / str(i)) for i, p in enumerate(PROMPTS)}


def _picture_rows(box: tuple[int, int, int, int]) -> tuple[slice, slice]:
    """The box without the caption and label band (top) and timecode and credit (bottom)."""
    x0, y0, x1, y1 = box
    return slice(max(y0, round(0.16 * H)), min(y1, round(0.88 * H))), slice(x0, x1)


Frame = npt.NDArray[np.uint8]


def _differ(a: Frame, b: Frame, where: tuple[slice, slice]) -> float:
    return float(np.abs(a[where].astype(np.int16) - b[where].astype(np.int16)).mean())


@pytest.mark.parametrize(("prompt", "wanted"), SUBJECT_PROMPTS, ids=range(len(PROMPTS)))
def test_each_named_thing_is_drawn_where_the_report_says(
    videos: dict[str, AnimaticFiles], prompt: str, wanted: frozenset[str]
) -> None:
    request = _request(prompt)
    drawn = drawings(request)
    assert wanted <= {d.key for d in drawn}, (prompt, drawn)
    frames = media.decode_frames(videos[prompt].video, sorted({d.frame for d in drawn}))
    for d in drawn:
        where = _picture_rows(d.box)
        assert where[0].stop - where[0].start > 4 and d.box[2] - d.box[0] > 4, d
        frame = frames[d.frame]
        # The frame is the picture the report describes ...
        assert _differ(frame, still(request, d.frame), where) < 6, d
        # ... with the thing drawn: unlike the background and unlike the stand-in drawing.
        assert _differ(frame, still(request, d.frame, things="none"), where) > 12, d
        assert _differ(frame, still(request, d.frame, things="fallback"), where) > 12, d


def test_every_everyday_prompt_gets_real_drawings_not_the_fallback() -> None:
    keys = [{d.key for d in drawings(_request(p))} for p in PROMPTS]
    assert all(k and "fallback" not in k for k in keys), keys


@pytest.mark.parametrize("prompt", CROSSING)
def test_a_subject_said_to_cross_left_to_right_does(
    videos: dict[str, AnimaticFiles], prompt: str
) -> None:
    request = _request(prompt)
    start, end = drawings(request, at=0.0), drawings(request, at=1.0)
    assert start[0].box[0] < end[0].box[0]
    frames = media.decode_frames(videos[prompt].video, [start[0].frame, end[0].frame])
    centres = []
    for d in (start[0], end[0]):
        # Where the frame differs from its background: the thing, wherever it has got to.
        background = still(request, d.frame, things="none").astype(np.int16)
        changed = np.abs(frames[d.frame].astype(np.int16) - background).max(axis=2) > 40
        changed[: round(0.16 * H)] = changed[round(0.88 * H) :] = False
        columns = np.nonzero(changed)[1]
        assert columns.size > 200, d
        centres.append(columns.mean())
    assert centres[1] - centres[0] > 0.05 * W, centres


def test_an_unknown_word_gets_the_fallback_drawing_and_its_name() -> None:
    request = _request("A quokka on a rock at noon.")
    (drawn,) = drawings(request)
    assert (drawn.key, drawn.name) == ("fallback", "quokka")
    assert plan(parse(request.prompt), request).label == "quokka"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A golden retriever by a lake", [("golden retriever", "dog", 1)]),
        ("Three puppies in a basket", [("puppies", "dog", 3)]),
        ("A fishing boat in the harbour", [("fishing boat", "boat", 1)]),
        ("Two kids and a dog", [("kids", "person", 2), ("dog", "dog", 1)]),
        ("A lighthouse on a rocky point with gulls", [("lighthouse", "lighthouse", 1)]),
        ("A crowd in a square", [("crowd", "person", 7)]),
    ],
)
def test_words_match_drawings_longest_phrase_first_with_counts(
    text: str, expected: list[tuple[str, str, int]]
) -> None:
    things = things_of(parse(text))
    got = [(t.name, t.entry.key if t.entry else "fallback", t.count) for t in things]
    assert got[: len(expected)] == expected
    assert things[0].subject


def test_gulls_beside_a_lighthouse_are_the_other_thing() -> None:
    things = things_of(parse("A red lighthouse on a rocky point with gulls"))
    assert [t.entry.key for t in things if t.entry] == ["lighthouse", "gull"]


@pytest.mark.parametrize(
    ("text", "kind", "pose"),
    [
        ("A man walks across the square", "cross", "walk"),
        ("A girl running on the beach", "cross", "run"),
        ("An old man sitting on a bench", "idle", "sit"),
        ("A couple dancing in the kitchen", "idle", "dance"),
        ("A woman waving from a balcony", "idle", "wave"),
        ("A dog approaches the camera", "approach", "stand"),
        ("A rocket rises into the sky", "rise", "stand"),
        ("A leaf falls from a tree", "fall", "stand"),
        ("An eagle circles over the valley", "circle", "stand"),
    ],
)
def test_motion_and_pose_follow_the_action(text: str, kind: str, pose: str) -> None:
    prompt = parse(text)
    motion = motion_of(prompt, prompt.resolved_shots()[0])
    assert (motion.kind, motion.pose) == (kind, pose)


def test_adverbs_set_the_speed_and_right_to_left_the_direction() -> None:
    def travel(text: str) -> int:
        request = _request(text)
        start, end = drawings(request, at=0.0)[0], drawings(request, at=1.0)[0]
        return end.box[0] - start.box[0]

    slow = travel("A horse walks slowly across a meadow, wide shot.")
    fast = travel("A horse walks quickly across a meadow, wide shot.")
    assert 0 < slow < fast / 2
    assert travel("A horse walks across a meadow from right to left, wide shot.") < 0


def test_scale_follows_framing_and_two_subjects_stand_apart() -> None:
    def height(framing: str) -> int:
        (drawn,) = drawings(_request(f"{framing} of a cat on a rug."))
        return drawn.box[3] - drawn.box[1]

    assert height("Extreme wide shot") < height("Wide shot") < height("Close-up") - 100
    first, second = drawings(_request("A horse and a cow in a field, wide shot."))
    assert first.box[2] <= second.box[0] or second.box[2] <= first.box[0]


@pytest.mark.parametrize(
    ("text", "effects"),
    [
        ("A street in the rain", {"rain"}),
        ("A cabin in the snow", {"snow"}),
        ("A harbour in thick fog", {"fog"}),
        ("A windy hilltop", {"wind"}),
        ("A castle in a thunderstorm", {"rain", "lightning"}),
    ],
)
def test_weather_words_become_effects(text: str, effects: set[str]) -> None:
    assert weather_of(parse(text)) == effects


def test_lightning_flashes_the_frame(tmp_path: Path) -> None:
    request = AnimaticRequest("A castle on a hill, lightning.", 320, 180, 3)
    frames = media.decode_frames(render(request, tmp_path).video, range(72))
    brightness = np.array([frames[i][30:150].mean() for i in range(72)])
    assert brightness.max() > np.median(brightness) + 40


def test_captions_say_only_what_was_given_and_the_label_names_the_subject_once() -> None:
    prompt = "A red lighthouse on a rocky point with gulls, wide shot, 35mm, orbit."
    board = plan(parse(prompt), _request(prompt))
    assert board.shots[0].caption == "SHOT 1/1  ·  WIDE  ·  35 mm  ·  ORBIT"
    assert board.label == "lighthouse  ·  gulls"
    bare = plan(parse("A cat on a rug."), _request("A cat on a rug."))
    assert bare.shots[0].caption == "SHOT 1/1"  # no "lens n/a", no guessed framing or move
    assert "OpenMoji" in board.credit


def test_a_drawing_renders_the_same_bytes_twice(tmp_path: Path) -> None:
    request = AnimaticRequest("Two kids and a dog run across a meadow in the rain.", 320, 180, 1)
    first = render(request, tmp_path / "a").video.read_bytes()
    assert first == render(request, tmp_path / "b").video.read_bytes()
