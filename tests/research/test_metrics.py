"""Local metrics on synthetic clips whose properties we know, and on bundled-server takes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sora_nb.research import loudness
from sora_nb.research.metrics import ClipMetrics, measure
from tests.research.clips import RATE, panning, shots, still, tone, write_clip

FPS = 24


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ClipMetrics]:
    folder = tmp_path_factory.mktemp("clips")
    made = {
        "still": write_clip(folder / "still.mp4", still(), 48, audio=tone(2, -23)),
        "pan": write_clip(folder / "pan.mp4", panning(speed=6), 48),
        "cuts": write_clip(folder / "cuts.mp4", shots([24, 60]), 96),
        "half_silent": write_clip(
            folder / "half.mp4",
            still(),
            96,
            audio=np.concatenate([tone(2, -20), np.zeros((2, 2 * RATE))], axis=1),
        ),
    }
    return {name: measure(path) for name, path in made.items()}


def test_a_still_clip_has_about_zero_motion_and_a_pan_has_plenty(
    clips: dict[str, ClipMetrics],
) -> None:
    assert clips["still"].motion < 0.5
    assert clips["pan"].motion > 20 * max(clips["still"].motion, 0.1)
    assert clips["still"].frames == 48 and clips["still"].duration == pytest.approx(2.0)


def test_two_hard_cuts_are_counted_at_their_times_and_a_pan_has_none(
    clips: dict[str, ClipMetrics],
) -> None:
    assert clips["cuts"].cuts == 2
    assert clips["cuts"].cut_times == pytest.approx([24 / FPS, 60 / FPS])
    assert clips["pan"].cuts == 0 and clips["still"].cuts == 0
    # The cuts are not counted as motion: the shots pan at 2 px a frame, slower than "pan".
    assert clips["cuts"].motion < clips["pan"].motion


def test_a_sine_at_minus_23_lufs_measures_minus_23_after_aac(
    clips: dict[str, ClipMetrics],
) -> None:
    assert clips["still"].loudness_lufs == pytest.approx(-23.0, abs=0.5)
    assert clips["still"].silence_ratio == pytest.approx(0.0, abs=0.06)


def test_silence_ratio_counts_the_quiet_half_and_no_track_reads_none(
    clips: dict[str, ClipMetrics],
) -> None:
    assert clips["half_silent"].silence_ratio == pytest.approx(0.5, abs=0.06)
    # Gating leaves the silence out of the loudness: the tone alone is -20 dBFS stereo.
    assert clips["half_silent"].loudness_lufs == pytest.approx(-20.0, abs=0.5)
    assert clips["pan"].loudness_lufs is None and clips["pan"].silence_ratio is None


def test_flicker_separates_a_strobe_from_a_steady_fade(tmp_path: Path) -> None:
    base = still()(0).astype(np.int16)

    def strobe(i: int) -> np.ndarray:
        return np.clip(base + (24 if i % 2 else -24), 0, 255).astype(np.uint8)

    def fade(i: int) -> np.ndarray:
        return np.clip(base * (1 - i / 60), 0, 255).astype(np.uint8)

    strobing = measure(write_clip(tmp_path / "strobe.mp4", strobe, 36))
    fading = measure(write_clip(tmp_path / "fade.mp4", fade, 36))
    assert strobing.flicker > 15
    assert fading.flicker < 1.0
    assert strobing.cuts == 0  # a strobe every frame is not a string of cuts


def test_colourfulness_and_sharpness_rank_pictures_the_way_they_look(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    grey = np.kron(rng.integers(0, 256, (45, 80, 1), dtype=np.uint8), np.ones((4, 4, 3), np.uint8))
    vivid = np.zeros((180, 320, 3), np.uint8)
    vivid[:, :160] = (230, 20, 40)
    vivid[:, 160:] = (20, 60, 230)
    # The same grey texture, blurred by averaging 8x8 blocks then scaling back up.
    soft = np.kron(grey[::8, ::8], np.ones((8, 8, 1), np.uint8))
    m_grey = measure(write_clip(tmp_path / "grey.mp4", lambda i: grey, 6))
    m_vivid = measure(write_clip(tmp_path / "vivid.mp4", lambda i: vivid, 6))
    m_soft = measure(write_clip(tmp_path / "soft.mp4", lambda i: soft, 6))
    assert m_grey.colourfulness < 5
    assert m_vivid.colourfulness > 60
    assert m_grey.sharpness > 2 * m_soft.sharpness


def test_the_meter_reads_ebu_3341_reference_signals_to_a_tenth() -> None:
    # Case 1 and 2: stereo 1 kHz sines at -23 and -33 dBFS read -23 and -33 LUFS.
    assert loudness.integrated_loudness(tone(20, -23)) == pytest.approx(-23.0, abs=0.1)
    assert loudness.integrated_loudness(tone(20, -33)) == pytest.approx(-33.0, abs=0.1)
    # Case 3: -36 / -23 / -36 dBFS for 10 / 60 / 10 s: the relative gate drops the quiet ends.
    gated = np.concatenate([tone(10, -36), tone(60, -23), tone(10, -36)], axis=1)
    assert loudness.integrated_loudness(gated) == pytest.approx(-23.0, abs=0.1)
    # BS.1770: a 0 dBFS 997 Hz sine in one channel reads -3.01 LUFS.
    mono = tone(10, 0.0, hz=997, channels=1)
    assert loudness.integrated_loudness(mono) == pytest.approx(-3.01, abs=0.05)
    # The K-weighting lifts highs: a 4 kHz tone reads louder than 1 kHz at the same level,
    # and the RLB high-pass cuts 20 Hz hard.
    assert loudness.integrated_loudness(tone(5, -23, hz=4000)) > -23 + 3
    assert loudness.integrated_loudness(tone(5, -23, hz=20)) < -23 - 10


def test_silence_and_too_short_audio_have_no_loudness() -> None:
    assert loudness.integrated_loudness(np.zeros((2, RATE * 2))) is None
    assert loudness.integrated_loudness(tone(0.3, -20)) is None
    assert loudness.silence_ratio(np.zeros((2, RATE))) == 1.0
    assert loudness.channel_weights(["FL", "FR", "FC", "LFE", "BL", "BR"]) == [
        1.0,
        1.0,
        1.0,
        0.0,
        1.41,
        1.41,
    ]


def test_the_one_line_summary_names_what_a_grid_cell_shows(
    clips: dict[str, ClipMetrics],
) -> None:
    assert "2 cuts" in clips["cuts"].summary() and "no sound" in clips["cuts"].summary()
    still_line = clips["still"].summary()
    assert still_line.startswith("motion 0.") and "0 cuts" in still_line
    assert f"{clips['still'].loudness_lufs:.1f} LUFS" in still_line


def test_a_one_frame_flash_is_not_a_cut_but_a_cut_after_it_is(tmp_path: Path) -> None:
    texture = still()(0)
    white = np.full_like(texture, 255)
    other = shots([1])(30)  # a different picture: a new shot

    def flash(i: int) -> np.ndarray:
        return white if i == 20 else texture if i < 40 else other

    result = measure(write_clip(tmp_path / "flash.mp4", flash, 60))
    assert result.cuts == 1 and result.cut_times == pytest.approx([40 / FPS], abs=1e-3)
