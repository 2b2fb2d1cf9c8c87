"""Player: one take, inline, with live status while it runs and a remix box when it is done."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import anywidget
import traitlets

from sora_nb.notebook.nomath import no_math
from sora_nb.notebook.widgets._base import (
    describe_take,
    error_text,
    esm_path,
    static_figure,
    word_count,
)
from sora_nb.notebook.widgets._callbacks import Callbacks
from sora_nb.notebook.widgets._files import ChunkSender, describe
from sora_nb.notebook.widgets.state import MediaFile
from sora_nb.notebook.widgets.traits import ModelDict
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.take import Take

RemixCallback = Callable[[str], Any]


class _Runs(Protocol):
    """What the remix box needs from a session: run requests without waiting."""

    def run(self, requests: list[VideoRequest], *, wait: bool = ...) -> list[Take]: ...


class Player(anywidget.AnyWidget):
    """Plays one take inline: poster, live status, the video with sound, metadata and remix."""

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
    error = traitlets.Unicode("", help="The server's message when the take failed.").tag(sync=True)
    submitted_at = traitlets.Float(0.0, help="Epoch seconds the job was sent (0: not yet).").tag(
        sync=True
    )
    completed_at = traitlets.Float(0.0, help="Epoch seconds the job ended (0: running).").tag(
        sync=True
    )
    model_name = traitlets.Unicode("", help="The video model, e.g. sora-2.").tag(sync=True)
    size = traitlets.Unicode("", help="WIDTHxHEIGHT.").tag(sync=True)
    seconds = traitlets.Int(0, help="Clip length in seconds.").tag(sync=True)
    cost = traitlets.Float(None, allow_none=True, help="Dollars charged, if known.").tag(sync=True)
    estimated_cost = traitlets.Float(None, allow_none=True, help="Catalog estimate.").tag(sync=True)
    prompt = traitlets.Unicode("", help="The prompt as sent (shown as text, never HTML).").tag(
        sync=True
    )
    loop = traitlets.Bool(True, help="Loop playback.").tag(sync=True)
    speed = traitlets.Float(1.0, help="Playback rate.").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._take: Take | None = None
        self._unfollow: Callable[[], None] = lambda: None
        self._remix_callbacks = Callbacks("on_remix")
        self._chunks = ChunkSender(self, self._file_for)
        self.on_msg(self._handle_message)

    @classmethod
    def from_take(cls, take: Take, *, session: _Runs | None = None) -> Player:
        """A player that shows ``take`` and follows it while it runs.

        With ``session``, the remix box sends a remix of this take through it and the player
        switches to the new take.
        """
        player = cls()
        player.follow(take)
        if session is not None:
            player.on_remix(lambda prompt: player._remix_with(session, prompt))
        return player

    @property
    def take(self) -> Take | None:
        """The take this player shows, if it was built from one."""
        return self._take

    def follow(self, take: Take) -> None:
        """Show ``take`` now and update as its status, progress and files change (and stop
        following the take shown before)."""
        self._unfollow()
        self._take = take
        self._show(take)
        self._unfollow = take.on_change(self._on_take_change)

    def on_remix(self, callback: RemixCallback, remove: bool = False) -> Callable[[], None]:
        """Call ``callback(prompt)`` when the user asks for a remix from the remix box (or stop,
        with ``remove=True``); returns the function that unsubscribes it. A callback that fails
        shows in the player's error line."""
        return self._remix_callbacks.register(callback, remove)

    def close(self) -> None:
        """Close the widget and stop following its take (the take then forgets this player)."""
        # getattr: ipywidgets also closes a widget whose __init__ failed half way.
        getattr(self, "_unfollow", lambda: None)()
        self._unfollow = lambda: None
        super().close()

    def _on_take_change(self, take: Take) -> None:
        # Runs on the runner's thread; a player switched to another take ignores the old one.
        if take is self._take:
            self._show(take)

    def _show(self, take: Take) -> None:
        request = take.request
        with self.hold_sync():
            self.take_id = take.id
            self.status = take.status
            self.progress = int(take.progress)
            self.error = error_text(take)
            self.submitted_at = float(take.submitted_at or 0.0)
            self.completed_at = float(take.completed_at or 0.0) if take.done else 0.0
            self.model_name = request.model
            self.size = request.size
            self.seconds = int(request.seconds)
            self.cost = take.cost
            self.estimated_cost = take.estimated_cost
            self.prompt = request.prompt
            files = {"thumbnail": describe(take, "thumbnail")}
            if take.ok:
                files["video"] = describe(take, "video")
            self.files = {variant: file for variant, file in files.items() if file}

    def _file_for(self, key: str) -> Path | None:
        """The file behind a key this player handed out (``video`` or ``thumbnail``)."""
        take = self._take
        if take is None or key not in self.files:
            return None
        return take.path(key)

    def _handle_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if self._chunks.handle(content):
            return
        if isinstance(content, dict) and content.get("type") == "remix":
            prompt = str(content.get("prompt", "")).strip()
            if prompt:
                problem = self._remix_callbacks(prompt)
                if problem:
                    self.error = problem

    def _remix_with(self, session: _Runs, prompt: str) -> None:
        take = self._take
        if take is None or not take.job_id:
            self.error = "This take has no server job to remix yet: wait until it completes."
            return
        request = VideoRequest(
            prompt=prompt,
            model=take.request.model,
            size=take.request.size,
            seconds=take.request.seconds,
            remix_of=take.job_id,
        )
        try:
            (remix,) = session.run([request], wait=False)
        except Exception as exc:
            # A click runs in a comm handler: an exception there would only reach the log.
            self.error = f"The remix was not sent: {exc}"
            return
        self.follow(remix)

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
