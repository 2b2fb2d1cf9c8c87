"""How long a chain's video is and where its joins fall, read from its steps' requests alone.

A take knows its own chain (``Take.video_seconds``) and :mod:`sora_nb.runs.chains` plans and
checks chains; both read lengths here, which imports neither, so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sora_nb.runs.request import VideoRequest


class Made(Protocol):
    """A step of a chain that was made: anything with the request it was made from (a Take)."""

    @property
    def request(self) -> VideoRequest: ...


def video_seconds(chain: Sequence[Made | VideoRequest]) -> int:
    """How long the last video of a chain is: its first video, plus every extension since
    (an edit keeps the length; a remix starts a new video)."""
    total = 0
    for step in chain:
        request = step if isinstance(step, VideoRequest) else step.request
        if request.kind == "extension":
            total += request.seconds
        elif request.kind != "edit":
            total = request.seconds
    return total


def joins(chain: Sequence[Made | VideoRequest]) -> list[float]:
    """Where, in seconds, each extension begins in the chain's last video."""
    at: list[float] = []
    total = 0
    for step in chain:
        request = step if isinstance(step, VideoRequest) else step.request
        if request.kind == "extension":
            at.append(float(total))
            total += request.seconds
        elif request.kind != "edit":
            at, total = [], request.seconds
    return at


def extensions_in(chain: Sequence[Made | VideoRequest]) -> int:
    """How many extensions the chain's last video is made of."""
    return len(joins(chain))
