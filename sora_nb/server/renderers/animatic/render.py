"""Render an animatic: prompt -> storyboard -> frames and sound -> MP4, thumbnail, spritesheet.

A video made in steps (an extension, an edit of an extended video) is rendered a segment at a
time and stitched into one (:mod:`~sora_nb.server.renderers.animatic.pieces`, ``stitch``)."""

from __future__ import annotations

import dataclasses
import os
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Full, Queue
from typing import TypeVar

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from sora_nb import catalog, media
from sora_nb.server.renderers.animatic import overlay
from sora_nb.server.renderers.animatic.audio import SAMPLE_RATE, synthesise
from sora_nb.server.renderers.animatic.encode import Mp4Writer
from sora_nb.server.renderers.animatic.frames import draw
from sora_nb.server.renderers.animatic.pieces import Piece, plain, segments
from sora_nb.server.renderers.animatic.regrade import regrade
from sora_nb.server.renderers.animatic.request import FPS, AnimaticFiles, AnimaticRequest
from sora_nb.server.renderers.animatic.stitch import stills, stitch
from sora_nb.server.renderers.animatic.storyboard import Storyboard

_T = TypeVar("_T")


def _temp_path(out_dir: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=out_dir)
    os.close(fd)
    return Path(tmp)


class _Captions:
    """The text on screen: shot captions, subtitles, the mark and a timecode per frame."""

    def __init__(self, storyboard: Storyboard) -> None:
        w, h = storyboard.width, storyboard.height
        self.width, self.height = w, h
        self.first_frame = storyboard.first_frame
        self.size = max(9, round(min(w, h) * 0.027))
        margin = max(4, round(min(w, h) * 0.025))
        self.margin = margin
        self.shots = {
            shot.number: overlay.text_strip(shot.caption, self.size, margin, margin)
            for shot in storyboard.shots
        }
        mark = overlay.text_strip(storyboard.mark, self.size, w - margin, margin, anchor="right")
        widest = max(strip.width for strip in self.shots.values())
        # The mark's place depends on the frame's width (and the captions only when they are
        # very long), so the segments of one video keep it in one place.
        if widest + mark.width + 3 * margin > w or w < 40 * self.size:
            # A narrow frame: the mark goes under the caption rather than over it.
            below = margin + max(strip.height for strip in self.shots.values()) + margin // 2
            mark = overlay.text_strip(storyboard.mark, self.size, w - margin, below, anchor="right")
        self.mark = mark
        # The storyboard label, small under the caption: what the drawings stand for.
        label_y = margin + max(strip.height for strip in self.shots.values()) + margin // 3
        self.label = (
            overlay.text_strip(storyboard.label, max(8, round(self.size * 0.8)), margin, label_y)
            if storyboard.label
            else None
        )
        self.labelled = {shot.number for shot in storyboard.shots if not shot.cast}
        small = max(8, round(self.size * 0.75))
        self.credit = (
            overlay.text_strip(
                storyboard.credit, small, w - margin, h - margin, anchor="right", bottom_up=True
            )
            if storyboard.credit
            else None
        )
        sub_size = max(10, round(min(w, h) * 0.038))
        self.subtitles = [
            (
                sub.start,
                sub.stop,
                overlay.text_strip(
                    f"{sub.speaker}: {sub.line}",
                    sub_size,
                    w // 2,
                    h - margin - round(self.size * 2.6),
                    anchor="centre",
                    max_width=round(w * 0.8),
                    bottom_up=True,
                ),
            )
            for sub in storyboard.subtitles
        ]

    def strips(self, frame: int, shot: int) -> list[overlay.Strip]:
        timecode = overlay.text_strip(
            overlay.timecode(self.first_frame + frame, FPS),
            self.size,
            self.margin,
            self.height - self.margin,
            bottom_up=True,
        )
        found = [self.shots[shot], self.mark, timecode]
        if self.label is not None and shot in self.labelled:
            found.append(self.label)
        if self.credit is not None:
            found.append(self.credit)
        found.extend(strip for start, stop, strip in self.subtitles if start <= frame < stop)
        return found


