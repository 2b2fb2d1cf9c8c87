"""Writing the MP4: H.264 (libx264) video and AAC audio through PyAV, byte-for-byte repeatable.

x264 is given a fixed thread count (its output depends on the number of threads, not on the
machine's load) and no creation time is set on the container, so the same frames and samples
always make the same file with the same PyAV build.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np
import numpy.typing as npt

from sora_nb.server.renderers.animatic.audio import SAMPLE_RATE
from sora_nb.server.renderers.animatic.request import FPS

#: x264 threads: fixed so the bitstream does not change with the machine's core count.
X264_THREADS = 2
AUDIO_BITRATE = 96_000


class Mp4Writer:
    """Append yuv420p frames and mono float samples; ``close`` finishes the file. With
    ``sound`` False the file has no audio stream and samples are dropped (a model that makes
    none, like Wan)."""

    def __init__(self, path: Path, width: int, height: int, *, sound: bool = True) -> None:
        self.width, self.height = width, height
        self._container = av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"})
        video = self._container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.time_base = Fraction(1, FPS)
        video.codec_context.thread_count = X264_THREADS
        video.codec_context.thread_type = "FRAME"
        video.codec_context.options = {
            "preset": "ultrafast",
            "tune": "animation",
            "crf": "24",
            # One keyframe a second keeps seeking in a player and in the spritesheet cheap.
            "g": str(FPS),
            "x264-params": "non-deterministic=0",
        }
        self._video = video
        self._audio = None
        if sound:
            audio = self._container.add_stream("aac", rate=SAMPLE_RATE)
            audio.layout = "mono"
            audio.bit_rate = AUDIO_BITRATE
            # The fast coder is several times quicker than the default two-loop search; for an
            # ambience bed under an animatic the difference is inaudible.
            audio.codec_context.options = {"aac_coder": "fast"}
            self._audio = audio
        self._frames = 0
        self._samples = 0

    def add_frame(self, yuv: npt.NDArray[np.uint8]) -> None:
        """Encode one frame given as a yuv420p array (``height * 3 / 2`` rows of ``width``)."""
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        self.add_video_frame(frame)

    def add_video_frame(self, frame: av.VideoFrame) -> None:
        """Encode one PyAV frame (already at the output size, yuv420p)."""
        frame.pts = self._frames
        frame.time_base = Fraction(1, FPS)
        self._frames += 1
        for packet in self._video.encode(frame):
            self._container.mux(packet)

    def add_audio(self, samples: npt.NDArray[np.float32]) -> None:
        """Encode the next run of mono samples (float, -1..1) at 48 kHz."""
        if samples.size == 0 or self._audio is None:
            return
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples.reshape(1, -1)), format="fltp", layout="mono"
        )
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self._samples
        frame.time_base = Fraction(1, SAMPLE_RATE)
        self._samples += samples.size
        for packet in self._audio.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        """Flush both encoders and write the MP4 index."""
        for stream in (self._video, self._audio):
            if stream is None:
                continue
            for packet in stream.encode(None):
                self._container.mux(packet)
        self._container.close()

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._container.close()
