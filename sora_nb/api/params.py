"""Checking what goes into a request: video ids and their paths, seconds, parameter errors,
and the usual clip of a server that misreads a create without one."""

from __future__ import annotations

from urllib.parse import quote

from pydantic import ValidationError

from sora_nb import catalog
from sora_nb.api import errors
from sora_nb.api.dialects import Dialect
from sora_nb.api.types import Video
from sora_nb.catalog.options import Options


def video_id_of(video_id: str | Video) -> str:
    ident = video_id.id if isinstance(video_id, Video) else video_id
    if not isinstance(ident, str) or not ident.strip():
        raise errors.InvalidRequestError(
            f"A video id must be a non-empty string like 'video_123', not {ident!r}.",
            param="video_id",
        )
    return ident


def video_path(video_id: str | Video) -> str:
    # Escape everything: a gateway's ids may contain '/', '+' or '=' (LiteLLM's are encoded).
    return "/videos/" + quote(video_id_of(video_id), safe="")


def seconds_text(seconds: int | str) -> str:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, str)):
        raise errors.InvalidRequestError(
            f"seconds should be a whole number like 8, not {seconds!r}.", param="seconds"
        )
    text = str(seconds).strip()
    if not text.isdigit() or int(text) == 0:
        raise errors.InvalidRequestError(
            f"seconds should be a whole number like 8, not {seconds!r}.", param="seconds"
        )
    return str(int(text))


def invalid_params(exc: ValidationError) -> errors.InvalidRequestError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    return errors.InvalidRequestError(
        f"Not sent: {field or 'the request'} is invalid: {first['msg']}.", param=field
    )


def usual_clip(
    dialect: Dialect, model: str | None, size: str | None, seconds: str | None
) -> tuple[str, str]:
    """(size, seconds) with the model's usual clip filled in, for a server that would misread
    a create naming neither (FastVideo); refused before sending when the model is unknown."""
    profile = catalog.get_profile(model) if model is not None else None
    if profile is None:
        raise errors.InvalidRequestError(
            f"Not sent: the {dialect.title} misreads a request naming no size or seconds "
            f"(its job would read size '' and 0 seconds), and sora_nb does not know the usual "
            f"clip of {model or 'its model'}; give size= and seconds= (--size, --seconds).",
            param="size" if size is None else "seconds",
        )
    return size or profile.default_size, seconds or str(profile.default_seconds)


def usual_frames(model: str | None, seconds: str, chosen: Options) -> Options:
    """``chosen`` with the frame count and rate a server that would otherwise pick its own
    should get (FastVideo 0.2.1 makes ``24 x seconds`` frames at 24 fps when neither is sent,
    whatever the model's rate and frame rule): the model's rate, and the count its frame rule
    allows for ``seconds`` at that rate. Unchanged when the model is unknown or both are set."""
    profile = catalog.get_profile(model) if model is not None else None
    if profile is None or profile.fps is None:
        return chosen
    fps = chosen.fps or profile.fps
    frames = chosen.num_frames or profile.frames_for(int(seconds), fps)
    return chosen.replace(fps=fps, num_frames=frames)