def _frames(piece: Piece, reformatter: VideoReformatter) -> Iterator[tuple[int, av.VideoFrame]]:
    """Every frame of a piece in order, as yuv420p frames at the output size."""
    storyboard = piece.storyboard
    width, height = storyboard.width, storyboard.height
    iw, ih = storyboard.internal_size
    first: av.VideoFrame | None = None
    if piece.first is not None:
        first = reformatter.reformat(
            av.VideoFrame.from_ndarray(piece.first, format="rgb24"), format="yuv420p"
        )
    captions = _Captions(storyboard)
    for setup in piece.setups:
        shot = setup.plan
        count = shot.stop - shot.start
        for index in range(shot.start, shot.stop):
            if index == 0 and first is not None:
                # Image-to-video: the first frame is the reference itself, no captions on it.
                yield index, first
                continue
            # A fresh canvas per frame: the encoder may still be reading the previous one.
            canvas = np.empty((ih, iw), dtype=np.uint32)
            step = index - shot.start
            camera = setup.camera(step, count)
            draw(setup.scene, camera, canvas, index, step / max(1, count - 1), step=step)
            rgba = canvas.view(np.uint8).reshape(ih, iw, 4)
            frame = reformatter.reformat(
                av.VideoFrame.from_ndarray(rgba, format="rgba"),
                width,
                height,
                "yuv420p",
                interpolation="BILINEAR",
            )
            overlay.apply(frame, captions.strips(index, shot.number))
            yield index, frame


