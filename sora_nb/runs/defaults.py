"""Defaults: what a request uses for anything it does not say (model, size, seconds, takes).

A default left unset (None) means "the server's": the model a one-model engine serves (sora-2
on the bundled server), that model's usual size and length (see ``runs.fitting``).

One ``Defaults`` lives on the kernel's session. Environment variables seed it when the session
starts (``SORA_NB_MODEL``, ``SORA_NB_SIZE``, ``SORA_NB_SECONDS``, ``SORA_NB_TAKES``);
``sora_nb.configure(model=...)`` and ``%config SoraMagics.model = ...`` change it later; every
entry point (``%%sora``, ``generate``, ``grid``, ``plan``, ``Studio()``) reads it.

A new default is one more field here: its environment variable, ``configure`` keyword and
validation come with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sora_nb import catalog

#: ``SORA_NB_<FIELD>`` sets a field's default, like ``SORA_NB_SECONDS=8``.
ENV_PREFIX = "SORA_NB_"


class DefaultsError(ValueError):
    """A default cannot be set as given; the message names it, the value and what fits."""


class Defaults(BaseModel):
    """What a request uses for anything it does not say."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str | None = Field(None, min_length=1, description="the video model")
    size: str | None = Field(None, description="the video size, WIDTHxHEIGHT like 1280x720")
    seconds: int | None = Field(None, ge=1, description="the clip length in whole seconds, like 4")
    takes: int = Field(1, ge=1, description="takes of each request, 1 or more")

    @field_validator("size")
    @classmethod
    def _size_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        width, sep, height = value.strip().lower().partition("x")
        if not (sep and width.isdigit() and height.isdigit()):
            raise ValueError("a size looks like 1280x720 (width x height)")
        return f"{int(width)}x{int(height)}"

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The defaults there are, in order."""
        return tuple(cls.model_fields)

    def with_(self, **values: Any) -> Defaults:
        """A copy with ``values`` set (None leaves a default as it is), each one checked."""
        given = {name: value for name, value in values.items() if value is not None}
        unknown = sorted(set(given) - set(self.names()))
        if unknown:
            raise DefaultsError(
                f"There is no default called {', '.join(unknown)}; "
                f"the defaults are {', '.join(self.names())}."
            )
        try:
            return self.model_validate({**self.model_dump(), **given})
        except ValidationError as exc:
            first = exc.errors()[0]
            name = str(first["loc"][0]) if first["loc"] else "a default"
            raise DefaultsError(_message(name, given.get(name), first["msg"])) from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Defaults:
        """The built-in defaults with every ``SORA_NB_<FIELD>`` variable of ``environ`` applied."""
        defaults = cls()
        for name in cls.names():
            variable = ENV_PREFIX + name.upper()
            raw = environ.get(variable, "").strip()
            if raw:
                try:
                    defaults = defaults.with_(**{name: raw})
                except DefaultsError as exc:
                    raise DefaultsError(
                        f"{exc} It came from {variable}: fix or unset it."
                    ) from None
        return defaults


#: The built-in defaults (before any variable, ``configure`` or ``%config``): the server's.
BUILT_IN = Defaults()


class Chosen(BaseModel):
    """A request's model, size, seconds and takes, every one decided."""

    model_config = ConfigDict(frozen=True)

    model: str
    size: str
    seconds: int
    takes: int


def _usual(model: str) -> Chosen:
    """``model`` with its usual clip, as the catalog's card states it, and one take."""
    profile = catalog.get_profile(model)
    if profile is None:
        raise LookupError(f"the catalog has no card for {model}, the fallback model")
    return Chosen(model=model, size=profile.default_size, seconds=profile.default_seconds, takes=1)


#: What a request gets when neither the defaults nor the server say: the bundled server's
#: model and its usual clip (sora-2, 1280x720, 4 s). Every client-side default reads it.
FALLBACK = _usual("sora-2")


def _message(name: str, value: Any, reason: str) -> str:
    reason = reason.removeprefix("Value error, ")
    field = Defaults.model_fields.get(name)
    wanted = field.description if field is not None and field.description else reason
    return f"The default {name} is {wanted}; got {value!r} ({reason.lower()})."
