"""Take: one generated clip, as the ledger records it and as a notebook shows it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from sora_nb.runs.chain_length import video_seconds
from sora_nb.runs.request import VideoRequest

log = logging.getLogger("sora_nb.runs")

TakeStatus = Literal[
    "pending",  # recorded, create not yet acknowledged by the server
    "queued",
    "in_progress",
    "completed",
    "failed",
    "expired",  # the server no longer has the job or its files
]
FINAL_STATUSES: frozenset[str] = frozenset({"completed", "failed", "expired"})
FILE_NAMES: dict[str, str] = {
    "video": "video.mp4",
    "thumbnail": "thumbnail.webp",
    "spritesheet": "spritesheet.jpg",
    # A post-processed take's video as its server sent it (video.mp4 is then processed).
    "raw": "raw.mp4",
}


class Deriver(Protocol):
    """What extends and edits a take: the session it belongs to."""

    def derive(
        self,
        take: Take,
        kind: Literal["extension", "edit"],
        prompt: str,
        *,
        seconds: int | None = None,
        wait: bool = True,
        cache: bool = True,
        budget: float | None = None,
    ) -> Take: ...


#: The session a take that belongs to none goes through (the notebook's kernel sets its own).
default_session: Callable[[], Deriver] | None = None


class TakeLedger(Protocol):
    """What a take reads from its media folder's ledger: where it comes from."""

    def parent(self, take: Take) -> Take | None: ...

    def chain(self, take: Take) -> list[Take]: ...


#: Opens the ledger of a media folder. :mod:`sora_nb.runs.ledger`, which builds takes from its
#: rows and so imports this module, sets it when imported (the package imports it first), so a
#: take finds its ledger without this module naming the ledger's.
open_ledger: Callable[[Path], TakeLedger] | None = None


class TakeFailure(BaseModel):
    """Why a take did not complete: the server's code and message, or sora_nb's."""

    code: str
    message: str


