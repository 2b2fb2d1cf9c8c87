"""The model catalog: what each video model renders, what it costs, and when it was retired.

A request is checked against its model's profile before anything is sent, so a wrong size or
duration gets a precise message instead of a 400 from the server. A model the catalog does not
know (a gateway's ``veo-3.1`` route, say) is allowed through unchecked, with an unknown cost
(``None``, never 0). Users add or replace profiles with :func:`register`.

Open models served by engines on the user's own GPUs (Wan, LTX-2, HunyuanVideo) have profiles
too (:mod:`sora_nb.open_models`): their frame rules (4k+1, 8k+1), frame rates, default steps and
guidance, each figure with its source. They cost GPU time, not dollars: their price is None.
A profile answers to its short name or to the checkpoint names engines serve it under
(``Wan-AI/Wan2.2-T2V-A14B-Diffusers`` is ``Wan2.2-T2V-A14B``).

This is layer 0: it imports only the standard library and pydantic, never ``sora_nb.api``.

Assumption, stated once: the additions of March 2026 (1080p on sora-2-pro, 16 and 20 second
clips) went to the ``sora-2`` and ``sora-2-pro`` aliases; dated snapshots keep the abilities
they shipped with. Register a profile of your own if your server says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: The day OpenAI shut down the hosted Videos API and the sora-2 models on api.openai.com.
OPENAI_RETIREMENT = dt.date(2026, 9, 24)
#: The day 1080p sizes and 16/20 second clips became available (March 2026).
MARCH_2026 = dt.date(2026, 3, 1)

#: What an ``input_reference`` upload may be.
REFERENCE_MEDIA_TYPES: tuple[str, ...] = ("image/jpeg", "image/png", "image/webp")


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


_BUILTIN: dict[str, ModelProfile] = {}
_REGISTRY: dict[str, ModelProfile] = {}


def _builtin_profiles() -> list[ModelProfile]:
    hd = ("1920x1080", "1080x1920")
    march = {s: MARCH_2026 for s in (*hd, "16", "20")}
    sora2_prices = {s: Price(per_second=0.10) for s in ("1280x720", "720x1280")}
    pro_prices = {
        "1280x720": Price(per_second=0.30),
        "720x1280": Price(per_second=0.30),
        "1792x1024": Price(per_second=0.50),
        "1024x1792": Price(per_second=0.50),
        # Reported, not on OpenAI's price page when the API was retired.
        "1920x1080": Price(per_second=0.70, confirmed=False),
        "1080x1920": Price(per_second=0.70, confirmed=False),
    }
    sora2 = ModelProfile(
        name="sora-2",
        sizes=("1280x720", "720x1280"),
        seconds=("4", "8", "12", "16", "20"),
        prices=sora2_prices,
        added={k: v for k, v in march.items() if k not in hd},
        retired_on=OPENAI_RETIREMENT,
        notes="Fast, 720p, with synchronised audio.",
    )
    pro = ModelProfile(
        name="sora-2-pro",
        sizes=("1280x720", "720x1280", "1792x1024", "1024x1792", *hd),
        seconds=("4", "8", "12", "16", "20"),
        prices=pro_prices,
        added=march,
        retired_on=OPENAI_RETIREMENT,
        notes="Slower, higher fidelity, larger sizes.",
    )

    def snapshot(alias: ModelProfile, date: str) -> ModelProfile:
        sizes = tuple(s for s in alias.sizes if s not in hd)
        return alias.model_copy(
            update={
                "name": f"{alias.name}-{date}",
                "sizes": sizes,
                "seconds": ("4", "8", "12"),
                "prices": {s: p for s, p in alias.prices.items() if s in sizes},
                "added": {},
                "snapshot_of": alias.name,
                "notes": f"Dated snapshot of {alias.name}.",
            }
        )

    from sora_nb.open_models import open_profiles

    return [
        sora2,
        pro,
        snapshot(sora2, "2025-10-06"),
        snapshot(pro, "2025-10-06"),
        snapshot(sora2, "2025-12-08"),
        *open_profiles(),
    ]


def register(profile: ModelProfile, *, replace: bool = False) -> ModelProfile:
    """Add a model profile (a gateway's route, a new snapshot) so its requests are checked.

    Replacing a profile that exists needs ``replace=True``, so a typo cannot silently change
    what ``sora-2`` accepts.
    """
    if profile.name in _REGISTRY and not replace:
        raise CatalogError(
            f"A profile named {profile.name!r} is already registered; "
            "pass replace=True to replace it."
        )
    _REGISTRY[profile.name] = profile
    return profile


def unregister(name: str) -> None:
    """Forget a registered profile; a built-in one returns to its shipped definition."""
    if name in _BUILTIN:
        _REGISTRY[name] = _BUILTIN[name]
    else:
        _REGISTRY.pop(name, None)


def get_profile(name: str) -> ModelProfile | None:
    """The profile of ``name`` (or of a checkpoint it is served under), or None for a model
    the catalog does not know."""
    found = _REGISTRY.get(name)
    if found is not None:
        return found
    key = _model_key(name)
    for profile in _REGISTRY.values():
        if key in {_model_key(n) for n in (profile.name, *profile.aliases)}:
            return profile
    return None


def same_model(a: str, b: str) -> bool:
    """True when two names are the same catalog model (``Wan2.2-T2V-A14B`` and
    ``Wan-AI/Wan2.2-T2V-A14B-Diffusers``)."""
    profile = get_profile(a)
    return profile is not None and profile is get_profile(b)


def _model_key(name: str) -> str:
    # "Wan-AI/Wan2.2-T2V-A14B-Diffusers" and "wan2.2-t2v-a14b" name one model.
    return name.strip().lower().rsplit("/", 1)[-1].removesuffix("-diffusers")


def models() -> list[ModelProfile]:
    """Every registered profile, aliases first, in registration order."""
    return list(_REGISTRY.values())


def check_request(
    model: str,
    *,
    size: str | None = None,
    seconds: int | str | None = None,
    has_reference: bool = False,
    on: dt.date | None = None,
    num_frames: int | None = None,
    fps: int | None = None,
) -> ModelProfile | None:
    """Raise :class:`CatalogError` with a precise message if ``model`` cannot render this request.

    Returns the model's profile, or None for a model the catalog does not know (allowed, as a
    gateway may route it anywhere). ``on`` is the day to check availability for (today).
    ``num_frames`` is checked against an open model's frame rule (4k+1, 8k+1) and longest clip;
    when it is given it sets the length, so ``seconds`` is not checked.
    """
    profile = get_profile(model)
    if size is not None:
        size = _normal_size(size)
        parse_size(size)
    secs = None if seconds is None else _seconds_text(seconds)
    if profile is None:
        return None
    if size is not None and size not in profile.sizes_on(on) and not _multiple(profile, size):
        raise CatalogError(_refusal(profile, "size", size, on), param="size")
    if num_frames is not None:
        _check_frames(profile, num_frames)
    elif secs is not None and secs not in profile.seconds_on(on):
        raise CatalogError(_refusal(profile, "seconds", secs, on), param="seconds")
    if has_reference and not profile.image_input:
        others = _who_accepts(lambda p: p.image_input, on, profile.open_weights)
        raise CatalogError(
            f"{model} takes no input_reference image; an input_reference{_needs(others)}.",
            param="input_reference",
        )
    return profile


def _multiple(profile: ModelProfile, size: str) -> bool:
    step = profile.size_multiple
    width, height = parse_size(size)
    return step is not None and width % step == 0 and height % step == 0


def _check_frames(profile: ModelProfile, frames: int) -> None:
    rule = profile.frame_rule
    if rule is not None:
        step, rest = rule
        if frames < step + rest or (frames - rest) % step:
            lower = max(step + rest, frames - (frames - rest) % step)
            raise CatalogError(
                f"{profile.name} makes {step}k+{rest} frames ({lower - step}, {lower}, "
                f"{lower + step}...); {frames} is not one of them: use {lower} or "
                f"{lower + step}.",
                param="num_frames",
            )
    if profile.max_frames is not None and frames > profile.max_frames:
        raise CatalogError(
            f"{profile.name} makes at most {profile.max_frames} frames; {frames} is too many.",
            param="num_frames",
        )


def check_reference(size: str, media_type: str, width: int, height: int) -> None:
    """Raise :class:`CatalogError` unless a reference image can open a ``size`` video.

    The image must be JPEG, PNG or WebP and exactly ``size``: servers refuse anything else.
    """
    if media_type not in REFERENCE_MEDIA_TYPES:
        raise CatalogError(
            f"An input_reference must be a JPEG, PNG or WebP image, not {media_type}; "
            "convert it to one of those.",
            param="input_reference",
        )
    want_w, want_h = parse_size(size)
    if (width, height) != (want_w, want_h):
        raise CatalogError(
            f"The input_reference image is {width}x{height} but the video is {size}; "
            f"resize or crop it to exactly {size}.",
            param="input_reference",
        )


#: A character is made from a clip of 2 to 4 seconds (with a frame's slack either way) ...
CHARACTER_CLIP_SECONDS = (2.0, 4.0)
_CLIP_SLACK = 1 / 24
#: ... in landscape 16:9 or portrait 9:16 (1% slack for sizes like 854x480).
CHARACTER_CLIP_SHAPES = {"16:9": 16 / 9, "9:16": 9 / 16}


def check_character_clip(width: int, height: int, duration: float) -> None:
    """Raise :class:`CatalogError` unless a clip can make a character: 2 to 4 seconds long,
    16:9 or 9:16 (the rule of ``POST /videos/characters``)."""
    low, high = CHARACTER_CLIP_SECONDS
    if not low - _CLIP_SLACK <= duration <= high + _CLIP_SLACK:
        raise CatalogError(
            f"A character clip must last {low:g} to {high:g} seconds; this one lasts "
            f"{duration:.2f} s. Trim it (or film a little longer).",
            param="video",
        )
    ratio = width / height if height else 0.0
    if not any(abs(ratio - shape) / shape <= 0.01 for shape in CHARACTER_CLIP_SHAPES.values()):
        raise CatalogError(
            f"A character clip must be landscape 16:9 or portrait 9:16; this one is "
            f"{width}x{height}. Crop it to 1280x720 or 720x1280, say.",
            param="video",
        )


def estimate_cost(model: str, size: str, seconds: int | str) -> float | None:
    """Dollars a clip should cost by the catalog's prices, or None when the price is unknown."""
    profile = get_profile(model)
    if profile is None or profile.open_weights:
        return None
    price = profile.price(size)
    if price is None:
        return None
    return round(price.per_second * int(_seconds_text(seconds)), 4)


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


