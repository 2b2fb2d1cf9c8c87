"""Editing a video no prompt can draw again (one that was uploaded): a grade of its own frames.

The animatic redraws an edited video of its own from its prompts, with the edit's clauses in
force. An uploaded video has no prompts behind it, so an edit keeps every one of its frames
and changes only what a grade can: the time of day (the light's colour and exposure), the
palette (a tint towards its colours) and the weather (fog lifts the blacks, rain and snow
darken and cool). Its shapes stay exactly where they were: the source's scene, changed where
the prompt says.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from sora_nb.prompt import parse
from sora_nb.server.renderers.animatic.colours import DEFAULT_TIME, TIME_LOOKS, colour_rgb
from sora_nb.server.renderers.animatic.encode import Mp4Writer
from sora_nb.server.renderers.animatic.stitch import sound_of

Floats = npt.NDArray[np.float32]


def regrade(prompt: str, source: Path, target: Path) -> int:
    """Write ``source`` graded as ``prompt`` says to ``target``; returns its frame count."""
    gain, tint, lift = grade_of(prompt)
    frames = 0
    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        with Mp4Writer(target, width, height) as writer:
            for frame in container.decode(stream):
                rgb = frame.to_ndarray(format="rgb24").astype(np.float32)
                graded = _apply(rgb, gain, tint, lift)
                out = av.VideoFrame.from_ndarray(graded, format="rgb24").reformat(format="yuv420p")
                writer.add_video_frame(out)
                frames += 1
            writer.add_audio(sound_of(source, frames))
    return frames


def grade_of(prompt: str) -> tuple[Floats, Floats | None, float]:
    """(per-channel gain, a tint colour or None, a lift of the blacks) for an edit prompt."""
    edit = parse(prompt)
    gain = np.ones(3, np.float32)
    base = TIME_LOOKS[DEFAULT_TIME]
    time = edit.scene.time_of_day
    if time in TIME_LOOKS:
        look = TIME_LOOKS[time]
        light = np.array(look.light, np.float32) * look.brightness
        gain = np.clip(light / (np.array(base.light, np.float32) * base.brightness), 0.15, 1.6)
    tint = None
    colours = [c for c in (colour_rgb(name) for name in edit.palette) if c is not None]
    if colours:
        tint = np.mean(np.array(colours, np.float32), axis=0)
    lift = 0.0
    weather = edit.scene.weather or ""
    if weather in ("fog", "mist", "haze"):
        lift = 0.35
    elif weather in ("rain", "storm", "drizzle", "snow"):
        gain = gain * np.array([0.85, 0.88, 0.95], np.float32)
    return gain.astype(np.float32), tint, lift


def _apply(rgb: Floats, gain: Floats, tint: Floats | None, lift: float) -> npt.NDArray[np.uint8]:
    out = rgb * gain
    if tint is not None:
        luma = out @ np.array([0.2126, 0.7152, 0.0722], np.float32)
        toned = luma[..., None] * (tint / max(1.0, float(tint.mean())))
        out = 0.7 * out + 0.3 * toned
    if lift:
        out = out * (1 - lift) + 200.0 * lift
    graded: npt.NDArray[np.uint8] = np.clip(out, 0, 255).astype(np.uint8)
    return graded
