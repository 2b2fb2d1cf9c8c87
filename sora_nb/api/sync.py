"""SyncVideosClient: the async client, blocking, for scripts and plain notebook cells.

It runs a :class:`~sora_nb.api.client.VideosClient` on a private event loop in a daemon thread
and waits for each call there. Because the loop is its own, it works the same in a script and
inside a running loop (a Jupyter cell), without nest_asyncio. Ctrl-C while a call blocks cancels
that call on the loop, then raises ``KeyboardInterrupt`` as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import weakref
from collections.abc import AsyncGenerator, Callable, Coroutine, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import SecretStr

from sora_nb.api.bodies import merge_options
from sora_nb.api.client import ReferenceInput, VideosClient
from sora_nb.api.config import ServerConfig, resolve_server
from sora_nb.api.continuity_inputs import CharacterInput, ClipInput
from sora_nb.api.dialects import Dialect, ServerInfo
from sora_nb.api.retry import PollPolicy
from sora_nb.api.types import Character, ContentVariant, Video, VideoDeleted, VideoList
from sora_nb.catalog.option_args import OptionArgs, given_options, takes_options
from sora_nb.catalog.options import Options

if TYPE_CHECKING:
    from typing_extensions import Unpack

_T = TypeVar("_T")


class _LoopThread:
    """One event loop running forever in a daemon thread; coroutines are run on it to the end."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="sora_nb-sync-client", daemon=True
        )
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, _T]) -> _T:
        if threading.current_thread() is self._thread:
            coro.close()
            # Blocking here would wait on the very loop that has to do the work: a deadlock.
            raise RuntimeError(
                "A SyncVideosClient method was called from its own loop thread (inside an "
                "on_progress callback?); use the async VideosClient there instead."
            )
        if self.loop.is_closed():
            coro.close()
            raise RuntimeError("This SyncVideosClient is closed; make a new one.")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except BaseException:
            # KeyboardInterrupt (or any escape while blocked): stop the work on the loop too.
            future.cancel()
            raise

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        if threading.current_thread() is self._thread:
            return  # collected on its own thread: it cannot join itself; the loop just ends
        self._thread.join()
        self.loop.close()

    def on_own_thread(self) -> bool:
        return threading.current_thread() is self._thread


def _shutdown(runner: _LoopThread, client: VideosClient) -> None:
    """Close the client's connections and end its thread (on close, or when it is collected)."""
    if runner.loop.is_closed():
        return
    if not runner.on_own_thread():
        with contextlib.suppress(Exception):
            runner.run(client.aclose())
    runner.stop()


