"""What the animatic draws for continuity, measured on its pixels.

- A character keeps its look: the colour histogram of its figure in a forest at noon and on a
  city street at night are close (distance under SAME), and far from another character's in the
  same shot (over DIFFERENT).
- An extension starts on its source's last frame, and the stitched video plays as one (one
  clock, no cut detected at the join).
- An edit keeps the source's layout and changes what its prompt changes.

The colours are read from the encoded video. Where the figure is comes from the renderer: its
scene is drawn a second time with the character's bands in a colour nothing else has, and the
pixels showing that colour are the figure (hidden parts, behind a lamp post, excluded).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from sora_nb import media
from sora_nb.research.metrics import measure
from sora_nb.server.cameo import read_clip
from sora_nb.server.renderers.animatic import AnimaticRequest, render
from sora_nb.server.renderers.animatic.frames import draw, pack
from sora_nb.server.renderers.animatic.pieces import plain
from sora_nb.server.renderers.base import Cameo, Segment
from tests.cameos import figure_clip

#: Colour histogram distance (see ``distance``: hue and saturation, 0 the same colours, 1 none
#: in common) of one character's figure in two different videos: at most this...
SAME = 0.2
#: ... and of two characters' figures in the same shot: at least this.
DIFFERENT = 0.7
SIZE = {"width": 320, "height": 180}
#: Frame measured, and the colour no scene uses, marking the figure.
AT = 12
MARK = (255, 0, 255)
Frame = npt.NDArray[np.uint8]
#: The frame without its captions (top), mark (top right) and timecode (bottom left).
PICTURE = (slice(40, 150), slice(None))


@pytest.fixture(scope="module")
def cast(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Cameo]:
    folder = tmp_path_factory.mktemp("cast")
    maya = figure_clip(folder / "maya.mp4", coat=(190, 30, 45), hat=(40, 70, 190))
    theo = figure_clip(folder / "theo.mp4", coat=(30, 140, 80), hat=(235, 200, 40))
    return {
        "Maya": read_clip(maya.read_bytes(), "Maya").cameo,
        "Theo": read_clip(theo.read_bytes(), "Theo").cameo,
    }


def frame(prompt: str, folder: Path, characters: tuple[Cameo, ...] = (), at: int = AT) -> Frame:
    files = render(AnimaticRequest(prompt=prompt, seconds=1, characters=characters, **SIZE), folder)
    return media.decode_frames(files.video, [at])[at]


def figure(prompt: str, folder: Path, cameo: Cameo) -> Frame:
    """The pixels of ``cameo``'s figure in the video of ``prompt`` (frame AT, as encoded)."""
    request = AnimaticRequest(prompt=prompt, seconds=1, characters=(cameo,), **SIZE)
    shown = media.decode_frames(render(request, folder).video, [AT])[AT]
    setup = plain(request).setups[0]
    marked = dataclasses.replace(
        setup.scene,
        bands=[
            dataclasses.replace(band, colour_top=MARK, colour_bottom=MARK, columns=None)
            if band.cameo == cameo.name
            else band
            for band in setup.scene.bands
        ],
    )
    canvas = np.empty((setup.scene.height, setup.scene.width), dtype=np.uint32)
    count = setup.plan.stop - setup.plan.start
    draw(marked, setup.camera(AT, count), canvas, AT)
    inside = canvas == pack(MARK)
    # To the output size, one pixel in from the figure's edge (the encoder blends edges).
    big = Image.fromarray(inside.astype(np.uint8) * 255).resize(
        (request.width, request.height), Image.Resampling.NEAREST
    )
    mask = np.asarray(big) > 0
    mask &= np.roll(mask, 1, 0) & np.roll(mask, -1, 0) & np.roll(mask, 1, 1) & np.roll(mask, -1, 1)
    assert mask.mean() > 0.02, "the figure should cover a visible part of the frame"
    return shown[mask]


def distance(a: Frame, b: Frame) -> float:
    """Half the L1 distance of two hue-saturation histograms (18 hues x 4 saturations): 0 for
    the same colours, 1 for none in common. Brightness is left out: night may darken a figure,
    and that does not make it someone else."""

    def histogram(pixels: Frame) -> npt.NDArray[np.float64]:
        hsv = np.asarray(Image.fromarray(pixels.reshape(-1, 1, 3)).convert("HSV")).reshape(-1, 3)
        hue, saturation = hsv[:, 0].astype(np.int64) * 18 // 256, hsv[:, 1].astype(np.int64) // 64
        counts = np.bincount(hue * 4 + saturation, minlength=72)
        return counts / counts.sum()

    return 0.5 * float(np.abs(histogram(a) - histogram(b)).sum())


