"""A generated clip to files: H.264 MP4 (with AAC sound when the model made some) and previews.

x264 runs with a fixed thread count and deterministic settings and the container carries no
creation time, so the same frames and samples always make the same bytes with one PyAV build.
The preset is ``ultrafast`` at a high quality (crf 18): the slower presets' sub-pixel search
and lookahead read a few bytes x264 never wrote when a plane's width is not a multiple of its
alignment (112 px wide, say), and right after a pipeline has churned the heap that made the same
frames encode differently from one render to the next.
"""

from __future__ import annotations

import os
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from sora_nb import media

#: x264 threads: fixed so the bitstream does not depend on the machine's core count.
X264_THREADS = 2
AUDIO_BITRATE = 128_000


def to_uint8(frames: npt.NDArray[np.floating] | npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Frames as (frames, height, width, 3) bytes, from a pipeline's floats in 0..1."""
    array = np.asarray(frames)
    if array.ndim == 5:  # (batch, frames, height, width, channels): the first video
        array = array[0]
    if array.dtype == np.uint8:
        return np.ascontiguousarray(array)
    return np.ascontiguousarray((np.clip(array, 0.0, 1.0) * 255.0).round().astype(np.uint8))


def fit_audio(samples: npt.NDArray[np.floating], length: int) -> npt.NDArray[np.float32]:
    """Channels-first float samples cut or padded with silence to exactly ``length`` samples,
    so the sound track ends with the picture."""
    audio = np.asarray(samples, dtype=np.float32)
    if audio.ndim == 3:  # (batch, channels, samples)
        audio = audio[0]
    if audio.ndim == 1:
        audio = audio[None, :]
    audio = np.clip(audio[:, :length], -1.0, 1.0)
    if audio.shape[1] < length:
        audio = np.pad(audio, ((0, 0), (0, length - audio.shape[1])))
    return np.ascontiguousarray(audio)


def write_video(
    path: Path,
    frames: npt.NDArray[np.uint8],
    fps: int,
    audio: npt.NDArray[np.float32] | None = None,
    sample_rate: int | None = None,
) -> None:
    """Write ``frames`` (F, H, W, 3) at ``fps`` and, if given, channels-first ``audio`` at
    ``sample_rate`` as AAC, to ``path`` (whole or not at all)."""
    count, height, width, _ = frames.shape
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            video = out.add_stream("libx264", rate=fps)
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            video.codec_context.time_base = Fraction(1, fps)
            video.codec_context.thread_count = X264_THREADS
            video.codec_context.thread_type = "FRAME"
            video.codec_context.options = {
                "preset": "ultrafast",
                "crf": "18",
                "g": str(fps),
                "x264-params": "non-deterministic=0",
            }
            sound = None
            if audio is not None and sample_rate:
                sound = out.add_stream("aac", rate=sample_rate)
                sound.layout = "stereo" if audio.shape[0] >= 2 else "mono"
                sound.bit_rate = AUDIO_BITRATE
            for index in range(count):
                frame = av.VideoFrame.from_ndarray(frames[index], format="rgb24")
                frame = _zero_padding(frame.reformat(format="yuv420p"))
                frame.pts, frame.time_base = index, Fraction(1, fps)
                for packet in video.encode(frame):
                    out.mux(packet)
            for packet in video.encode(None):
                out.mux(packet)
            if sound is not None and audio is not None and sample_rate:
                channels = audio[:2] if audio.shape[0] >= 2 else audio[:1]
                chunk = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(channels),
                    format="fltp",
                    layout="stereo" if channels.shape[0] == 2 else "mono",
                )
                chunk.sample_rate, chunk.pts = sample_rate, 0
                chunk.time_base = Fraction(1, sample_rate)
                for packet in sound.encode(chunk):
                    out.mux(packet)
                for packet in sound.encode(None):
                    out.mux(packet)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _zero_padding(frame: av.VideoFrame) -> av.VideoFrame:
    """Clear the bytes past each row's end (a 56-pixel chroma row sits in 64 bytes), so nothing
    left in memory by an earlier render can reach the encoder."""
    for plane in frame.planes:
        if plane.line_size > plane.width:
            rows = np.frombuffer(memoryview(plane), dtype=np.uint8)
            rows[: plane.line_size * plane.height].reshape(plane.height, plane.line_size)[
                :, plane.width :
            ] = 0
    return frame


def write_previews(out_dir: Path, frames: npt.NDArray[np.uint8]) -> tuple[Path, Path]:
    """thumbnail.webp and spritesheet.jpg of a clip, from its frames in memory."""
    count = frames.shape[0]
    thumbnail = out_dir / "thumbnail.webp"
    media.write_atomic(thumbnail, media.thumbnail_from_frame(frames[media.thumbnail_index(count)]))
    tiles = media.sample_indices(count, media.SPRITESHEET_COLUMNS * media.SPRITESHEET_ROWS)
    spritesheet = out_dir / "spritesheet.jpg"
    media.write_atomic(spritesheet, media.spritesheet_from_frames([frames[i] for i in tiles]))
    return thumbnail, spritesheet
