"""VideoRequest: everything that decides what a take is, and the cache key derived from it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sora_nb import catalog
from sora_nb.runs.defaults import BUILT_IN

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


class VideoRequest(BaseModel):
    """One video to generate: model, size, seconds, prompt, optional reference, take number.

    Two requests with equal fields are the same cell of an experiment: they share a cache key,
    so the second one is answered from disk without sending anything.
    """

    model_config = ConfigDict(frozen=True)

    prompt: str = Field(min_length=1, max_length=32_000)
    model: str = BUILT_IN.model
    size: str = BUILT_IN.size
    seconds: int = BUILT_IN.seconds
    take: int = Field(default=1, ge=1)
    reference: Reference | None = None
    #: Job id of a completed video this request remixes (sends only the prompt).
    remix_of: str | None = None
    #: The structured Prompt the text was rendered from, when there was one (JSON-ready).
    prompt_json: dict[str, Any] | None = None

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

    def estimated_cost(self) -> float | None:
        """Dollars this take is expected to cost by the catalog; None when the price is unknown."""
        return catalog.estimate_cost(self.model, self.size, self.seconds)

    def cache_key(self, server: str) -> str:
        """A content key over everything that changes the video (never the API key)."""
        fields = {
            "server": server.rstrip("/"),
            "model": self.model,
            "size": self.size,
            "seconds": self.seconds,
            "prompt": self.prompt,
            "reference": self.reference.sha256 if self.reference else None,
            "remix_of": self.remix_of,
            "take": self.take,
        }
        blob = json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()

    def with_take(self, take: int) -> VideoRequest:
        """The same request as take number ``take`` (1-based)."""
        return self.model_copy(update={"take": take})