def _refusal(profile: ModelProfile, field: str, value: str, on: dt.date | None) -> str:
    available = profile.sizes_on(on) if field == "size" else profile.seconds_on(on)
    unit = "" if field == "size" else " seconds"
    renders = f"{profile.name} renders {_or(available)}{unit}"
    if field == "size" and profile.size_multiple:
        renders += f" (or any size in multiples of {profile.size_multiple})"
    since = profile.added.get(value)
    if value in (profile.sizes if field == "size" else profile.seconds) and since is not None:
        return f"{renders}; {value}{unit} is available from {since.isoformat()}."
    others = _who_accepts(
        lambda p: value in (p.sizes_on(on) if field == "size" else p.seconds_on(on)),
        on,
        profile.open_weights,
    )
    return f"{renders}; {value}{unit}{_needs(others)}."


def _who_accepts(
    accepts: Callable[[ModelProfile], bool], on: dt.date | None, open_weights: bool
) -> list[str]:
    # Suggest models of the same kind: a hosted model's refusal does not send you to a GPU.
    found = [p for p in _REGISTRY.values() if p.open_weights == open_weights and accepts(p)]
    # Name the aliases people type, not every dated snapshot, when an alias will do.
    aliases = [p.name for p in found if p.snapshot_of is None]
    return aliases or [p.name for p in found]


def _needs(models: list[str]) -> str:
    return f" needs {_or(models)}" if models else " is not offered by any known model"


def _or(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


for _profile in _builtin_profiles():
    _BUILTIN[_profile.name] = _REGISTRY[_profile.name] = _profile
