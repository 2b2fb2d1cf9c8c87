"""Stitching: videos played one after another as one MP4, on one clock, with one soundtrack.

An extension's video is its source followed by the new segment. The H.264 pictures are copied
as they are (the animatic encodes every segment with the same settings, so they share one set
of stream parameters), with their timestamps moved along; the sound of every part is decoded,
cut to exactly its picture's length, and encoded again as one AAC track, so there is no gap or
click at a join. Parts encoded differently are decoded and encoded again instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from sora_nb.server.renderers.animatic.audio import SAMPLE_RATE
from sora_nb.server.renderers.animatic.encode import AUDIO_BITRATE, Mp4Writer
from sora_nb.server.renderers.animatic.request import FPS


def stitch(parts: Sequence[Path], target: Path) -> Path:
    """Write ``parts`` played in order as one MP4 at ``target`` (written aside, then renamed)."""
    partial = target.with_name(f".{target.name}.stitch.part")
    try:
        if _same_stream(parts):
            _copy(parts, partial)
        else:
            _reencode(parts, partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def _same_stream(parts: Sequence[Path]) -> bool:
    found = set()
    for part in parts:
        with av.open(str(part)) as container:
            video = container.streams.video[0].codec_context
            found.add((bytes(video.extradata or b""), video.width, video.height))
    return len(found) == 1


def _copy(parts: Sequence[Path], target: Path) -> None:
    with av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        with av.open(str(parts[0])) as first:
            video = out.add_stream_from_template(first.streams.video[0])
        sound = _audio_stream(out)
        offset = 0
        samples = []
        for part in parts:
            with av.open(str(part)) as container:
                source = container.streams.video[0]
                start: int | None = None
                end = offset
                frames = 0
                for packet in container.demux(source):
                    if packet.dts is None:
                        continue  # the demuxer's empty flush packet
                    if start is None:
                        # The first packet is the part's first keyframe, its first picture:
                        # it goes where the previous part's pictures end.
                        start = packet.pts or 0
                    packet.pts = (packet.pts or 0) - start + offset
                    packet.dts = packet.dts - start + offset
                    end = max(end, packet.pts + (packet.duration or 0))
                    packet.stream = video
                    out.mux(packet)
                    frames += 1
                offset = end
            samples.append(sound_of(part, frames))
        _encode_sound(out, sound, np.concatenate(samples))


def _reencode(parts: Sequence[Path], target: Path) -> None:
    with av.open(str(parts[0])) as first:
        width = first.streams.video[0].codec_context.width
        height = first.streams.video[0].codec_context.height
    with Mp4Writer(target, width, height) as writer:
        for part in parts:
            frames = 0
            with av.open(str(part)) as container:
                for frame in container.decode(video=0):
                    writer.add_video_frame(frame.reformat(width, height, "yuv420p"))
                    frames += 1
            writer.add_audio(sound_of(part, frames))


def sound_of(part: Path, frames: int) -> npt.NDArray[np.float32]:
    """The part's sound as mono samples, exactly as long as its ``frames`` of picture."""
    wanted = frames * SAMPLE_RATE // FPS
    chunks = []
    with av.open(str(part)) as container:
        if container.streams.audio:
            resampler = av.AudioResampler(format="fltp", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    got = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if got.size >= wanted:
        return got[:wanted]
    return np.concatenate([got, np.zeros(wanted - got.size, np.float32)])


def _audio_stream(out: av.container.OutputContainer) -> av.audio.stream.AudioStream:
    sound = out.add_stream("aac", rate=SAMPLE_RATE)
    sound.layout = "mono"
    sound.bit_rate = AUDIO_BITRATE
    sound.codec_context.options = {"aac_coder": "fast"}
    return sound


def _encode_sound(
    out: av.container.OutputContainer,
    stream: av.audio.stream.AudioStream,
    samples: npt.NDArray[np.float32],
) -> None:
    if samples.size:
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples.reshape(1, -1)), format="fltp", layout="mono"
        )
        frame.sample_rate = SAMPLE_RATE
        frame.pts = 0
        frame.time_base = Fraction(1, SAMPLE_RATE)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


def stills(path: Path, indices: Sequence[int], width: int) -> dict[int, npt.NDArray[np.uint8]]:
    """The frames at ``indices`` of an animatic-made video, ``width`` wide, found by seeking
    to the keyframe before each (one a second) rather than decoding the whole video."""
    found: dict[int, npt.NDArray[np.uint8]] = {}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        base = stream.time_base or Fraction(1, FPS)
        height = max(2, round(width * stream.codec_context.height / stream.codec_context.width))
        for index in sorted(set(indices)):
            if index in found:
                continue
            key = index // FPS * FPS
            container.seek(round(key / FPS / base), stream=stream, backward=True)
            for frame in container.decode(stream):
                at = round(float((frame.pts or 0) * base) * FPS)
                if at in indices and at not in found:
                    rgb = frame.to_ndarray(format="rgb24", width=width, height=height // 2 * 2)
                    found[at] = np.asarray(rgb, np.uint8)
                if at >= index:
                    break
    return found
