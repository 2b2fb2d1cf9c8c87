"""What every renderer of the bundled server is: what it can render, and how it renders a job.

A renderer declares its :class:`Abilities` (the models it serves, its size and frame rules, fps,
sound, first frame, the knobs it honours), refuses a request it cannot honour before a job
exists (:meth:`Renderer.check`, a 400 naming the field), and renders a job into a folder while
reporting progress and watching for cancellation through a :class:`RenderControl`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sora_nb.catalog import options as options_table
from sora_nb.catalog.options import Options
from sora_nb.server.renderers.preview_slot import PreviewSlot

#: The request options of ``POST /v1/videos``, as the engines (vLLM-Omni, SGLang) name them
#: (the options table's wire names).
KNOBS: tuple[str, ...] = tuple(option.wire for option in options_table.OPTIONS)


@dataclass(frozen=True)
class Abilities:
    """What one renderer can render; the server checks requests and paces jobs by it."""

    #: Short name shown in logs and errors ("animatic", "diffusers").
    kind: str
    #: Model names this renderer answers to; None means every model of the catalog.
    models: tuple[str, ...] | None
    #: The model a create without ``model`` gets.
    default_model: str
    #: Width and height must be multiples of this.
    size_multiple: int
    #: Frames per second when the request does not say.
    fps: int
    #: Frame counts allowed are ``frame_step * k + 1``; None means exactly ``seconds * fps``.
    frame_step: int | None
    sound: bool
    #: Takes an ``input_reference`` image as the first frame.
    first_frame: bool
    #: Needs an ``input_reference`` (an image-to-video model).
    needs_first_frame: bool = False
    #: The knobs of :data:`KNOBS` this renderer honours.
    knobs: frozenset[str] = frozenset()
    #: True: a job's status follows the simulated clock (``time_scale``), as the animatic's does;
    #: False: status and progress follow the real render.
    paced: bool = True
    #: True: DELETE on a running job stops its render between steps.
    cancellable: bool = False
    #: Renders at once (1 per GPU for a resident pipeline).
    workers: int | None = None
    #: The model's usual clip ("832x480", 5 s for Wan 2.1): what a request naming no size or
    #: length gets, and what the server's /v1/models card tells clients. None: the catalog's.
    usual_size: str | None = None
    usual_seconds: int | None = None
    #: The LoRA adapters it offers, by name (the diffusers renderer's ``--lora-dir``).
    loras: tuple[str, ...] = ()
    #: Draws characters made from clips (``characters`` on create), keeping their look.
    characters: bool = False
    #: Continues a finished video where it ends (``POST /videos/extensions``), and reworks one
    #: while keeping its scene (``POST /videos/edits``).
    continues: bool = False
    #: The step caches it applies (``--step-cache``), ``none`` first; empty when it has none.
    step_caches: tuple[str, ...] = ()
    #: Offers a live preview of a running job (``GET /content?variant=preview``).
    previews: bool = False


@dataclass(frozen=True)
class Cameo:
    """A character as the renderer draws it: its name, palette and silhouette, read from the
    clip it was made from (``sora_nb.server.cameo``)."""

    name: str
    #: Its colours in bands from the top of the figure down (hat, face, coat, trousers...).
    palette: tuple[tuple[int, int, int], ...]
    #: The outline, column by column across the figure's width: (top, bottom) as fractions of
    #: its height from the top, or None where the column is empty.
    outline: tuple[tuple[float, float] | None, ...]
    #: Height over width of the figure as filmed.
    aspect: float
    #: Where each band of the palette ends and the next begins, as fractions of the height.
    bands: tuple[float, ...] = ()


@dataclass(frozen=True)
class Segment:
    """One part of a video made in steps: the first is the video created, each later one an
    extension; ``edits`` are the edit prompts in force over it (oldest first)."""

    prompt: str
    seconds: int
    take: int = 1
    seed: int | None = None
    edits: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderRequest:
    """One job as the renderer sees it: the wire fields, the take number and the options sent."""

    prompt: str
    width: int
    height: int
    seconds: int
    model: str
    take: int = 1
    reference: bytes | None = None
    #: The request options sent (seed, steps...: the options table's, by Python name).
    options: Options = field(default_factory=Options)
    #: The characters the request features (what the renderer draws for their names).
    characters: tuple[Cameo, ...] = ()
    #: A video made in steps (extended, or an edit of one): every segment, the newest last;
    #: empty for a plain create. ``prompt`` and ``seconds`` are then the job's own (the newest
    #: prompt, the stitched total).
    segments: tuple[Segment, ...] = ()
    #: For an extension: the finished video of every segment but the last, kept as it is.
    keep: Path | None = None
    #: For an edit of an uploaded video (which no prompt can draw again): the video whose
    #: frames the edit regrades.
    rework: Path | None = None

    def knobs_sent(self) -> dict[str, object]:
        """The options this request carries, by wire name."""
        return self.options.wire()


@dataclass(frozen=True)
class RenderMetrics:
    """What a renderer measured while rendering (reported on the job, like vLLM-Omni's)."""

    inference_time_s: float
    peak_memory_mb: float | None = None
    seconds_per_step: float | None = None
    num_inference_steps: int | None = None
    seed: int | None = None
    num_frames: int | None = None
    fps: int | None = None
    device: str | None = None
    #: Seconds of each stage: text_encoding, denoising, vae_decode, encoding (as vLLM-Omni's
    #: ``stage_durations``).
    stage_durations: dict[str, float] | None = None
    #: The step cache the render ran with (``firstblock:0.1``), None for none.
    step_cache: str | None = None


@dataclass(frozen=True)
class RenderResult:
    """A finished render: its three files and, when measured, its metrics."""

    video: Path
    thumbnail: Path
    spritesheet: Path
    metrics: RenderMetrics | None = None


class RenderRefused(ValueError):
    """A request this renderer cannot honour: a 400 naming ``param`` before any job exists."""

    def __init__(self, message: str, *, param: str) -> None:
        super().__init__(message)
        self.param = param


class RenderFailed(RuntimeError):
    """A render that failed for a reason the user can act on (``code`` and ``message`` go on
    the failed job, e.g. ``out_of_memory`` with what to try)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class RenderCancelled(BaseException):
    """Raised inside a render once its job was deleted or the server is closing.

    A BaseException, so no ``except Exception`` in a pipeline swallows it.
    """


@dataclass
class RenderControl:
    """The line between a running render and the job store: progress out, cancellation in."""

    #: Fraction done, 0 to 1, as the renderer reports it.
    fraction: float = 0.0
    #: What the render is doing ("loading", "denoising", "decoding", "encoding").
    stage: str = "starting"
    #: Steps finished, when the renderer has steps.
    steps_done: int = 0
    #: Seconds per step measured so far (the server's poll hint follows it).
    seconds_per_step: float | None = None
    #: The newest preview the render offered (renderers with ``previews``).
    preview: PreviewSlot = field(default_factory=PreviewSlot)
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    #: Called on every report (the store uses it for nothing but tests may).
    on_report: Callable[[RenderControl], None] | None = field(default=None, repr=False)

    def report(self, fraction: float, stage: str | None = None) -> None:
        """Record progress (never backwards) and stop here if the job was cancelled."""
        self.fraction = max(self.fraction, min(1.0, max(0.0, fraction)))
        if stage is not None:
            self.stage = stage
        if self.on_report is not None:
            self.on_report(self)
        self.check()

    def cancel(self) -> None:
        """Ask the render to stop at its next report."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`RenderCancelled` if the job was cancelled."""
        if self._cancel.is_set():
            raise RenderCancelled


class Renderer(Protocol):
    """The interface the job store renders through."""

    @property
    def abilities(self) -> Abilities: ...

    def check(self, request: RenderRequest) -> None:
        """Raise :class:`RenderRefused` (param and why) for a request it cannot render."""
        ...

    def render(self, request: RenderRequest, out_dir: Path, control: RenderControl) -> RenderResult:
        """Write video.mp4, thumbnail.webp and spritesheet.jpg into ``out_dir``."""
        ...

    def close(self) -> None:
        """Release what the renderer holds (a resident pipeline keeps its own lifetime)."""
        ...


def nearest_multiples(value: int, multiple: int) -> tuple[int, ...]:
    """The multiples of ``multiple`` either side of ``value`` (one if it is a multiple)."""
    below = max(multiple, value // multiple * multiple)
    above = below if below >= value else below + multiple
    return (below,) if below == above else (below, above)


def nearest_frames(frames: int, step: int) -> tuple[int, ...]:
    """The frame counts of the form ``step * k + 1`` either side of ``frames``."""
    below = max(1, (frames - 1) // step * step + 1)
    above = below if below >= frames else below + step
    return (below,) if below == above else (below, above)


def frames_for(seconds: int, fps: int, step: int | None) -> int:
    """Frames of a ``seconds``-long clip at ``fps`` under a ``step * k + 1`` rule: the usual
    lengths (5 s at 16 fps: 81; 5 s at 24 fps with 8k+1: 121)."""
    count = seconds * fps
    if step is None:
        return count
    return max(1, count // step * step + 1)