def test_a_character_looks_the_same_in_two_videos_and_unlike_another(
    cast: dict[str, Cameo], tmp_path: Path
) -> None:
    scenes = {
        "forest": "{} walks through a forest at noon.",
        "city": "{} waits on a city street at night, neon signs.",
    }
    found = {
        (name, place): figure(text.format(name), tmp_path / place / name, cast[name])
        for place, text in scenes.items()
        for name in cast
    }
    for name in cast:
        across_videos = distance(found[(name, "forest")], found[(name, "city")])
        assert across_videos < SAME, (name, across_videos)
    for place in scenes:
        across_characters = distance(found[("Maya", place)], found[("Theo", place)])
        assert across_characters > DIFFERENT, (place, across_characters)


def test_an_unnamed_character_is_not_drawn(cast: dict[str, Cameo], tmp_path: Path) -> None:
    text = "A woman walks through a forest at noon."
    with_clip = frame(text, tmp_path / "a", (cast["Maya"],))
    without = frame(text, tmp_path / "b")
    assert np.array_equal(with_clip, without)


def test_an_extension_starts_on_its_sources_last_frame_and_plays_as_one(
    cast: dict[str, Cameo], tmp_path: Path
) -> None:
    root = Segment("Maya walks through a forest at noon; slow pan.", 2)
    source = render(
        AnimaticRequest(prompt=root.prompt, seconds=2, characters=(cast["Maya"],), **SIZE),
        tmp_path / "source",
    ).video
    extension = Segment("She stops and looks up at the trees; push-in.", 2)
    stitched = render(
        AnimaticRequest(
            prompt=extension.prompt,
            seconds=4,
            characters=(cast["Maya"],),
            segments=(root, extension),
            keep=source,
            **SIZE,
        ),
        tmp_path / "extended",
    ).video
    last = media.decode_frames(source, [47])[47][PICTURE].astype(np.int16)
    got = {i: f[PICTURE] for i, f in media.decode_frames(stitched, [47, 48, 95]).items()}
    # The source is kept as it was; the new segment opens on the same picture (its caption and
    # timecode, left out here, say EXT 1 and 00:00:02:00), and moves on from there.
    assert np.abs(got[47] - last).mean() < 0.5
    assert np.abs(got[48] - last).mean() < 2.0
    assert np.abs(got[95] - last).mean() > 5 * np.abs(got[48] - last).mean()
    info = media.probe(stitched)
    assert (info.duration, info.frame_count, info.fps, info.has_audio) == (4.0, 96, 24.0, True)
    metrics = measure(stitched)
    assert all(abs(cut - 2.0) > 0.2 for cut in metrics.cut_times), metrics.cut_times


def explained(source: Frame, other: Frame) -> float:
    """How much of ``other``'s colour variation the regions of ``source`` explain (the
    correlation ratio, 0 to 1): near 1 when both are drawn over the same shapes, whatever
    their colours."""
    a = source[PICTURE].reshape(-1, 3).astype(np.int64)
    b = other[PICTURE].reshape(-1, 3).astype(np.float64)
    regions = (a // 32) @ np.array([64, 8, 1])
    total = float(((b - b.mean(axis=0)) ** 2).sum())
    within = 0.0
    for region in np.unique(regions):
        part = b[regions == region]
        within += float(((part - part.mean(axis=0)) ** 2).sum())
    return 1 - within / total


@pytest.mark.parametrize(
    ("text", "edit", "fresh"),
    [
        (
            "A fox trots across a meadow at noon; static shot.",
            "Make it night.",
            "A fox trots across a meadow at night; static shot.",
        ),
        (
            "Maya sits in a cafe by the window, morning.",
            "Make it rain outside.",
            "Maya sits in a cafe by the window, morning, rain outside.",
        ),
    ],
)
def test_an_edit_keeps_the_scene_and_changes_what_it_says(
    text: str, edit: str, fresh: str, tmp_path: Path
) -> None:
    source = frame(text, tmp_path / "source")
    request = AnimaticRequest(
        prompt=edit, seconds=1, segments=(Segment(text, 1, edits=(edit,)),), **SIZE
    )
    edited = media.decode_frames(render(request, tmp_path / "edit").video, [AT])[AT]
    # The same change asked of a new video: the same words, other shapes.
    anew = frame(fresh, tmp_path / "fresh")
    assert explained(source, edited) > 0.6
    assert explained(source, anew) < 0.45
    assert not np.array_equal(source[PICTURE], edited[PICTURE])
    if "night" in edit:
        assert source.mean() - edited.mean() > 25  # night fell
