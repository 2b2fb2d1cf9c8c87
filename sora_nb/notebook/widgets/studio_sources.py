"""The studio's frames and source: a first and a last frame (paths on the kernel's machine, each
shown as a small thumbnail the kernel sends as bytes, ``fit`` to crop and resize both), and a
source video (a path or a finished take of the session) with the strength a video-to-video take
may stray from it.

The checks are the session's plan's own (the model's profile, ``prepare_reference``,
``source_prep.prepare``), so a wrong
size or a missing file gives the line ``%%sora --image A --last-image B`` gives, before anything
is sent; Generate then passes the same ``image``, ``fit`` and options the magic passes.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import traitlets
from PIL import Image

from sora_nb.api.errors import SoraError
from sora_nb.catalog import options as options_table
from sora_nb.media import write_atomic
from sora_nb.notebook.widgets._files import notebook_dir

if TYPE_CHECKING:
    from sora_nb.api.dialects import ServerInfo
    from sora_nb.runs.session import Session

#: The source traits whose change re-checks the request.
SOURCE_TRAITS = ("first_image", "last_image", "fit", "source_video", "strength")
#: The options-table rows the section shows only where the server takes them.
_ROWS = ("last_image", "video", "strength")
#: The longest side of a frame's thumbnail, in pixels.
THUMB_PX = 160
#: How many of the session's finished takes the source picker offers (newest first).
MOST_TAKES = 30


class SourceControls(traitlets.HasTraits):
    """The traits and helpers the Studio mixes in for its "Frames and source" section."""

    first_image = traitlets.Unicode(
        "", help="The first frame: an image's path (relative to the notebook's folder)."
    ).tag(sync=True)
    last_image = traitlets.Unicode("", help="The last frame: an image's path.").tag(sync=True)
    fit = traitlets.Bool(False, help="Crop and resize the frames to the video's size.").tag(
        sync=True
    )
    source_video = traitlets.Unicode(
        "", help="Video-to-video from this source: an MP4's path or a take's id."
    ).tag(sync=True)
    strength = traitlets.Float(
        None, allow_none=True, help="How far the take may stray from its source (0.01 to 1)."
    ).tag(sync=True)
    frame_thumbs = traitlets.Dict(
        help="The frames' PNG thumbnails the page may read (key frame:first, frame:last) by "
        "name: {'first': {'size': bytes, 'version': ...}}; absent: no image to show."
    ).tag(sync=True)
    source_takes = traitlets.List(
        traitlets.Dict(), help="The session's finished takes: {'id', 'label'}, newest first."
    ).tag(sync=True)
    sources_offered = traitlets.List(
        traitlets.Unicode(), help="Of last_image, video, strength: those the server takes."
    ).tag(sync=True)
    sources_hints = traitlets.Dict(
        key_trait=traitlets.Unicode(),
        value_trait=traitlets.Unicode(),
        help="For each of those the server lacks, one line on which servers take it.",
    ).tag(sync=True)
    sources_problem = traitlets.Unicode(
        "", help="Why the frames or source cannot be sent (empty: they can)."
    ).tag(sync=True)
    strength_bounds = traitlets.List(traitlets.Float(), help="The strength row's low, high.").tag(
        sync=True
    )

    _session: Session

    @traitlets.validate("strength")
    def _check_strength(self, proposal: dict[str, Any]) -> float | None:
        value: float | None = proposal["value"]
        row = options_table.get("strength")
        if value is not None and not (row.low or 0) <= value <= (row.high or 1):
            raise traitlets.TraitError(f"strength is from {row.low} to {row.high}, not {value}.")
        return value

    def _load_sources(self) -> None:
        """What the server takes, and the session's finished takes to pick a source from."""
        row = options_table.get("strength")
        self.strength_bounds = [float(row.low or 0.01), float(row.high or 1.0)]
        try:
            info: ServerInfo | None = self._session.server_info(strict=False)
        except SoraError:
            info = None
        self.sources_offered, self.sources_hints = offered_sources(info)
        self.source_takes = finished_takes(self._session)

    def _frame_for(self, key: str) -> Path | None:
        """The thumbnail behind ``frame:first`` or ``frame:last`` (None for any other key)."""
        return (
            getattr(self, "_thumbs", {}).get(key.removeprefix("frame:"))
            if key.startswith("frame:")
            else None
        )

    def _source_args(self, knobs: dict[str, Any]) -> dict[str, Any]:
        """``image``, ``fit`` and ``options`` for Session.plan, as ``%%sora --image A
        --last-image B --video T --strength X [--fit]`` passes them."""
        options = dict(knobs)
        if self.last_image.strip():
            options["last_image"] = on_kernel(self.last_image)
        if self.source_video.strip():
            options["video"] = take_named(self.source_video.strip()) or on_kernel(self.source_video)
        if self.strength is not None and self.source_video.strip():
            options["strength"] = self.strength
        first = self.first_image.strip()
        return {"image": on_kernel(first) if first else None, "fit": self.fit, "options": options}

    def _sources_refresh(self) -> str:
        """Set the thumbnails and the problem line for the studio's model, size and seconds;
        returns the problem (empty when none)."""
        request = {name: getattr(self, name) for name in ("model", "size", "seconds")}
        ledger = self._session.ledger
        seen = (ledger.count(), len(ledger.unfinished()))
        if seen != getattr(self, "_takes_seen", None):  # a take made or finished since
            self._takes_seen = seen
            self.source_takes = finished_takes(self._session)
        self._thumbs = {"first": thumbnail(self.first_image), "last": thumbnail(self.last_image)}
        self.frame_thumbs = {
            name: {"size": path.stat().st_size, "version": path.stem}
            for name, path in self._thumbs.items()
            if path is not None
        }
        args = self._source_args({})
        self.sources_problem = source_problem(self._session, request, args)
        return self.sources_problem


