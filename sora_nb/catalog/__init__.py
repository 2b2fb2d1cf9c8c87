"""The model catalog: what each video model renders, what it costs, and when it was retired.

A request is checked against its model's profile before anything is sent, so a wrong size or
duration gets a precise message instead of a 400 from the server. A model the catalog does not
know (a gateway's ``veo-3.1`` route, say) is allowed through unchecked, with an unknown cost
(``None``, never 0). Users add or replace profiles with :func:`register`.

Open models served by engines on the user's own GPUs (Wan, LTX-2, HunyuanVideo) have profiles
too (:mod:`sora_nb.catalog.open_models`): their frame rules (4k+1, 8k+1), frame rates, default
steps and guidance, each figure with its source. They cost GPU time, not dollars: their price
is None. A profile answers to its short name or to the checkpoint names engines serve it under
(``Wan-AI/Wan2.2-T2V-A14B-Diffusers`` is ``Wan2.2-T2V-A14B``).

This is layer 0: it imports only the standard library and pydantic, never ``sora_nb.api``.

Assumption, stated once: the additions of March 2026 (1080p on sora-2-pro, 16 and 20 second
clips) went to the ``sora-2`` and ``sora-2-pro`` aliases; dated snapshots keep the abilities
they shipped with. Register a profile of your own if your server says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sora_nb.catalog.cards import MARCH_2026, OPENAI_RETIREMENT, _builtin_profiles
from sora_nb.catalog.profile import (
    CatalogError,
    ModelProfile,
    Price,
    _normal_size,
    _seconds_text,
    parse_size,
)

# The catalog's public names, the profile type and the cards kept beside this module included.
__all__ = [
    "CHARACTER_CLIP_SECONDS",
    "CHARACTER_CLIP_SHAPES",
    "MARCH_2026",
    "OPENAI_RETIREMENT",
    "REFERENCE_MEDIA_TYPES",
    "CatalogError",
    "ModelProfile",
    "Price",
    "check_character_clip",
    "check_reference",
    "check_request",
    "estimate_cost",
    "get_profile",
    "models",
    "parse_size",
    "register",
    "same_model",
    "unregister",
]

#: What an ``input_reference`` upload may be.
REFERENCE_MEDIA_TYPES: tuple[str, ...] = ("image/jpeg", "image/png", "image/webp")


_BUILTIN: dict[str, ModelProfile] = {}
_REGISTRY: dict[str, ModelProfile] = {}


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
    served: Iterable[str] | None = None,
) -> ModelProfile | None:
    """Raise :class:`CatalogError` with a precise message if ``model`` cannot render this request.

    Returns the model's profile, or None for a model the catalog does not know (allowed, as a
    gateway may route it anywhere). ``on`` is the day to check availability for (today).
    ``served`` names the models the server in use serves: a refusal names one of those that
    would take the request (None: any the catalog knows).
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
    names = None if served is None else set(served)
    if size is not None and size not in profile.sizes_on(on) and not _multiple(profile, size):
        raise CatalogError(_refusal(profile, "size", size, on, names), param="size")
    if num_frames is not None:
        _check_frames(profile, num_frames)
    elif secs is not None and secs not in profile.seconds_on(on):
        raise CatalogError(_refusal(profile, "seconds", secs, on, names), param="seconds")
    if has_reference and not profile.image_input:
        others = _who_accepts(lambda p: p.image_input, on, profile.open_weights, names)
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


def _refusal(
    profile: ModelProfile, field: str, value: str, on: dt.date | None, served: set[str] | None
) -> str:
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
        served,
    )
    return f"{renders}; {value}{unit}{_needs(others, served)}."


def _who_accepts(
    accepts: Callable[[ModelProfile], bool],
    on: dt.date | None,
    open_weights: bool,
    served: set[str] | None = None,
) -> list[str]:
    """The models (of those ``served``, when given) that accept a request, the same kind as
    the refused one first: a hosted model's refusal sends you to a GPU only when nothing
    hosted would do."""
    found = [p for p in _REGISTRY.values() if accepts(p) and (served is None or p.name in served)]
    same = [p for p in found if p.open_weights == open_weights]
    found = same or found
    # Name the aliases people type, not every dated snapshot, when an alias will do.
    aliases = [p.name for p in found if p.snapshot_of is None]
    return aliases or [p.name for p in found]


def _needs(models: list[str], served: set[str] | None = None) -> str:
    if models:
        return f" needs {_or(models)}"
    where = "this server serves" if served is not None else "the catalog knows"
    return f" is not offered by any model {where}"


def _or(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


for _profile in _builtin_profiles():
    _BUILTIN[_profile.name] = _REGISTRY[_profile.name] = _profile