def _in_background(items: Iterator[_T], depth: int = 6) -> Iterator[_T]:
    """Run a generator on a helper thread, a few items ahead of the consumer.

    Drawing (numpy, the scaler) and x264 both release the GIL for most of their work, so on a
    machine with two cores the frames of second n+1 are drawn while second n is encoded.
    """
    queue: Queue[tuple[bool, object]] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[bool, object]) -> bool:
        """Queue an entry unless the consumer has gone away (then say so)."""
        while not stop.is_set():
            try:
                queue.put(entry, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
            put((False, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((False, exc))

    worker = threading.Thread(target=produce, name="animatic-frames", daemon=True)
    worker.start()
    try:
        while True:
            more, item = queue.get()
            if not more:
                if isinstance(item, BaseException):
                    raise item
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


def render(request: AnimaticRequest, out_dir: Path) -> AnimaticFiles:
    """Render ``request`` into ``out_dir`` as video.mp4, thumbnail.webp and spritesheet.jpg.

    The video is H.264/AAC at exactly the requested size, 24 fps and ``seconds`` long; the same
    request and take always give the same bytes. Each file appears whole (written to a temporary
    name, then renamed). Safe to call from several threads at once. A video made in steps
    (``request.segments``) is rendered segment by segment and stitched into one.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if request.rework is not None or request.segments or request.keep is not None:
        return _render_steps(request, out_dir)
    piece = plain(request)
    total = piece.storyboard.frame_count
    indices = media.sample_indices(total, media.SPRITESHEET_COLUMNS * media.SPRITESHEET_ROWS)
    thumb_at = media.thumbnail_index(total)
    video_tmp = _temp_path(out_dir, "video.mp4")
    try:
        stills = _write(piece, video_tmp, {*indices, thumb_at}, audible=_sounds(request.model))
        os.replace(video_tmp, out_dir / "video.mp4")
    except BaseException:
        video_tmp.unlink(missing_ok=True)
        raise
    thumbnail = out_dir / "thumbnail.webp"
    media.write_atomic(thumbnail, media.thumbnail_from_frame(stills[thumb_at]))
    spritesheet = out_dir / "spritesheet.jpg"
    media.write_atomic(spritesheet, media.spritesheet_from_frames([stills[i] for i in indices]))
    return AnimaticFiles(video=out_dir / "video.mp4", thumbnail=thumbnail, spritesheet=spritesheet)


def _sounds(model: str) -> bool:
    """False for a model the catalog says makes no sound track (Wan): its video has none."""
    profile = catalog.get_profile(model)
    return profile is None or profile.audio


def _write(
    piece: Piece, path: Path, wanted: set[int], *, audible: bool = True
) -> dict[int, media.RGBFrame]:
    """Encode a piece (picture and sound) to ``path``; the ``wanted`` frames come back as
    stills at thumbnail size."""
    storyboard = piece.storyboard
    # The soundtrack is synthesised on its own thread while the first second of frames is
    # drawn; each second of it is handed to the encoder one second of video late, at fixed
    # frame numbers, so the file's bytes never depend on which thread finished first.
    sound_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="animatic-sound")
    sound = sound_thread.submit(
        synthesise, storyboard, np.random.default_rng([piece.sound_seed, 7])
    )
    sound_thread.shutdown(wait=False)
    total = storyboard.frame_count
    stills: dict[int, media.RGBFrame] = {}
    scale = min(1.0, media.THUMBNAIL_MAX_SIDE / max(storyboard.width, storyboard.height))
    still_w = max(2, round(storyboard.width * scale))
    still_h = max(2, round(storyboard.height * scale))
    with Mp4Writer(path, storyboard.width, storyboard.height, sound=audible) as writer:
        for index, frame in _in_background(_frames(piece, VideoReformatter())):
            if index % FPS == 0 and index > 0:
                at = (index // FPS - 1) * SAMPLE_RATE
                writer.add_audio(sound.result()[at : at + SAMPLE_RATE])
            if index in wanted:
                # Kept at thumbnail size: 17 full 1792x1024 frames would cost ~90 MB.
                still = frame.to_ndarray(format="rgb24", width=still_w, height=still_h)
                stills[index] = np.asarray(still, np.uint8)
            writer.add_video_frame(frame)
        written = max(0, (total - 1) // FPS) * SAMPLE_RATE
        writer.add_audio(sound.result()[written:])
    return stills


def _render_steps(request: AnimaticRequest, out_dir: Path) -> AnimaticFiles:
    """A video made in steps: the kept video (an extension's source) or the first segments,
    then each segment rendered now, stitched into one video.mp4. An uploaded video is
    continued from its last frame (the request's reference), or regraded by an edit."""
    parts: list[Path] = [request.keep] if request.keep is not None else []
    made: list[Path] = []
    try:
        if request.rework is not None:
            path = _temp_path(out_dir, "regraded.mp4")
            made.append(path)
            regrade(request.prompt, request.rework, path)
            parts.append(path)
        elif request.segments:
            for number, piece in segments(request):
                path = _temp_path(out_dir, f"segment-{number}.mp4")
                made.append(path)
                _write(piece, path, set())
                parts.append(path)
        else:
            assert request.keep is not None
            kept = round(media.probe(request.keep).duration)
            added = dataclasses.replace(request, seconds=request.seconds - kept, keep=None)
            path = _temp_path(out_dir, "added.mp4")
            made.append(path)
            _write(plain(added), path, set())
            parts.append(path)
        video = stitch(parts, out_dir / "video.mp4")
    finally:
        for path in made:
            path.unlink(missing_ok=True)
    total = request.seconds * FPS
    indices = media.sample_indices(total, media.SPRITESHEET_COLUMNS * media.SPRITESHEET_ROWS)
    thumb_at = media.thumbnail_index(total)
    side = min(media.THUMBNAIL_MAX_SIDE, max(request.width, request.height))
    width = max(2, round(side * request.width / max(request.width, request.height)))
    frames = stills(video, [*indices, thumb_at], width)
    thumbnail = out_dir / "thumbnail.webp"
    media.write_atomic(thumbnail, media.thumbnail_from_frame(frames[thumb_at]))
    spritesheet = out_dir / "spritesheet.jpg"
    media.write_atomic(spritesheet, media.spritesheet_from_frames([frames[i] for i in indices]))
    return AnimaticFiles(video=video, thumbnail=thumbnail, spritesheet=spritesheet)
