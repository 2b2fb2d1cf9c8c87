"""What a model profile is: the sizes, durations, prices, frame rules and lifecycle of one model.

:class:`ModelProfile` checks itself when it is made (sizes are ``WxH``, durations are whole
seconds, prices are for sizes it renders); :class:`CatalogError` is the clear error for a
request or a profile that cannot be. Re-exported by :mod:`sora_nb.catalog`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class CatalogError(ValueError):
    """A request its model cannot render, or a profile that cannot be registered."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        #: The request field at fault (``size``, ``seconds``, ``input_reference``...), if any.
        self.param = param


class Price(BaseModel):
    """Dollars per second of video at one size; ``confirmed=False`` marks a price not published."""

    model_config = ConfigDict(frozen=True)

    per_second: float = Field(ge=0)
    confirmed: bool = True


class ModelProfile(BaseModel):
    """What one model renders: sizes, durations, audio, image input, prices, lifecycle.

    ``added`` maps a size or a duration (as a string) to the day it became available; before
    that day it is refused with a message that says when it arrives.
    """

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)
    sizes: tuple[str, ...]
    seconds: tuple[str, ...]
    audio: bool = True
    image_input: bool = True
    #: Price per second by size; a size missing here has an unknown cost.
    prices: Mapping[str, Price] = Field(default_factory=dict)
    added: Mapping[str, dt.date] = Field(default_factory=dict)
    #: The alias a dated snapshot pins (``sora-2`` for ``sora-2-2025-10-06``), else None.
    snapshot_of: str | None = None
    #: The day it stopped being served on api.openai.com (it may live on behind a gateway).
    retired_on: dt.date | None = None
    notes: str = ""
    #: Other names the same model is served under (Hugging Face checkpoints, engine names).
    aliases: tuple[str, ...] = ()
    #: Open weights, run on your own GPUs: costs GPU time, never a price per second.
    open_weights: bool = False
    #: Frames per second of its output, and the frame counts it makes: ``(4, 1)`` is 4k+1.
    fps: int | None = None
    frame_rule: tuple[int, int] | None = None
    default_frames: int | None = None
    max_frames: int | None = None
    #: Any size whose sides are multiples of this is accepted besides ``sizes`` (None: only those).
    size_multiple: int | None = None
    default_steps: int | None = None
    default_guidance: float | None = None
    #: Its denoising experts (Wan 2.2 A14B: 2, a high-noise and a low-noise one); a second
    #: expert's settings (guidance_2, boundary_ratio) mean something only with 2.
    experts: int = 1
    #: Where each figure comes from (field name -> model card, config file or docs, with URL).
    sources: Mapping[str, str] = Field(default_factory=dict)

    @field_validator("sizes")
    @classmethod
    def _sizes_are_wxh(cls, sizes: tuple[str, ...]) -> tuple[str, ...]:
        for size in sizes:
            parse_size(size)
        return sizes

    @field_validator("seconds", mode="before")
    @classmethod
    def _seconds_as_strings(cls, value: Iterable[object]) -> tuple[str, ...]:
        return tuple(_seconds_text(v) for v in value)

    @model_validator(mode="after")
    def _prices_for_known_sizes(self) -> ModelProfile:
        stray = sorted(set(self.prices) - set(self.sizes))
        if stray:
            raise ValueError(f"prices given for sizes {self.name} does not render: {stray}")
        return self

    def sizes_on(self, day: dt.date | None = None) -> tuple[str, ...]:
        """The sizes available on ``day`` (today by default)."""
        return tuple(s for s in self.sizes if self._available(s, day))

    def seconds_on(self, day: dt.date | None = None) -> tuple[str, ...]:
        """The durations (strings, as on the wire) available on ``day`` (today by default)."""
        return tuple(s for s in self.seconds if self._available(s, day))

    @property
    def default_size(self) -> str:
        """The size a request gets when it names none (the first listed)."""
        return self.sizes[0]

    @property
    def default_seconds(self) -> int:
        """The length a request gets when it names none: the model's usual clip."""
        if self.default_frames is not None and self.fps:
            return max(1, round(self.default_frames / self.fps))
        return int(self.seconds[0])

    def frames_for(self, seconds: int, fps: int | None = None) -> int | None:
        """The frame count closest to ``seconds`` at ``fps`` (the model's own by default) that
        its frame rule allows (81 for 5 s of Wan at 16 fps), or None when it has no rule."""
        rate = fps or self.fps
        if self.frame_rule is None or not rate:
            return None
        step, rest = self.frame_rule
        k = max(1, round((seconds * rate - rest) / step))
        frames = k * step + rest
        if self.max_frames is not None and frames > self.max_frames:
            frames = self.max_frames - (self.max_frames - rest) % step
        return frames

    def price(self, size: str) -> Price | None:
        """The price per second at ``size``, or None when it is not known."""
        return self.prices.get(_normal_size(size))

    def retired(self, day: dt.date | None = None) -> bool:
        """True once api.openai.com no longer serves this model (gateways and our server may)."""
        return self.retired_on is not None and (day or dt.date.today()) >= self.retired_on

    def _available(self, value: str, day: dt.date | None) -> bool:
        since = self.added.get(value)
        return since is None or (day or dt.date.today()) >= since


def parse_size(size: str) -> tuple[int, int]:
    """``"1280x720"`` -> ``(1280, 720)``; a clear :class:`CatalogError` for anything else."""
    width, sep, height = size.strip().lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit() and int(width) and int(height)):
        raise CatalogError(
            f"size {size!r} should be width x height in pixels, like 1280x720.", param="size"
        )
    return int(width), int(height)


def _normal_size(size: str) -> str:
    return size.strip().lower()


def _seconds_text(seconds: object) -> str:
    # The wire wants a string ("8"); people write 8. Accept both, refuse 8.5 or "eight".
    if isinstance(seconds, bool) or not isinstance(seconds, (int, str)):
        raise CatalogError(
            f"seconds should be a whole number like 8, not {seconds!r}.", param="seconds"
        )
    text = str(seconds).strip()
    if not text.isdigit() or int(text) == 0:
        raise CatalogError(
            f"seconds should be a whole number like 8, not {seconds!r}.", param="seconds"
        )
    return str(int(text))
