"""Player: one take, inline, with live status while it runs, the chain it comes from, and
Remix, Extend and Edit once it is done."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import anywidget
import traitlets

from sora_nb.notebook.nomath import no_math
from sora_nb.notebook.widgets._base import (
    describe_take,
    error_text,
    esm_path,
    model_label,
    static_figure,
    word_count,
)
from sora_nb.notebook.widgets._callbacks import Callbacks
from sora_nb.notebook.widgets._files import ChunkSender, describe
from sora_nb.notebook.widgets.chain import JoinReader, chain_note, chain_of, reading_source, steps
from sora_nb.notebook.widgets.state import Actions, ChainStep, MediaFile
from sora_nb.notebook.widgets.traits import ModelDict, ModelList, ModelTrait
from sora_nb.runs import chains
from sora_nb.runs.chains import EXTENSION_SECONDS
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.take import Take

if TYPE_CHECKING:
    from sora_nb.api.dialects import Dialect, ServerInfo

log = logging.getLogger("sora_nb.notebook")

RemixCallback = Callable[[str], Any]
#: ``callback(prompt, seconds)``: continue the take by ``seconds`` with ``prompt``.
ExtendCallback = Callable[[str, int], Any]
#: ``callback(prompt)``: rework the take with ``prompt``.
EditCallback = Callable[[str], Any]
NO_SESSION = (
    "Nothing sends it: this player was made without a session "
    "(Player.from_take(take, session=...), or display the take where sora_nb is loaded)."
)


class _Session(Protocol):
    """What the Remix, Extend and Edit buttons need from a session."""

    def run(self, requests: list[VideoRequest], *, wait: bool = ...) -> list[Take]: ...

    def derive(
        self,
        take: Take,
        kind: Literal["extension", "edit"],
        prompt: str,
        *,
        seconds: int | None = ...,
        wait: bool = ...,
    ) -> Take: ...

    def server_info(self, *, refresh: bool = ..., strict: bool = ...) -> ServerInfo: ...


class Player(anywidget.AnyWidget):
    """Plays one take inline: poster, live status, the video with sound, metadata, the take's
    chain (source, edits, extensions) and Remix, Extend and Edit."""

    _esm = esm_path("player.js")

    files = ModelDict(
        MediaFile,
        help="Where the take's video (once complete) and poster lie, with their sizes, by "
        "variant. The page streams them; the bytes never enter widget state.",
    )
    take_id = traitlets.Unicode("", help="The take's id (names the download).").tag(sync=True)
    status = traitlets.Unicode("pending", help="pending, queued, in_progress, completed...").tag(
        sync=True
    )
    progress = traitlets.Int(0, help="Percent done, as the server reports it.").tag(sync=True)
    error = traitlets.Unicode(
        "",
        help="The server's message when the take failed, or why a Remix, Extend or Edit "
        "was not sent.",
    ).tag(sync=True)
    submitted_at = traitlets.Float(0.0, help="Epoch seconds the job was sent (0: not yet).").tag(
        sync=True
    )
    completed_at = traitlets.Float(0.0, help="Epoch seconds the job ended (0: running).").tag(
        sync=True
    )
    model_name = traitlets.Unicode("", help="The video model, e.g. sora-2.").tag(sync=True)
    size = traitlets.Unicode("", help="WIDTHxHEIGHT.").tag(sync=True)
    seconds = traitlets.Int(
        0, help="How long the video is (an extension's: the whole stitched video)."
    ).tag(sync=True)
    cost = traitlets.Float(None, allow_none=True, help="Dollars charged, if known.").tag(sync=True)
    estimated_cost = traitlets.Float(None, allow_none=True, help="Catalog estimate.").tag(sync=True)
    gpu_seconds = traitlets.Float(
        None, allow_none=True, help="GPU seconds one's own server reported for it, if any."
    ).tag(sync=True)
    prompt = traitlets.Unicode("", help="The prompt as sent (shown as text, never HTML).").tag(
        sync=True
    )
    words = traitlets.Int(
        0, help="The prompt's words, counted as the prompt language counts them everywhere."
    ).tag(sync=True)
    preview = traitlets.Bytes(
        None,
        allow_none=True,
        help="The newest live preview (a small JPEG) while the take renders, where the server "
        "makes them (sora_nb's bundled server); None otherwise: a finished take's state holds "
        "no bytes. The video replaces it.",
    ).tag(sync=True)
    loop = traitlets.Bool(True, help="Loop playback.").tag(sync=True)
    speed = traitlets.Float(1.0, help="Playback rate.").tag(sync=True)
    chain = ModelList(
        ChainStep,
        help="The take's chain, first video first and this take last (one step for "
        "a video made from a prompt).",
    )
    chain_note = traitlets.Unicode(
        "", help="What the join readings mean, or that they are still being read."
    ).tag(sync=True)
    blocked = ModelTrait(Actions, help="Why Remix, Extend or Edit cannot be used (empty: can).")
    extend_seconds = traitlets.List(
        traitlets.Int(), default_value=list(EXTENSION_SECONDS), help="What Extend may add."
    ).tag(sync=True)
    handled = traitlets.Int(
        0, help="Counts the Remix / Extend / Edit clicks answered (the page re-enables on it)."
    ).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._take: Take | None = None
        self._chain: list[Take] = []
        self._problem = ""
        self._dialect: Dialect | None = None
        self._unfollow: list[Callable[[], None]] = []
        self._remix_callbacks = Callbacks("on_remix")
        self._extend_callbacks = Callbacks("on_extend")
        self._edit_callbacks = Callbacks("on_edit")
        self._reader = JoinReader(self._readings_arrived)
        self._chunks = ChunkSender(self, self._file_for)
        self.on_msg(self._handle_message)
        self._update_blocked()

    @classmethod
    def from_take(
        cls,
        take: Take,
        *,
        session: _Session | None = None,
        chain: Sequence[Take] | None = None,
    ) -> Player:
        """A player that shows ``take`` and follows it while it runs.

        With ``session``, Remix, Extend and Edit send through it (where its server can) and
        the player switches to the new take, its chain one step longer. ``chain``: the takes
        ``take`` comes from, ending with it (read from the ledger when not given).
        """
        player = cls()
        if session is not None:
            player._dialect = _dialect_of(session)
            player.on_remix(lambda prompt: player._remix_with(session, prompt))
            player.on_extend(
                lambda prompt, seconds: player._derive_with(session, "extension", prompt, seconds)
            )
            player.on_edit(lambda prompt: player._derive_with(session, "edit", prompt, None))
        player.follow(take, chain)
        return player

    @property
    def take(self) -> Take | None:
        """The take this player shows, if it was built from one."""
        return self._take

    def follow(self, take: Take, chain: Sequence[Take] | None = None) -> None:
        """Show ``take`` now and update as its status, progress and files change (and stop
        following the take shown before). ``chain``: the takes it comes from, ending with it
        (read from the ledger when not given), followed too while they run."""
        steps_given = list(chain) if chain is not None else chain_of(take)
        if not steps_given or steps_given[-1] is not take:
            raise ValueError("A chain to follow ends with the take it follows.")
        self._stop_following()
        self._take = take
        self._chain = steps_given
        self._problem = ""
        self._show(take)
        self._unfollow = [
            step.on_change(self._on_step_change)
            for step in steps_given
            if step is take or not step.done
        ]

    def on_remix(self, callback: RemixCallback, remove: bool = False) -> Callable[[], None]:
        """Call ``callback(prompt)`` when the user asks for a remix from the remix box (or stop,
        with ``remove=True``); returns the function that unsubscribes it. A callback that fails
        shows in the player's error line."""
        return self._register(self._remix_callbacks, callback, remove)

    def on_extend(self, callback: ExtendCallback, remove: bool = False) -> Callable[[], None]:
        """Call ``callback(prompt, seconds)`` when the user asks to extend the take (or stop,
        with ``remove=True``); returns the function that unsubscribes it."""
        return self._register(self._extend_callbacks, callback, remove)

    def on_edit(self, callback: EditCallback, remove: bool = False) -> Callable[[], None]:
        """Call ``callback(prompt)`` when the user asks to edit the take (or stop, with
        ``remove=True``); returns the function that unsubscribes it."""
        return self._register(self._edit_callbacks, callback, remove)

    def close(self) -> None:
        """Close the widget and stop following its takes (they then forget this player)."""
        # getattr: ipywidgets also closes a widget whose __init__ failed half way.
        if getattr(self, "_unfollow", None) is not None:
            self._stop_following()
        super().close()

    # -- showing -----------------------------------------------------------------------------

    def _stop_following(self) -> None:
        for unsubscribe in self._unfollow:
            unsubscribe()
        self._unfollow = []

    def _on_step_change(self, changed: Take) -> None:
        # Runs on the runner's thread; a player switched to another chain ignores the old one.
        if any(changed is step for step in self._chain) and self._take is not None:
            self._show(self._take)

    def _readings_arrived(self) -> None:
        # On the reading thread: the chain's joins can now be shown.
        if self._take is not None:
            with self.hold_sync():
                self._show_chain(self._take)

    def _show(self, take: Take) -> None:
        request = take.request
        with self.hold_sync():
            self.take_id = take.id
            self.status = take.status
            self.progress = int(take.progress)
            self.error = self._error_line(take)
            self.submitted_at = float(take.submitted_at or 0.0)
            self.completed_at = float(take.completed_at or 0.0) if take.done else 0.0
            self.model_name = model_label(take)
            self.size = request.size
            self.seconds = int(chains.video_seconds(self._chain or [take]))
            self.cost = take.cost
            self.estimated_cost = take.estimated_cost
            self.gpu_seconds = take.gpu_seconds
            self.prompt = request.prompt
            self.words = word_count(request.prompt)
            files = {"thumbnail": describe(take, "thumbnail")}
            if take.ok:
                files["video"] = describe(take, "video")
            self.files = {variant: file for variant, file in files.items() if file}
            # allow_none: traitlets types Bytes without it.
            self.preview = None if take.done else take.preview  # type: ignore[assignment]
            self._show_chain(take)
            self._update_blocked()

    def _show_chain(self, take: Take) -> None:
        chain = self._chain or [take]
        source = reading_source(chain)
        readings = self._reader.readings(source) if source is not None else None
        self.chain = steps(chain, take, readings or ())
        self.chain_note = chain_note(chain, self._reader)

    def _error_line(self, take: Take) -> str:
        return "; ".join(part for part in (error_text(take), self._problem) if part)

    def _say(self, problem: str) -> None:
        """Show why an action was not taken in the error line (until the next one)."""
        self._problem = problem
        if self._take is not None:
            self.error = self._error_line(self._take)
        else:
            self.error = problem

    def _file_for(self, key: str) -> Path | None:
        """The file behind a key this player handed out: ``video``, ``thumbnail``, or
        ``chain:<take id>`` for a step's poster."""
        take = self._take
        if take is None:
            return None
        if key.startswith("chain:"):
            wanted = key.removeprefix("chain:")
            shown = {step.take_id for step in self.chain if step.thumbnail is not None}
            for step in self._chain:
                if step.id == wanted and step.id in shown:
                    return step.path("thumbnail")
            return None
        if key not in self.files:
            return None
        return take.path(key)

    # -- actions ------------------------------------------------------------------------------

    def _register(
        self, callbacks: Callbacks, callback: Callable[..., Any], remove: bool
    ) -> Callable[[], None]:
        unsubscribe = callbacks.register(callback, remove)
        self._update_blocked()

        def stop() -> None:
            unsubscribe()
            self._update_blocked()

        return stop

    def _update_blocked(self) -> None:
        dialect = self._dialect
        take = getattr(self, "_take", None)
        # A failed take has no video: its buttons say so rather than offer nothing to work on.
        failed = take.status if take is not None and take.done and not take.ok else ""

        def why(callbacks: Callbacks, able: bool, doing: str, route: str) -> str:
            if failed:
                return f"This take {failed}: there is no video to {doing}."
            if dialect is not None and not able:
                return f"The {dialect.title} cannot {doing} a video (it has no {route} route)."
            return "" if len(callbacks) else NO_SESSION

        self.blocked = Actions(
            remix=why(
                self._remix_callbacks,
                bool(dialect and dialect.remix),
                "remix",
                "/videos/{id}/remix",
            ),
            extend=why(
                self._extend_callbacks,
                bool(dialect and dialect.extensions),
                "extend",
                "/videos/extensions",
            ),
            edit=why(
                self._edit_callbacks, bool(dialect and dialect.edits), "edit", "/videos/edits"
            ),
        )

    def _handle_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if self._chunks.handle(content):
            return
        if not isinstance(content, dict):
            return
        action = content.get("type")
        if action not in ("remix", "extend", "edit"):
            return
        try:
            prompt = str(content.get("prompt", "")).strip()
            if not prompt:
                return
            if action == "remix":
                problem = self._remix_callbacks(prompt)
            elif action == "edit":
                problem = self._edit_callbacks(prompt)
            else:
                try:
                    seconds = int(content.get("seconds", 0))
                except (TypeError, ValueError):
                    seconds = 0
                if seconds not in EXTENSION_SECONDS:
                    self._say(
                        f"An extension adds 4, 8, 12, 16 or 20 seconds, not "
                        f"{content.get('seconds')!r}: choose one."
                    )
                    return
                problem = self._extend_callbacks(prompt, seconds)
            if problem:
                self._say(problem)
        finally:
            self.handled += 1

    def _remix_with(self, session: _Session, prompt: str) -> None:
        take = self._take
        if take is None or not take.job_id:
            self._say("This take has no server job to remix yet: wait until it completes.")
            return
        request = VideoRequest(
            prompt=prompt,
            model=take.request.model,
            size=take.request.size,
            seconds=take.request.seconds,
            remix_of=take.job_id,
            characters=take.request.characters,
        )
        try:
            (remix,) = session.run([request], wait=False)
        except Exception as exc:
            # A click runs in a comm handler: an exception there would only reach the log.
            self._say(f"The remix was not sent: {exc}")
            return
        self.follow(remix)

    def _derive_with(
        self,
        session: _Session,
        kind: Literal["extension", "edit"],
        prompt: str,
        seconds: int | None,
    ) -> None:
        take = self._take
        if take is None:
            self._say("There is no take here to extend or edit.")
            return
        try:
            if kind == "extension":
                made = session.derive(take, kind, prompt, seconds=seconds, wait=False)
            else:
                made = session.derive(take, kind, prompt, wait=False)
        except Exception as exc:  # the service's limits, an unfinished video: said where clicked
            what = "extension" if kind == "extension" else "edit"
            self._say(f"The {what} was not sent: {exc}")
            return
        self.follow(made)

    def __repr__(self) -> str:
        if self._take is not None:
            return f"<Player {describe_take(self._take)}>"
        return f"<Player {self.take_id or 'empty'} {self.status}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/plain"] = repr(self)
            if self._take is not None:
                caption = (
                    f"{describe_take(self._take)}: {self.prompt} ({word_count(self.prompt)} words)"
                )
                data["text/html"] = static_figure(self._take, caption)
            else:
                data["text/html"] = no_math(f"<pre>{html.escape(repr(self))}</pre>")
        return bundle


def _dialect_of(session: _Session) -> Dialect | None:
    """The session's server's dialect, or None where it cannot be told (then every button is
    offered, and a click shows the server's own answer)."""
    try:
        return session.server_info(strict=False).dialect
    except Exception:  # a misconfigured connection: its error shows when a button is used
        log.exception("the player could not ask the session what its server can do")
        return None
