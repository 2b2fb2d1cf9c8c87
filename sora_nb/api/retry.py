"""When to try a request again, and how long to wait first.

The rules follow the OpenAI SDK's: retry 408, 409, 429 and 5xx answers, dropped connections and
timeouts, with jittered exponential backoff; a server's ``retry-after-ms`` or ``Retry-After``
(seconds or an HTTP date) wins over the backoff; ``x-should-retry`` overrides the status rule.
A POST carries one ``Idempotency-Key`` across all its attempts (the client sets it), so a
retried create cannot start, and bill, a second job.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES: frozenset[int] = frozenset({408, 409, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """How persistent the client is: attempts, backoff, and the most a server may ask to wait.

    ``max_retries`` counts retries after the first attempt. ``budget`` caps the total seconds
    spent waiting between attempts of one call; past it, the last error is raised.
    """

    max_retries: int = 4
    initial_delay: float = 0.5
    max_delay: float = 8.0
    budget: float = 60.0
    #: A server asking to wait longer than this (Retry-After) gets an error instead of a wait.
    max_server_delay: float = 60.0
    #: Draws the jitter factor in [0, 1); injectable for reproducible tests.
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, not {self.max_retries}")
        if not 0 <= self.initial_delay <= self.max_delay:
            raise ValueError("need 0 <= initial_delay <= max_delay")

    def backoff(self, retry: int) -> float:
        """Seconds before retry number ``retry`` (1-based): exponential, capped, jittered down
        by up to a quarter so many clients do not retry in lockstep."""
        delay = min(self.max_delay, self.initial_delay * 2 ** (retry - 1))
        return float(delay * (1 - 0.25 * self.random()))


NO_RETRIES = RetryPolicy(max_retries=0)


def should_retry_status(status_code: int, headers: Mapping[str, str]) -> bool:
    """True when an answer with this status is worth another attempt."""
    hint = headers.get("x-should-retry", "").strip().lower()
    if hint in ("true", "false"):
        return hint == "true"
    return status_code in RETRYABLE_STATUSES or status_code >= 500


def server_delay(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, then ``Retry-After``), if any.

    ``now`` is the wall-clock time, to turn an HTTP-date ``Retry-After`` into seconds.
    """
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    after = headers.get("retry-after")
    if after is None:
        return None
    after = after.strip()
    try:
        return max(0.0, float(after))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(after)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def poll_hint(headers: Mapping[str, str]) -> float | None:
    """Seconds until the next status check, from ``openai-poll-after-ms``, if the server sent it."""
    value = headers.get("openai-poll-after-ms")
    if value is None:
        return None
    try:
        seconds = float(value) / 1000
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


@dataclass(frozen=True)
class PollPolicy:
    """How ``wait`` paces status checks when the server gives no ``openai-poll-after-ms`` hint.

    It starts at ``floor`` seconds and grows by ``factor`` up to ``ceiling``: quick jobs are
    seen soon, long ones are not hammered (OpenAI's guidance was every 10-20 s with backoff).
    A server's hint is honoured as given, clamped to [``min_hint``, ``max_hint``].
    """

    floor: float = 2.0
    ceiling: float = 20.0
    factor: float = 1.6
    #: Up to this fraction is shaved off each interval so many takes do not poll in lockstep.
    jitter: float = 0.1
    min_hint: float = 0.1
    max_hint: float = 300.0
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 < self.floor <= self.ceiling:
            raise ValueError(
                f"poll floor and ceiling need 0 < floor <= ceiling, not {self.floor}, "
                f"{self.ceiling}"
            )
        if self.factor < 1:
            raise ValueError(f"poll factor must be at least 1, not {self.factor}")

    def interval(self, checks: int, hint: float | None) -> float:
        """Seconds to wait after the ``checks``-th status check (1-based), given a hint or not."""
        if hint is not None:
            return min(self.max_hint, max(self.min_hint, hint))
        base = min(self.ceiling, self.floor * self.factor ** (checks - 1))
        return max(self.floor, base * (1 - self.jitter * self.random()))