class SyncVideosClient:
    """Blocking twin of :class:`~sora_nb.api.client.VideosClient`, with the same methods.

    ``SyncVideosClient("http://localhost:4000/v1", "sk-...")`` takes every argument the async
    client takes. Use it in a ``with`` block, or call :meth:`close` when done. ``on_progress``
    callbacks of :meth:`wait` run on the client's own thread.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | SecretStr | None = None,
        **options: Any,
    ) -> None:
        self._loop = _LoopThread()
        try:
            # Built on its loop's thread, so everything async it owns belongs to that loop.
            self._client = self._loop.run(_build(base_url, api_key, options))
        except BaseException:
            self._loop.stop()
            raise
        # A client dropped without close() (a re-run notebook cell) must not leave its thread.
        self._finalizer = weakref.finalize(self, _shutdown, self._loop, self._client)

    @classmethod
    def from_config(cls, config: ServerConfig, **options: Any) -> SyncVideosClient:
        """A blocking client for a resolved :class:`ServerConfig` (which must name a server)."""
        if config.base_url is None:
            # Same message as the async client's, raised before a thread is started.
            VideosClient.from_config(config)
        return cls(
            config.base_url,
            config.api_key,
            organization=config.organization,
            project=config.project,
            auth=config.auth,
            dialect=config.dialect,
            **({"warn_retired": False} | options),
        )

    @classmethod
    def from_env(cls, **options: Any) -> SyncVideosClient:
        """A blocking client for the server named by SORA_NB_BASE_URL / OPENAI_BASE_URL."""
        return cls.from_config(resolve_server(), **options)

    @property
    def aio(self) -> VideosClient:
        """The async client underneath (its coroutines must run on this client's loop)."""
        return self._client

    @property
    def base_url(self) -> str:
        """The server's base URL (the part before ``/videos``)."""
        return self._client.base_url

    def __repr__(self) -> str:
        return "<Sync" + repr(self._client)[1:]

    def __enter__(self) -> SyncVideosClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections and stop the client's thread (safe to call twice)."""
        self._finalizer()

    @takes_options
    def create(
        self,
        *,
        prompt: str,
        model: str | None = None,
        seconds: int | str | None = None,
        size: str | None = None,
        input_reference: ReferenceInput | None = None,
        characters: Sequence[CharacterInput] | None = None,
        idempotency_key: str | None = None,
        options: Options | Mapping[str, Any] | None = None,
        **keywords: Unpack[OptionArgs],
    ) -> Video:
        """Start a video job and return it (usually ``queued``); see ``VideosClient.create``
        (the options go to engines that take them, and are refused elsewhere)."""
        return self._loop.run(
            self._client.create(
                prompt=prompt,
                model=model,
                seconds=seconds,
                size=size,
                input_reference=input_reference,
                characters=characters,
                idempotency_key=idempotency_key,
                options=merge_options(given_options(keywords), options),
            )
        )

    @property
    def dialect(self) -> Dialect | None:
        """The server's dialect, when known (see ``VideosClient.dialect``)."""
        return self._client.dialect

    def detect(self, *, refresh: bool = False) -> ServerInfo:
        """What the server is and serves (``GET /models``); see ``VideosClient.detect``."""
        return self._loop.run(self._client.detect(refresh=refresh))

    def retrieve(self, video_id: str | Video) -> Video:
        """The job's current state: status, progress, and its error if it failed."""
        return self._loop.run(self._client.retrieve(video_id))

    def list_page(
        self,
        *,
        limit: int | None = None,
        order: Literal["asc", "desc"] | None = None,
        after: str | None = None,
    ) -> VideoList:
        """One page of jobs (``limit`` 0 to 100); :meth:`list` follows the pages for you."""
        return self._loop.run(self._client.list_page(limit=limit, order=order, after=after))

    def list(
        self,
        *,
        order: Literal["asc", "desc"] | None = None,
        after: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[Video]:
        """Every job on the server, page after page (``for video in client.list()``)."""
        pages = self._client.list(order=order, after=after, page_size=page_size)
        try:
            while True:
                try:
                    video = self._loop.run(_next(pages))
                except StopAsyncIteration:
                    return
                yield video
        finally:
            if not self._loop.loop.is_closed():
                self._loop.run(pages.aclose())

    def delete(self, video_id: str | Video) -> VideoDeleted:
        """Delete a completed or failed job and its files on the server."""
        return self._loop.run(self._client.delete(video_id))

    def remix(
        self, video_id: str | Video, *, prompt: str, idempotency_key: str | None = None
    ) -> Video:
        """Start a new job that reworks a completed video with a new prompt."""
        return self._loop.run(
            self._client.remix(video_id, prompt=prompt, idempotency_key=idempotency_key)
        )

    def create_character(
        self,
        video: ClipInput,
        name: str,
        *,
        consent: bool = False,
        model: str | None = None,
        idempotency_key: str | None = None,
    ) -> Character:
        """Make a character from a 2 to 4 second clip; see ``VideosClient.create_character``."""
        return self._loop.run(
            self._client.create_character(
                video, name, consent=consent, model=model, idempotency_key=idempotency_key
            )
        )

    def get_character(self, character_id: str | Character) -> Character:
        """A character by its id."""
        return self._loop.run(self._client.get_character(character_id))

    def extend(
        self,
        video: str | Video | os.PathLike[str],
        *,
        prompt: str,
        seconds: int | str,
        idempotency_key: str | None = None,
    ) -> Video:
        """Continue a completed video by 4 to 20 seconds; see ``VideosClient.extend``."""
        return self._loop.run(
            self._client.extend(
                video, prompt=prompt, seconds=seconds, idempotency_key=idempotency_key
            )
        )

    def edit(self, video: str | Video, *, prompt: str, idempotency_key: str | None = None) -> Video:
        """Rework a completed video with a prompt; see ``VideosClient.edit``."""
        return self._loop.run(
            self._client.edit(video, prompt=prompt, idempotency_key=idempotency_key)
        )

    def download(
        self,
        video_id: str | Video,
        destination: str | os.PathLike[str],
        *,
        variant: ContentVariant = "video",
        expected_type: str | None = None,
    ) -> Path:
        """Save a finished job's video (or thumbnail/spritesheet); nothing is left on failure."""
        return self._loop.run(
            self._client.download(
                video_id, destination, variant=variant, expected_type=expected_type
            )
        )

    def wait(
        self,
        video_id: str | Video,
        *,
        deadline: float | None = None,
        on_progress: Callable[[Video], object] | None = None,
        raise_on_failure: bool = False,
        poll: PollPolicy | None = None,
    ) -> Video:
        """Block until the job is completed or failed and return it; see ``VideosClient.wait``."""
        return self._loop.run(
            self._client.wait(
                video_id,
                deadline=deadline,
                on_progress=on_progress,
                raise_on_failure=raise_on_failure,
                poll=poll,
            )
        )


async def _build(
    base_url: str | None, api_key: str | SecretStr | None, options: dict[str, Any]
) -> VideosClient:
    return VideosClient(base_url, api_key, **options)


async def _next(pages: AsyncGenerator[Video, None]) -> Video:
    video: Video = await pages.__anext__()
    return video


__all__ = ["SyncVideosClient"]