def on_kernel(typed: str) -> str:
    """A path as the studio's user typed it, as the magic would read it: relative to the
    notebook's folder (kept as typed where that is the kernel's folder, so messages match)."""
    text = typed.strip()
    path = Path(text).expanduser()
    if path.is_absolute() or notebook_dir().resolve() == Path.cwd().resolve():
        return text
    beside = notebook_dir() / path
    return str(beside) if beside.exists() else text  # not a file: a take's id, for --video


def take_named(name: str) -> str | None:
    """The id of the Take a notebook variable ``name`` holds (``%%sora --as name``), as the
    magic reads ``--video name``; None when no such variable holds a take."""
    from sora_nb.runs.take import Take

    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency
        shell = None
    bound = shell.user_ns.get(name) if shell is not None and name.isidentifier() else None
    return bound.id if isinstance(bound, Take) else None


def offered_sources(info: ServerInfo | None) -> tuple[list[str], dict[str, str]]:
    """Of ``last_image``, ``video`` and ``strength``, those this server takes (all of them
    where it cannot be asked: the plan then says), and a hint for each it lacks."""
    if info is None:
        return list(_ROWS), {}
    taken, hints = [], {}
    for name in _ROWS:
        row = options_table.get(name)
        if info.takes([row.wire_name(info.dialect.name)]):
            taken.append(name)
            continue
        why = row.refusals.get(info.dialect.name) or "the bundled server's models that have it do"
        hints[name] = f"{row.label}: not on the {info.dialect.title} ({why})."
    return taken, hints


def finished_takes(session: Session) -> list[dict[str, str]]:
    """The session's finished takes a source video can be (id and a short label)."""
    found = []
    for take in session.ledger.history(limit=MOST_TAKES * 3):
        if take.ok and take.video_path.is_file():
            words = " ".join(take.request.prompt.split()[:8])
            found.append({"id": take.id, "label": f"{take.id} · {words}"})
        if len(found) == MOST_TAKES:
            break
    return found


#: Where the frames' thumbnails are kept (by the image's path and version), outside the folder.
THUMBS = Path(tempfile.gettempdir()) / "sora_nb-thumbnails"


def thumbnail(typed: str) -> Path | None:
    """A small PNG of the image at ``typed`` (None when there is none to show)."""
    if not typed.strip():
        return None
    path = Path(on_kernel(typed)).expanduser()
    try:
        stat = path.stat()
    except OSError:
        return None
    named = f"{path.resolve()}|{stat.st_mtime_ns}|{stat.st_size}".encode()
    kept = THUMBS / f"{hashlib.sha256(named).hexdigest()[:32]}.png"
    if not kept.is_file():
        try:
            with Image.open(path) as image:
                image.thumbnail((THUMB_PX, THUMB_PX))
                out = io.BytesIO()
                image.convert("RGB").save(out, format="PNG")
        except (OSError, ValueError, Image.DecompressionBombError):
            return None  # not an image: the problem line says so
        write_atomic(kept, out.getvalue())
    return kept


_checked: dict[tuple[Any, ...], str] = {}


def _stamp(value: str | None) -> tuple[Any, ...]:
    if not value:
        return ()
    try:
        stat = Path(value).expanduser().stat()
    except OSError:
        return (value,)
    return (value, stat.st_mtime_ns, stat.st_size)


def source_problem(session: Session, request: dict[str, Any], args: dict[str, Any]) -> str:
    """Why these frames and source cannot be sent with this ``request`` (model, size, seconds:
    empty when they can): the session's own plan checks them, so the line is the one the magic
    gives. Remembered per version of the files, as long as they pass."""
    image, options = args["image"], args["options"]
    if not image and not options:
        return ""
    files = (image, options.get("last_image"), options.get("video"))
    key = (str(session.media_dir), session.server, *request.items(), args["fit"])
    key += (options.get("strength"),)
    key += tuple(map(_stamp, files))
    if key not in _checked:
        try:
            session.plan("frames and source", **request, **args)
        except (ValueError, SoraError) as exc:
            return str(exc)  # not remembered: a take may finish, a file may appear
        _checked[key] = ""
    return _checked[key]
