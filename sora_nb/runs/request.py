"""VideoRequest: everything that decides what a take is, and the cache key derived from it."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sora_nb import catalog
from sora_nb.api.enhancer import Enhancement
from sora_nb.catalog.options import Options
from sora_nb.catalog.options import names as option_names
from sora_nb.runs.defaults import FALLBACK

#: The label of the bundled server in ledger rows and cache keys (it has no URL of its own).
LOCAL_SERVER = "local"


class Reference(BaseModel):
    """A first-frame reference image, stored once in the media folder under its content hash."""

    model_config = ConfigDict(frozen=True)

    sha256: str
    media_type: str
    filename: str
    #: Path relative to the media folder (``refs/<sha256>.<ext>``).
    path: str


class CastMember(BaseModel):
    """A character a request features: its name (written in the prompt) and its id on the
    request's server (ids are per server; the media folder keeps every one)."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=80)
    id: str = Field(min_length=1)


class Parent(BaseModel):
    """The video a request continues (an extension) or reworks (an edit): a take of this media
    folder, or a server job given by its id."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["extension", "edit"]
    #: The parent take's id here (its job is looked up when the request is sent)...
    take: str | None = None
    #: ... or the job id itself, for a video this folder did not make.
    job: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Parent:
        if (self.take is None) == (self.job is None):
            raise ValueError("a parent is a take id or a job id, exactly one of them")
        return self


class VideoRequest(BaseModel):
    """One video to generate: model, size, seconds, prompt, optional reference, take number,
    and its options (:class:`~sora_nb.catalog.options.Options`: for open models the seed,
    negative prompt, steps...).

    Two requests with equal fields are the same cell of an experiment: they share a cache key,
    so the second one is answered from disk without sending anything.
    """

    model_config = ConfigDict(frozen=True)

    prompt: str = Field(min_length=1, max_length=32_000)
    model: str = FALLBACK.model
    size: str = FALLBACK.size
    seconds: int = FALLBACK.seconds
    take: int = Field(default=1, ge=1)
    reference: Reference | None = None
    #: Job id of a completed video this request remixes (sends only the prompt).
    remix_of: str | None = None
    #: The structured Prompt the text was rendered from, when there was one (JSON-ready).
    prompt_json: dict[str, Any] | None = None
    #: The options it sets (one row each in the options table); given by name, like
    #: ``VideoRequest(prompt=..., seed=7)``, they are gathered here.
    options: Options = Options()
    #: The characters it features (two at most), by name and id on its server.
    characters: tuple[CastMember, ...] = Field(default=(), max_length=2)
    #: The video it extends or edits; ``seconds`` is then what it adds (an extension) or the
    #: whole video's length (an edit).
    parent: Parent | None = None
    #: When ``prompt`` is an LLM's rewrite of the user's words: the rewrite, with those words
    #: (``enhancement.brief``), the model that wrote it and what it cost.
    enhancement: Enhancement | None = None

    @model_validator(mode="before")
    @classmethod
    def _gather_options(cls, data: Any) -> Any:
        # Options named at the top level (and ledgers written before they had their own
        # object) are gathered into ``options``.
        if not isinstance(data, dict) or not any(name in data for name in option_names()):
            return data
        data = dict(data)
        given = dict(Options.model_validate(data.get("options") or {}).given())
        for name in option_names():
            if name in data:
                given[name] = data.pop(name)
        data["options"] = Options(**given)
        return data

    @field_validator("size")
    @classmethod
    def _size_shape(cls, value: str) -> str:
        width, sep, height = value.lower().partition("x")
        if not (sep and width.isdigit() and height.isdigit()):
            raise ValueError(f"size {value!r} should look like 1280x720 (width x height)")
        return f"{int(width)}x{int(height)}"

    @property
    def width(self) -> int:
        return int(self.size.split("x")[0])

    @property
    def height(self) -> int:
        return int(self.size.split("x")[1])

    @property
    def mine(self) -> str:
        """The user's own words: the prompt sent, or the brief an enhanced prompt rewrote."""
        return self.enhancement.brief if self.enhancement is not None else self.prompt

    @property
    def kind(self) -> str:
        """What the request makes: a "create", a "remix", an "extension" or an "edit"."""
        if self.parent is not None:
            return self.parent.kind
        return "remix" if self.remix_of else "create"

    def estimated_cost(self) -> float | None:
        """Dollars this take is expected to cost by the catalog (an extension: the seconds it
        adds); None when the price is unknown."""
        return catalog.estimate_cost(self.model, self.size, self.seconds)

    def knobs(self) -> dict[str, Any]:
        """The options this request sets (by Python name), for the client's create."""
        return self.options.given()

    def with_options(self, **changes: Any) -> VideoRequest:
        """The same request with these options set (None clears one), checked."""
        return self.model_copy(update={"options": self.options.replace(**changes)})

    def cache_key(self, server: str) -> str:
        """A content key over everything that changes the video (never the API key).

        The open-model settings count only when set, so a request without them keeps the key
        it had before they existed (ledgers written then still answer it)."""
        fields: dict[str, Any] = {
            "server": server.rstrip("/"),
            "model": self.model,
            "size": self.size,
            "seconds": self.seconds,
            "prompt": self.prompt,
            "reference": self.reference.sha256 if self.reference else None,
            "remix_of": self.remix_of,
            "take": self.take,
        }
        fields.update(self.knobs())
        # Like the knobs, these count only when set: older keys stay as they were.
        if self.characters:
            fields["characters"] = [member.id for member in self.characters]
        if self.parent is not None:
            fields["parent"] = self.parent.model_dump(exclude_none=True)
        if self.enhancement is not None:
            fields["mine"] = self.enhancement.brief
        blob = json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()

    def with_take(self, take: int) -> VideoRequest:
        """The same request as take number ``take`` (1-based)."""
        return self.model_copy(update={"take": take})

    def chosen_seed(self) -> int:
        """A seed for this take when none was given: fixed by the request's content and take
        number, so the plan is the same every time the cell runs (and cached takes are found),
        and every take of a cell gets its own. The step cache is left out: cached and uncached
        takes of one request start from the same noise, so they can be compared."""
        unseeded = self.with_options(seed=None, step_cache=None)
        digest = hashlib.sha256(unseeded.cache_key("seed").encode())
        return int(digest.hexdigest()[:8], 16) % 2**31
