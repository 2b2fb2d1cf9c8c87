"""The grid as one labelled MP4: every cell on one timeline, headers burned in, one soundtrack.

Each cell's video is decoded frame by frame and scaled by FFmpeg's scaler straight to the cell
size; the mosaic is encoded once (H.264 + AAC) as it is assembled, so memory holds one frame
per cell plus the canvas, whatever the clips' length. A shorter clip holds its last frame.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import numpy as np
import numpy.typing as npt

from sora_nb import media
from sora_nb.research.layout import Layout, background_array, grid_layout
from sora_nb.runs.grid import GridRun

RATE = 48_000
AUDIO_BITRATE = 160_000
#: x264 settings: "veryfast" keeps a 3x3 grid of 8 s takes well under half a minute on 2 cores.
X264_OPTIONS = {"preset": "veryfast", "crf": "21", "g": "48"}

Audio = npt.NDArray[np.float32]
Sound = Literal["mix"] | int | None


class MosaicError(ValueError):
    """A mosaic cannot be made as asked; the message says what to change."""


@dataclass
class _Cell:
    """A cell's decoder, positioned on the mosaic's timeline."""

    x: int
    y: int
    frames: Generator[tuple[float, npt.NDArray[np.uint8]], None, None]
    current: npt.NDArray[np.uint8] | None = None
    upcoming: tuple[float, npt.NDArray[np.uint8]] | None = None
    done: bool = False

    def at(self, t: float) -> npt.NDArray[np.uint8] | None:
        """The frame on screen at ``t`` seconds: the last one whose time has come."""
        while not self.done:
            if self.upcoming is None:
                try:
                    self.upcoming = next(self.frames)
                except StopIteration:
                    self.done = True
                    break
            when, picture = self.upcoming
            if when > t + 1e-6 and self.current is not None:
                break
            self.current, self.upcoming = picture, None
        return self.current


def render_mosaic(
    run: GridRun,
    out_path: Path | str,
    *,
    cell_width: int = 640,
    page: int = 0,
    take: int = 1,
    audio: Sound = "mix",
    fps: float | None = None,
) -> Path:
    """Write the grid as one MP4: column and row headers, every cell playing in step.

    ``audio`` is ``"mix"`` (all cells' sound mixed), a cell index (that cell alone, like the
    grid's solo button) or None (silent). ``cell_width`` sets each cell's width in pixels
    (640 makes a 3x3 grid of 16:9 takes 1920x1080 plus headers).
    """
    layout = grid_layout(run.plan, run.takes, cell_width=cell_width, page=page, take=take)
    playable = [slot for slot in layout.slots if slot.take is not None]
    if not playable:
        raise MosaicError(
            "No cell on this page has a completed take with its video; run the grid first."
        )
    infos = {slot.cell: media.probe(slot.take.video_path) for slot in playable if slot.take}
    rate = fps or max(info.fps for info in infos.values())
    duration = max(info.duration for info in infos.values())
    total = max(1, round(duration * rate))
    soundtrack = _soundtrack(layout, audio, total / rate)

    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(f".{out.name}.part")
    canvas = background_array(layout)
    cells = [
        _Cell(slot.x, slot.y, _frames(slot.take.video_path, layout))
        for slot in playable
        if slot.take is not None
    ]
    time_base = Fraction(1, int(rate)) if float(rate).is_integer() else Fraction(1, 1000)
    try:
        with av.open(str(part), "w", format="mp4", options={"movflags": "+faststart"}) as container:
            video = container.add_stream("libx264", rate=Fraction(rate).limit_denominator(1001))
            video.width, video.height, video.pix_fmt = layout.width, layout.height, "yuv420p"
            video.codec_context.time_base = time_base
            video.codec_context.options = dict(X264_OPTIONS)
            sound = None
            if soundtrack is not None:
                sound = container.add_stream("aac", rate=RATE)
                sound.layout = "stereo"
                sound.bit_rate = AUDIO_BITRATE
            sent = 0
            for index in range(total):
                t = index / rate
                for cell in cells:
                    picture = cell.at(t)
                    if picture is not None:
                        h, w = picture.shape[:2]
                        canvas[cell.y : cell.y + h, cell.x : cell.x + w] = picture
                frame = av.VideoFrame.from_ndarray(canvas, format="rgb24").reformat(
                    format="yuv420p"
                )
                frame.pts = round(t / time_base)
                frame.time_base = time_base
                for packet in video.encode(frame):
                    container.mux(packet)
                if sound is not None and soundtrack is not None:
                    # Interleave: sound up to the end of this frame, so players stream it evenly.
                    until = min(soundtrack.shape[1], round((index + 1) / rate * RATE))
                    sent = _encode_audio(container, sound, soundtrack, sent, until)
            for packet in video.encode(None):
                container.mux(packet)
            if sound is not None and soundtrack is not None:
                _encode_audio(container, sound, soundtrack, sent, soundtrack.shape[1])
                for packet in sound.encode(None):
                    container.mux(packet)
        part.replace(out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        for cell in cells:
            cell.frames.close()  # closes its input file now, not whenever it is collected
    return out


def _frames(
    path: Path, layout: Layout
) -> Generator[tuple[float, npt.NDArray[np.uint8]], None, None]:
    """(seconds, RGB frame at the cell size) for each frame of a clip, decoded lazily."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        base = stream.time_base or Fraction(1, 24)
        start = stream.start_time or 0
        for number, frame in enumerate(container.decode(stream)):
            when = float((frame.pts - start) * base) if frame.pts is not None else number / 24
            picture = frame.to_ndarray(
                format="rgb24", width=layout.cell_width, height=layout.cell_height
            )
            yield when, np.asarray(picture, dtype=np.uint8)


def _soundtrack(layout: Layout, audio: Sound, seconds: float) -> Audio | None:
    """The mosaic's sound: one cell's, a mix of all cells', or None; stereo, 48 kHz."""
    if audio is None:
        return None
    length = round(seconds * RATE)
    by_cell = {slot.cell: slot for slot in layout.slots}
    if audio == "mix":
        chosen = [slot for slot in layout.slots if slot.take is not None]
    elif isinstance(audio, int) and not isinstance(audio, bool):
        slot = by_cell.get(audio)
        if slot is None or slot.take is None:
            shown = sorted(s.cell for s in layout.slots if s.take is not None)
            raise MosaicError(
                f"Cell {audio} has no finished take on this page to take sound from; "
                f"choose one of {shown}, 'mix' or None."
            )
        chosen = [slot]
    else:
        raise MosaicError(f"audio is 'mix', a cell index or None; got {audio!r}.")
    tracks = [
        track
        for slot in chosen
        if slot.take is not None
        if (track := _decode_audio(slot.take.video_path, length)) is not None
    ]
    if not tracks:
        return None
    mixed = np.sum(tracks, axis=0) / len(tracks)
    # A plain average of n tracks is up to n times quieter than each; bring the mix back up to
    # the loudest source's peak, never past it (so it cannot clip).
    peak, loudest = float(np.abs(mixed).max()), max(float(np.abs(t).max()) for t in tracks)
    if peak > 0:
        mixed *= loudest / peak
    return np.ascontiguousarray(mixed, dtype=np.float32)


def _decode_audio(path: Path, length: int) -> Audio | None:
    """A clip's sound as stereo float samples at 48 kHz, padded or cut to ``length``."""
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
        chunks: list[npt.NDArray[np.float32]] = []
        for frame in container.decode(container.streams.audio[0]):
            chunks.extend(_floats(out) for out in resampler.resample(frame))
        chunks.extend(_floats(out) for out in resampler.resample(None))
    samples = np.zeros((2, length), dtype=np.float32)
    if chunks:
        data = np.concatenate(chunks, axis=1)[:, :length]
        samples[:, : data.shape[1]] = data
    return samples


def _encode_audio(
    container: av.container.OutputContainer,
    stream: av.AudioStream,
    samples: Audio,
    start: int,
    end: int,
) -> int:
    """Encode samples[start:end] (in AAC-sized frames) and return where the next run starts."""
    step = 1024
    while start < end:
        stop = min(end, start + step)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples[:, start:stop]), format="fltp", layout="stereo"
        )
        frame.sample_rate = RATE
        frame.pts = start
        frame.time_base = Fraction(1, RATE)
        for packet in stream.encode(frame):
            container.mux(packet)
        start = stop
    return start


def _floats(frame: av.AudioFrame) -> Audio:
    return np.asarray(frame.to_ndarray(), dtype=np.float32)
