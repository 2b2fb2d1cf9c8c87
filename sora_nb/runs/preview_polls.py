"""Following a running take's live preview: after each status check that finds its job in
progress, the runner asks for the job's preview (one request at a time per take), where the
server's model cards say it makes them; other servers are never asked."""

from __future__ import annotations

import asyncio
import logging

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.types import Video
from sora_nb.runs.take import Take

__all__ = ["PreviewPolls"]

log = logging.getLogger("sora_nb.runs")


class PreviewPolls:
    """The preview requests of one runner's takes."""

    def __init__(self, client: VideosClient) -> None:
        self.client = client
        self._asking: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def seen(self, take: Take, video: Video) -> None:
        """The runner saw ``video`` (``take``'s job): ask for its preview if it is rendering
        on a server that makes them and none is being asked for already."""
        info = self.client.info
        if info is None or not info.previews or video.status != "in_progress":
            return
        if take.id in self._asking:
            return
        if info.renderer == "animatic" and take.preview is not None:
            return  # the storyboard frame: drawn once, it does not change
        self._asking.add(take.id)
        task = asyncio.ensure_future(self._ask(take, video.id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _ask(self, take: Take, video_id: str) -> None:
        try:
            data = await self.client.preview(video_id)
        except (errors.SoraError, OSError) as exc:
            # A preview is a courtesy: the video still comes; the next status check asks again.
            log.debug("no preview of %s: %s", video_id, exc)
            return
        finally:
            self._asking.discard(take.id)
        if data is not None and data != take.preview and not take.done:
            take.show_preview(data)