class Take(BaseModel):
    """One generated clip: id, status, progress, files, cost and timings.

    A Take returned in non-blocking mode keeps updating as its job runs; ``wait()`` blocks until
    it is final and ``on_change`` lets a widget follow it.
    """

    model_config = ConfigDict(validate_assignment=False)

    id: str
    key: str
    request: VideoRequest
    server: str
    status: TakeStatus = "pending"
    progress: int = 0
    job_id: str | None = None
    error: TakeFailure | None = None
    #: Dollars the server is expected to charge, and charged once the take completed: $0 on
    #: the bundled server and one's own GPUs, the catalog's price on a paid one (None: unknown).
    estimated_cost: float | None = None
    cost: float | None = None
    #: Where the server charged nothing: what the take would cost on the hosted model it
    #: names (the one the offline animatic imitates), never counted as spent.
    would_cost: float | None = None
    #: GPU seconds the server spent on it, its peak GPU memory, and its seconds per denoising
    #: step (self-hosted engines; the bundled server reports all three for an open model).
    gpu_seconds: float | None = None
    peak_memory_mb: float | None = None
    seconds_per_step: float | None = None
    #: Seconds of each stage the server timed (``text_encoding``, ``denoising``, ``vae_decode``,
    #: ``encoding``: the bundled server; vLLM-Omni's ``stage_durations`` as it names them).
    stage_durations: dict[str, float] | None = None
    #: The clip's length in seconds and the server's own measurements of the job, as the server
    #: reported them (vLLM-Omni's ``duration_s`` and ``metrics``); None where it did not.
    duration_s: float | None = None
    server_metrics: dict[str, Any] | None = None
    created_at: float = Field(default_factory=time.time)
    submitted_at: float | None = None
    completed_at: float | None = None
    #: Folder of this take's files, relative to the media folder.
    folder: str
    rating: int | None = None
    note: str | None = None
    metrics: dict[str, Any] = Field(default_factory=dict)
    #: True when this Take was answered from the ledger without sending anything.
    cached: bool = False

    _media_dir: Path | None = PrivateAttr(default=None)
    _ledger: TakeLedger | None = PrivateAttr(default=None)
    #: The session that made or found this take: what ``extend`` and ``edit`` go through.
    _session: Deriver | None = PrivateAttr(default=None)
    _listeners: list[Callable[[Take], None]] = PrivateAttr(default_factory=list)
    _final: threading.Event = PrivateAttr(default_factory=threading.Event)
    _refetching: bool = PrivateAttr(default=False)
    _preview: bytes | None = PrivateAttr(default=None)

    @property
    def done(self) -> bool:
        """True once the take is completed, failed or expired."""
        return self.status in FINAL_STATUSES

    @property
    def ok(self) -> bool:
        return self.status == "completed"

    @property
    def elapsed(self) -> float:
        """Seconds from submission to completion (or to now while running)."""
        start = self.submitted_at or self.created_at
        end = self.completed_at or time.time()
        return max(0.0, end - start)

    def path(self, variant: str = "video") -> Path:
        """Where this take's ``video``, ``thumbnail`` or ``spritesheet`` lives on disk."""
        return self.media_dir / self.folder / FILE_NAMES[variant]

    @property
    def media_dir(self) -> Path:
        """The media folder this take's files live under."""
        if self._media_dir is None:
            raise RuntimeError("this Take is not attached to a media folder")
        return self._media_dir

    @property
    def video_path(self) -> Path:
        return self.path("video")

    def attach(self, media_dir: Path, ledger: TakeLedger | None = None) -> Take:
        self._media_dir = media_dir
        if ledger is not None:
            self._ledger = ledger
        if self.done:
            self._final.set()
        return self

    @property
    def prompt(self) -> str:
        """The prompt sent: the user's words, or an enhancer's rewrite of them."""
        return self.request.prompt

    @property
    def mine(self) -> str:
        """The user's own words (the prompt sent, unless it was an enhancer's rewrite)."""
        return self.request.mine

    @property
    def enhanced(self) -> bool:
        """Whether the prompt sent was an enhancer's rewrite of the user's words."""
        return self.request.enhancement is not None

    # -- lineage ---------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        """What made this take: "create", "remix", "extension" or "edit"."""
        return self.request.kind

    @property
    def parent(self) -> Take | None:
        """The take this one remixes, extends or edits (None for a video made from a prompt,
        or one whose source this media folder does not hold)."""
        return self.ledger.parent(self)

    @property
    def video_seconds(self) -> int:
        """How long this take's video is: for an extension, the whole stitched video (its
        request's ``seconds`` are what the extension added)."""
        if self.request.parent is None:
            return self.request.seconds
        return video_seconds(self.chain())

    def chain(self) -> list[Take]:
        """Every take this one comes from, first video first, then this take: the source, its
        edits and extensions, in the order they were made."""
        return self.ledger.chain(self)

    @property
    def ledger(self) -> TakeLedger:
        """The ledger of this take's media folder."""
        if self._ledger is None:
            if open_ledger is None:  # pragma: no cover - sora_nb.runs imports the ledger first
                raise RuntimeError("import sora_nb.runs.ledger to read a take's ledger")
            self._ledger = open_ledger(self.media_dir)
        return self._ledger

    def extend(self, prompt: str, seconds: int = 8, **options: Any) -> Take:
        """Continue this finished take by ``seconds`` (4, 8, 12, 16 or 20) from its last
        frame; the new take's video is the whole stitched video. ``options`` as for
        ``generate`` (``wait``, ``cache``, ``takes``...)."""
        return self._deriver().derive(self, "extension", prompt, seconds=seconds, **options)

    def edit(self, prompt: str, **options: Any) -> Take:
        """Rework this finished take with ``prompt``: the same scene, changed where the prompt
        says (the same length and characters)."""
        return self._deriver().derive(self, "edit", prompt, **options)

    def _deriver(self) -> Deriver:
        deriver = self._session or (default_session() if default_session else None)
        if deriver is None:
            raise RuntimeError(
                f"Take {self.id} belongs to no session: extend or edit it with "
                "sora_nb.extend(take, ...) or Session.derive(...)."
            )
        return deriver

    @property
    def preview(self) -> bytes | None:
        """The newest live preview of the running take (a small JPEG), where its server makes
        them (sora_nb's bundled server); None otherwise. Kept in memory only."""
        return self._preview

    def show_preview(self, data: bytes | None) -> None:
        """A new live preview (None: let it go), told to listeners as a change is."""
        self._preview = data
        self.update()

    @property
    def refetching(self) -> bool:
        """True while a completed take's lost or damaged video is fetched again from its job."""
        return self._refetching

    def refetch(self) -> Take:
        """Mark this completed take as being fetched again: it is not final until its files
        are back (or the server says it no longer has the job)."""
        self._refetching = True
        self.status = "in_progress"
        self._final.clear()
        return self

    def reopen(self) -> Take:
        """Make a take that ended on a passing error (a 5xx, a dropped connection, a deadline)
        live again, to finish the same job, or retry the same create under the same
        idempotency key, instead of paying for another."""
        self.status = "in_progress" if self.job_id else "pending"
        self._final.clear()
        return self

    def on_change(
        self, callback: Callable[[Take], None], remove: bool = False
    ) -> Callable[[], None]:
        """Call ``callback(take)`` after every status or progress change, until unsubscribed.

        Returns the function that unsubscribes it (a widget calls it when it closes, so a take
        does not keep every view it was ever shown in); ``remove=True`` unsubscribes at once,
        as ipywidgets' ``on_msg(callback, remove=True)`` does.
        """
        if remove:
            self._unsubscribe(callback)
            return lambda: None
        self._listeners.append(callback)
        return lambda: self._unsubscribe(callback)

    def _unsubscribe(self, callback: Callable[[Take], None]) -> None:
        # Equality, not identity: a bound method is a new object each time it is looked up.
        for index, listener in enumerate(self._listeners):
            if listener == callback:
                del self._listeners[index]
                return

    @property
    def subscribers(self) -> int:
        """How many callbacks follow this take now."""
        return len(self._listeners)

    def update(self, **changes: Any) -> None:
        """Apply changes from the runner and tell listeners (runs on the runner's thread)."""
        for name, value in changes.items():
            setattr(self, name, value)
        try:
            # Listeners (a widget, a display) see the final state before wait() returns.
            for callback in list(self._listeners):
                try:
                    callback(self)
                except Exception:
                    # A broken view must not stop the take or leave wait() hanging.
                    log.exception("a listener of take %s failed", self.id)
        finally:
            if self.done:
                self._refetching = False
                self._final.set()

    def wait(self, timeout: float | None = None) -> Take:
        """Block until the take is final (for takes started with ``wait=False``)."""
        if not self._final.wait(timeout):
            raise TimeoutError(f"take {self.id} is still {self.status} after {timeout} s")
        return self

    def __eq__(self, other: object) -> bool:
        # Two Take objects are equal when they record the same thing; listeners and the
        # "final" event are per-object plumbing, not data.
        if not isinstance(other, Take):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        cost = "unknown" if self.cost is None else f"${self.cost:.2f}"
        if self.cost is None and self.gpu_seconds is not None:
            cost = f"{self.gpu_seconds:.1f} GPU s"
        seed = self.request.options.seed
        seed = f" seed {seed}" if seed is not None else ""
        return (
            f"<Take {self.id} {self.status} {self.request.model} {self.request.size} "
            f"{self.request.seconds}s take {self.request.take}{seed}"
            f"{' enhanced' if self.enhanced else ''} cost {cost}>"
        )
