"""Faults on demand: the failures a real Videos API server shows, at rates you choose.

All rates are off by default. Each request draws from one seeded random generator, so a run with
the same seed and the same sequence of requests meets the same faults (soak tests reproduce);
content downloads draw their truncation from a second one, so the k-th download's fate is fixed
by the seed alone.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: What can happen to one request instead of (or on top of) its normal answer.
FaultKind = Literal["429", "500", "502", "503", "drop"]

_STATUS_FAULTS: tuple[FaultKind, ...] = ("429", "500", "502", "503", "drop")


class FaultSettings(BaseModel):
    """Rates (0 to 1, per request) of each simulated fault, and how they behave.

    ``rate_drop`` breaks the connection after the request was handled (so a retried create must
    rely on its idempotency key); ``rate_truncate`` cuts a content download short;
    ``rate_slow`` delays the answer by ``slow_seconds``. 429 answers carry ``Retry-After``.
    """

    model_config = ConfigDict(frozen=True)

    rate_429: float = Field(default=0.0, ge=0, le=1)
    rate_500: float = Field(default=0.0, ge=0, le=1)
    rate_502: float = Field(default=0.0, ge=0, le=1)
    rate_503: float = Field(default=0.0, ge=0, le=1)
    rate_drop: float = Field(default=0.0, ge=0, le=1)
    rate_slow: float = Field(default=0.0, ge=0, le=1)
    rate_truncate: float = Field(default=0.0, ge=0, le=1)
    #: Seconds a 429 asks the client to wait (sent as ``Retry-After`` and ``retry-after-ms``).
    retry_after: float = Field(default=1.0, ge=0)
    #: Seconds a slow answer is delayed.
    slow_seconds: float = Field(default=2.0, ge=0)
    seed: int = 0

    @model_validator(mode="after")
    def _rates_add_up(self) -> FaultSettings:
        total = self.rate_429 + self.rate_500 + self.rate_502 + self.rate_503 + self.rate_drop
        if total > 1:
            raise ValueError(
                "rate_429 + rate_500 + rate_502 + rate_503 + rate_drop must be at most 1 "
                f"(one request gets at most one of them), not {total:g}"
            )
        return self

    @property
    def any(self) -> bool:
        """True when at least one fault can happen."""
        return any(
            rate > 0
            for rate in (
                self.rate_429,
                self.rate_500,
                self.rate_502,
                self.rate_503,
                self.rate_drop,
                self.rate_slow,
                self.rate_truncate,
            )
        )


@dataclass(frozen=True)
class FaultPlan:
    """What happens to one request: an error or a drop (or neither), and slowness."""

    fault: FaultKind | None = None
    slow: bool = False


class FaultInjector:
    """Draws a :class:`FaultPlan` per request from a seeded generator (thread-safe)."""

    def __init__(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._random = random.Random(settings.seed)
        # Downloads draw from a generator of their own, consulted only when content is served,
        # so the k-th download's fate does not depend on how concurrent requests interleave.
        self._downloads = random.Random(settings.seed + 1)
        self._lock = threading.Lock()

    def plan(self) -> FaultPlan:
        """The faults for the next request; two draws each time, so the sequence is stable."""
        s = self.settings
        with self._lock:
            draw, slow = self._random.random(), self._random.random()
        fault: FaultKind | None = None
        edge = 0.0
        for kind, rate in zip(
            _STATUS_FAULTS,
            (s.rate_429, s.rate_500, s.rate_502, s.rate_503, s.rate_drop),
            strict=True,
        ):
            edge += rate
            if draw < edge:
                fault = kind
                break
        return FaultPlan(fault=fault, slow=slow < s.rate_slow)

    def truncate(self) -> bool:
        """Whether the content download being served now is cut short."""
        with self._lock:
            return self._downloads.random() < self.settings.rate_truncate
