"""sora_nb.media: probing videos, thumbnails and spritesheets from them, reference images."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from sora_nb import media

FPS = 24


def _colour(i: int) -> tuple[int, int, int]:
    """A distinct, codec-proof colour for frame ``i`` (large steps, so compression keeps them)."""
    return (40 + (i * 37) % 180, 40 + (i * 83) % 180, 40 + (i * 53) % 180)


def _write_clip(
    path: Path, frames: int, width: int = 160, height: int = 96, audio: bool = True
) -> None:
    with av.open(str(path), "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.options = {"preset": "ultrafast", "crf": "10"}
        sound = container.add_stream("aac", rate=48_000) if audio else None
        if sound is not None:
            sound.layout = "mono"
        for i in range(frames):
            rgb = np.empty((height, width, 3), dtype=np.uint8)
            rgb[:] = _colour(i)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
        if sound is not None:
            samples = frames * 48_000 // FPS
            tone = np.sin(np.arange(samples) * 2 * np.pi * 440 / 48_000).astype(np.float32)
            chunk = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="fltp", layout="mono")
            chunk.sample_rate, chunk.pts = 48_000, 0
            for packet in sound.encode(chunk):
                container.mux(packet)
            for packet in sound.encode(None):
                container.mux(packet)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("media") / "clip.mp4"
    _write_clip(path, frames=48)
    return path


def _image(fmt: str, width: int, height: int) -> bytes:
    """Red left and right thirds, a green middle: shows where a centre crop was taken."""
    rgb = np.zeros((height, width, 3), dtype=np.uint8)
    rgb[:, :] = (220, 20, 20)
    rgb[:, width // 3 : 2 * width // 3] = (20, 200, 20)
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, fmt)
    return out.getvalue()


def test_probe_reports_size_duration_rate_frames_and_audio(clip: Path, tmp_path: Path) -> None:
    info = media.probe(clip)
    assert (info.width, info.height) == (160, 96)
    assert info.fps == pytest.approx(24)
    assert info.frame_count == 48
    assert info.duration == pytest.approx(2.0, abs=1 / FPS)
    assert info.has_audio
    silent = tmp_path / "silent.mp4"
    _write_clip(silent, frames=24, audio=False)
    assert not media.probe(silent).has_audio


def test_probe_says_what_is_wrong_with_a_bad_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"missing\.mp4"):
        media.probe(tmp_path / "missing.mp4")
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video" * 10)
    with pytest.raises(ValueError, match="not a readable video"):
        media.probe(junk)


def test_thumbnail_is_a_webp_of_the_frame_one_third_in(clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "thumb.webp"
    data = media.thumbnail_from_video(clip, out)
    assert out.read_bytes() == data
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    assert image.size == (160, 96)
    mean = np.asarray(image.convert("RGB")).reshape(-1, 3).mean(axis=0)
    assert np.abs(mean - _colour(48 // 3)).max() < 12


def test_thumbnail_of_a_large_video_is_at_most_640_wide(tmp_path: Path) -> None:
    big = tmp_path / "big.mp4"
    _write_clip(big, frames=3, width=1280, height=720, audio=False)
    image = Image.open(io.BytesIO(media.thumbnail_from_video(big)))
    assert image.size == (640, 360)


def test_spritesheet_is_a_jpeg_grid_of_evenly_spaced_frames(clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "sheet.jpg"
    data = media.spritesheet_from_video(clip, out, columns=3, rows=2)
    assert out.read_bytes() == data
    sheet = Image.open(io.BytesIO(data))
    assert sheet.format == "JPEG"
    tile_w, tile_h = media.SPRITESHEET_TILE_WIDTH, round(media.SPRITESHEET_TILE_WIDTH * 96 / 160)
    assert sheet.size == (3 * tile_w, 2 * tile_h)
    pixels = np.asarray(sheet.convert("RGB")).astype(float)
    for n, index in enumerate(media.sample_indices(48, 6)):
        row, col = divmod(n, 3)
        tile = pixels[
            row * tile_h + 8 : (row + 1) * tile_h - 8, col * tile_w + 8 : (col + 1) * tile_w - 8
        ]
        assert np.abs(tile.reshape(-1, 3).mean(axis=0) - _colour(index)).max() < 12, n
    assert media.sample_indices(48, 6) == [4, 12, 20, 28, 36, 44]


def test_helpers_return_bytes_for_a_caller_that_stores_them(clip: Path) -> None:
    # The runner derives missing variants and writes them itself.
    assert media.thumbnail_from_video(clip)[:4] == b"RIFF"
    assert media.spritesheet_from_video(clip)[:2] == b"\xff\xd8"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_fit_image_crops_the_centre_to_the_exact_size_and_keeps_the_format(fmt: str) -> None:
    fitted = media.fit_image(_image(fmt, 600, 300), 90, 160)
    kind, width, height = media.image_info(fitted)
    assert (kind, width, height) == (fmt, 90, 160)
    rgb = np.asarray(Image.open(io.BytesIO(fitted)).convert("RGB")).astype(int)
    # A tall crop from the middle of a wide image is all green middle, no red sides.
    assert rgb[:, :, 1].mean() > 150 and rgb[:, :, 0].mean() < 60


def test_fit_image_turns_other_formats_into_png() -> None:
    out = io.BytesIO()
    Image.new("RGB", (50, 40), (1, 2, 3)).save(out, "BMP")
    assert media.image_info(media.fit_image(out.getvalue(), 20, 20)) == ("PNG", 20, 20)


def test_image_info_names_format_and_size() -> None:
    assert media.image_info(_image("PNG", 64, 48)) == ("PNG", 64, 48)
    assert media.image_info(_image("JPEG", 64, 48)) == ("JPEG", 64, 48)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a-but-not-really" * 3, "JPEG, PNG or WebP"),
        (b"<html>not an image</html>", "JPEG, PNG or WebP"),
    ],
)
def test_image_info_explains_bytes_that_are_not_an_image(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        media.image_info(data)


def test_truncated_image_is_reported_as_damaged() -> None:
    png = _image("PNG", 64, 48)
    with pytest.raises(ValueError, match="damaged or truncated"):
        media.image_info(png[: len(png) // 2])


def test_decode_image_fits_to_the_size_asked() -> None:
    rgb = media.decode_image(_image("PNG", 300, 300), 64, 36)
    assert rgb.shape == (36, 64, 3) and rgb.dtype == np.uint8
