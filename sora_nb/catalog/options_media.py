"""The options table's rows about media rather than rendering: post-processing (``interpolate``,
``upscale``: done by the engines that do them, else on the kernel after the download) and the
source files of first-last-frame and video-to-video takes (``last_image``, ``video``,
``strength``). :data:`sora_nb.catalog.options.OPTIONS` ends with them."""

from __future__ import annotations

from sora_nb.catalog import postprocessing, source_media
from sora_nb.catalog.option_row import Option

__all__ = ["MEDIA_ROWS"]


def _engine_fields(name: str) -> dict[str, str]:
    return {dialect: pair[0] for dialect, pair in postprocessing.ENGINE_FIELDS[name].items()}


MEDIA_ROWS: tuple[Option, ...] = (
    # Post-processing: done by the engines that do it (their fields), else on the kernel after
    # the download, the server sent the request without it (sora_nb.catalog.postprocessing).
    Option(
        name="interpolate",
        label="Frame interpolation",
        kind="int",
        help="any server: smoother motion, N times the frames per second, the same length (1: as "
        "rendered); FFmpeg's minterpolate on the kernel, or the engine's RIFE on these",
        flag="--interpolate",
        metavar="N",
        wire="interpolate",
        wire_by_dialect=_engine_fields("interpolate"),
        switch="enable_frame_interpolation",
        axes=("interpolate",),
        low=1,
        high=4,
        neutral=1,
        example="2",
        dialects=frozenset(postprocessing.ENGINE_FIELDS["interpolate"]),
        studio=False,
        encode=lambda value, dialect: postprocessing.engine_value("interpolate", value, dialect),
    ),
    Option(
        name="upscale",
        label="Upscale",
        kind="int",
        help="any server: sharper, N times the width and height (1: as rendered); FFmpeg's "
        "Lanczos on the kernel, or the engine's Real-ESRGAN on these",
        flag="--upscale",
        metavar="N",
        wire="upscale",
        wire_by_dialect=_engine_fields("upscale"),
        switch="enable_upscaling",
        axes=("upscale",),
        low=1,
        high=4,
        neutral=1,
        example="2",
        dialects=frozenset(postprocessing.ENGINE_FIELDS["upscale"]),
        studio=False,
        encode=lambda value, dialect: postprocessing.engine_value("upscale", value, dialect),
    ),
    # Frames and video-to-video (issue 26). The two sources are files: they travel as
    # uploads (or data URLs), never as text fields; sora_nb.api.source_uploads sends them.
    Option(
        name="last_image",
        label="Last frame",
        kind="text",
        help=(
            "on an engine: the video's last frame, an image of the video's size (--image is "
            "the first; --fit fits both)"
        ),
        flag="--last-image",
        metavar="PATH",
        wire="last_image",
        axes=("last_image", "last"),
        high=4096,
        example="last.png",
        dialects=frozenset({"vllm-omni"}),
        studio=False,
        refusals=source_media.LAST_IMAGE_REFUSALS,
    ),
    Option(
        name="video",
        label="Source video",
        kind="text",
        help=(
            "on an engine: video-to-video from this source, an MP4 file or a take (its --as "
            "name or id)"
        ),
        flag="--video",
        metavar="SOURCE",
        wire="video",
        axes=("video", "source"),
        high=4096,
        example="source.mp4",
        dialects=frozenset({"vllm-omni", "sglang"}),
        studio=False,
        refusals=source_media.VIDEO_REFUSALS,
    ),
    Option(
        name="strength",
        label="Strength",
        kind="float",
        help=(
            "with --video: how far a take may stray from its source, from 0.01 (keep it) to 1 "
            "(ignore it)"
        ),
        flag="--strength",
        metavar="X",
        wire="strength",
        axes=("strength",),
        low=0.01,
        high=1.0,
        example="0.6",
        dialects=frozenset(),  # no engine's /v1/videos has it: the bundled server's card offers it
        studio=False,
        refusals=source_media.STRENGTH_REFUSALS,
    ),
)
