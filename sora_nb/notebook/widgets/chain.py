"""The chain a Player shows: a take's source, then its edits and extensions, each step with
what it added, how long the video is by then, its poster and status, and continuity at the
join where each extension begins.

Continuity is read from the frames of a finished video (``research.joins.read_joins``):
decoding a long video takes seconds, so :class:`JoinReader` reads it once per video, on a
thread of its own, and tells the widget when the readings are there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from sora_nb.notebook.widgets._files import describe
from sora_nb.notebook.widgets.state import ChainStep, JoinState
from sora_nb.research.joins import JoinReading, read_joins
from sora_nb.runs import chains
from sora_nb.runs.take import Take

log = logging.getLogger("sora_nb.notebook")


def chain_of(take: Take) -> list[Take]:
    """The take's chain from the ledger (the take itself last), or the take alone when it
    belongs to no media folder."""
    try:
        found = take.chain()
    except RuntimeError:
        return [take]
    # The ledger's chain ends with the object asked about, so the live take is the one shown.
    return [*found[:-1], take] if found else [take]


def reading_source(chain: Sequence[Take]) -> Take | None:
    """The latest finished take of the chain whose video has joins (the one continuity is read
    from), or None when no finished video of it was extended."""
    for end in range(len(chain), 0, -1):
        take = chain[end - 1]
        if take.ok and chains.joins(chain[:end]):
            return take
    return None


def steps(
    chain: Sequence[Take], current: Take, readings: Sequence[JoinReading] = ()
) -> list[ChainStep]:
    """The chain as the Player lists it; ``readings`` (of the source's video) go to the
    extensions whose joins they measure, numbered as in the video (a remix starts again)."""
    by_join = {reading.join: reading for reading in readings}
    found: list[ChainStep] = []
    extension = 0
    for index, take in enumerate(chain):
        request = take.request
        join: JoinState | None = None
        if request.kind == "extension":
            extension += 1
            reading = by_join.get(extension)
            if reading is not None:
                join = JoinState(
                    at_seconds=reading.at_seconds, colour=reading.colour, layout=reading.layout
                )
        elif request.kind != "edit":
            extension = 0
        found.append(
            ChainStep(
                take_id=take.id,
                kind=request.kind,
                label=chains.describe(request),
                seconds=request.seconds,
                video_seconds=chains.video_seconds(chain[: index + 1]),
                status=take.status,
                prompt=request.prompt,
                current=take is current,
                thumbnail=describe(take, "thumbnail"),
                join=join,
            )
        )
    return found


class JoinReader:
    """Reads continuity at the joins of finished videos in the background, once per video;
    ``on_read()`` is called (on the reading thread) when a reading is ready."""

    def __init__(self, on_read: Callable[[], None]) -> None:
        self._on_read = on_read
        self._lock = threading.Lock()
        self._done: dict[str, list[JoinReading]] = {}
        self._problems: dict[str, str] = {}
        self._reading: set[str] = set()

    def readings(self, take: Take) -> list[JoinReading] | None:
        """The readings of ``take``'s video, or None while they are being read (the first
        call starts reading)."""
        key = self._key(take)
        with self._lock:
            if key in self._done:
                return self._done[key]
            if key in self._reading:
                return None
            self._reading.add(key)
        thread = threading.Thread(
            target=self._read, args=(take, key), name=f"sora_nb-joins-{take.id}", daemon=True
        )
        thread.start()
        return None

    def problem(self, take: Take) -> str:
        """Why ``take``'s video could not be read (empty when it could, or is being read)."""
        with self._lock:
            return self._problems.get(self._key(take), "")

    def _read(self, take: Take, key: str) -> None:
        try:
            found = read_joins(take)
            problem = ""
        except Exception as exc:  # a damaged or missing video: said in the chain's note
            log.exception("continuity at the joins of take %s could not be read", take.id)
            found, problem = [], f"{type(exc).__name__}: {exc}"
        with self._lock:
            self._done[key] = found
            self._reading.discard(key)
            if problem:
                self._problems[key] = problem
        self._on_read()

    @staticmethod
    def _key(take: Take) -> str:
        # A refetched video is another file: read it again.
        try:
            stat = take.path("video").stat()
        except (RuntimeError, OSError):
            return take.id
        return f"{take.id}:{stat.st_mtime_ns:x}-{stat.st_size:x}"


def chain_note(chain: Sequence[Take], reader: JoinReader) -> str:
    """The line under the chain: what the join readings mean, or that they are on their way,
    or why they could not be read."""
    source = reading_source(chain)
    if source is None:
        return ""
    if reader.readings(source) is None:
        return "Reading continuity at the joins…"
    problem = reader.problem(source)
    if problem:
        return f"Continuity at the joins could not be read ({problem})."
    return "At each join: colour and layout alike before and after it (1 = the same)."
