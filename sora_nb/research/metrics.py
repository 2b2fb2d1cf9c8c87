"""Local metrics per take, measured on the CPU with no model weights, cached in the ledger.

One decoding pass reads the picture at 160 px wide (motion, flicker, colourfulness, cuts), a
few evenly spaced frames at up to 640 px wide (sharpness) and the sound at 48 kHz (loudness,
silence), frame by frame: a long clip costs time, not memory for its frames.

Only PyAV and numpy are used. OpenCV (optical flow), PySceneDetect and pyloudnorm were
considered; frame difference, an adaptive content-change detector and a numpy BS.1770 meter
give the same readings for these uses without tens of megabytes of extra wheels.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import av
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sora_nb import media
from sora_nb.research import loudness, picture
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.take import Take

#: Bumped whenever a metric's definition changes, so cached readings are measured again.
METRICS_VERSION = 2
ANALYSIS_WIDTH = 160
SHARPNESS_WIDTH = 640
SHARPNESS_FRAMES = 8
#: The metric names a results table shows, in order.
METRIC_COLUMNS = (
    "motion",
    "sharpness",
    "flicker",
    "colourfulness",
    "cuts",
    "loudness_lufs",
    "silence_ratio",
)


class ClipMetrics(BaseModel):
    """What one clip measures: picture and sound statistics a comparison can sort by."""

    model_config = ConfigDict(frozen=True)

    version: int = METRICS_VERSION
    duration: float = Field(description="seconds of picture decoded")
    frames: int
    #: Mean frame-to-frame change, 0-255 per channel, cuts left out: about 0 for a still.
    motion: float
    #: Variance of the Laplacian of luma on frames up to 640 px wide: higher is crisper.
    sharpness: float
    #: Mean brightness jitter between neighbouring frames (0-255): about 0 for steady light.
    flicker: float
    #: Hasler-Süsstrunk colourfulness: 0 grey, 15 dull, 60 vivid, 100+ extremely colourful.
    colourfulness: float
    #: Hard cuts (shot boundaries) and when each happens, in seconds.
    cuts: int
    cut_times: list[float]
    #: Integrated loudness (ITU-R BS.1770-4), None with no sound or only silence.
    loudness_lufs: float | None
    #: Share of 100 ms windows below -50 dBFS; None when the clip has no audio track.
    silence_ratio: float | None

    def summary(self) -> str:
        """One short line for a grid cell: ``motion 1.4 · sharp 363 · 2 cuts · -17.7 LUFS``."""
        parts = [
            f"motion {self.motion:.1f}",
            f"sharp {self.sharpness:.0f}",
            f"colour {self.colourfulness:.0f}",
            f"flicker {self.flicker:.2f}",
            f"{self.cuts} cut" + ("" if self.cuts == 1 else "s"),
        ]
        if self.loudness_lufs is not None:
            parts.append(f"{self.loudness_lufs:.1f} LUFS")
        elif self.silence_ratio is None:
            parts.append("no sound")
        else:
            parts.append("silent")
        return " · ".join(parts)

    def row(self) -> dict[str, Any]:
        """The metrics a results table shows, rounded for reading."""
        data = self.model_dump()
        return {
            name: round(data[name], 3) if isinstance(data[name], float) else data[name]
            for name in METRIC_COLUMNS
        }


class MetricsError(ValueError):
    """A take cannot be measured; the message says why and what to do."""


def measure(path: Path | str) -> ClipMetrics:
    """Measure a video file: motion, sharpness, flicker, colourfulness, cuts, loudness, silence."""
    info = media.probe(path)
    fps = info.fps or 24.0
    width = _even(min(ANALYSIS_WIDTH, info.width))
    height = _even(max(2, round(width * info.height / info.width)))
    sharp_w = _even(min(SHARPNESS_WIDTH, info.width))
    sharp_h = _even(max(2, round(sharp_w * info.height / info.width)))
    sampled = set(media.sample_indices(info.frame_count, SHARPNESS_FRAMES))

    changes: list[float] = []
    brightness: list[float] = []
    colour: list[float] = []
    sharp: list[float] = []
    chunks: list[np.ndarray[Any, np.dtype[np.float64]]] = []
    names: list[str] = []
    previous: picture.Frame | None = None
    before: picture.Frame | None = None  # the frame before ``previous``, to tell flashes
    skips: list[float] = []
    count = 0
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        streams: list[Any] = [video]
        resampler = None
        if container.streams.audio:
            audio = container.streams.audio[0]
            streams.append(audio)
            layout = audio.layout
            names = [channel.name for channel in layout.channels]
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=loudness.RATE)
        for packet in container.demux(*streams):
            for frame in packet.decode():
                if isinstance(frame, av.VideoFrame):
                    small = _rgb(frame, width, height)
                    if previous is not None:
                        changes.append(picture.change(previous, small))
                    if before is not None:
                        skips.append(picture.change(before, small))
                    brightness.append(float(picture.luma(small).mean()))
                    colour.append(picture.colourfulness(small))
                    if count in sampled:
                        big = _rgb(frame, sharp_w, sharp_h)
                        sharp.append(picture.sharpness(big))
                    before, previous = previous, small
                    count += 1
                elif isinstance(frame, av.AudioFrame) and resampler is not None:
                    for out in resampler.resample(frame):
                        chunks.append(out.to_ndarray().astype(np.float64))
        if resampler is not None:
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().astype(np.float64))
    if count == 0:
        raise MetricsError(f"{path} has no decodable frames; the file may be truncated.")
    cuts = picture.detect_cuts(changes, fps, skips)
    lufs: float | None = None
    silence: float | None = None
    if resampler is not None:
        samples = np.concatenate(chunks, axis=1) if chunks else np.zeros((len(names), 0))
        lufs = loudness.integrated_loudness(samples, loudness.channel_weights(names))
        silence = loudness.silence_ratio(samples)
    return ClipMetrics(
        duration=count / fps,
        frames=count,
        motion=picture.motion(changes, cuts),
        sharpness=float(np.mean(sharp)) if sharp else 0.0,
        flicker=picture.flicker(brightness, cuts),
        colourfulness=float(np.mean(colour)),
        cuts=len(cuts),
        cut_times=[round(cut / fps, 3) for cut in cuts],
        loudness_lufs=lufs,
        silence_ratio=silence,
    )


def cached(take: Take) -> ClipMetrics | None:
    """The metrics stored with this take, if they were measured by this version of sora_nb."""
    if take.metrics.get("version") != METRICS_VERSION:
        return None
    try:
        return ClipMetrics.model_validate(take.metrics)
    except ValueError:
        return None


def take_metrics(take: Take, ledger: Ledger, *, refresh: bool = False) -> ClipMetrics:
    """Measure a completed take once and keep the result in the ledger (later calls read it)."""
    if not refresh:
        found = cached(take)
        if found is not None:
            return found
    if take.status != "completed":
        raise MetricsError(
            f"take {take.id} is {take.status}; only completed takes have a video to measure."
        )
    path = take.video_path
    if not path.is_file():
        raise MetricsError(
            f"take {take.id} has no video at {path}; run the grid again to download it."
        )
    result = measure(path)
    data = result.model_dump(mode="json")
    ledger.update(take.id, metrics=data)
    take.update(metrics=data)
    return result


def measure_takes(
    takes: Iterable[Take], ledger: Ledger, *, refresh: bool = False
) -> dict[str, ClipMetrics]:
    """Metrics for every completed take (take id -> metrics); others are left out."""
    return {
        take.id: take_metrics(take, ledger, refresh=refresh)
        for take in takes
        if take.status == "completed"
    }


def _rgb(frame: av.VideoFrame, width: int, height: int) -> picture.Frame:
    """The frame as RGB, scaled by FFmpeg's scaler (cheaper than decoding big and shrinking)."""
    return np.asarray(frame.to_ndarray(format="rgb24", width=width, height=height), np.uint8)


def _even(value: int) -> int:
    return max(2, value - value % 2)
