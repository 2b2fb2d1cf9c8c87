"""Waiting for a job: status checks paced by the server's hint, or backing off without one.

Polling looks only at ``status``: the engines report ``progress`` 0 until the job is done and
100 after, so a job whose progress never moves is polled exactly like one whose does. Statuses
that are not known to be final (``processing``, anything new) keep the wait going.
"""

from __future__ import annotations

from collections.abc import Callable

from sora_nb.api import errors
from sora_nb.api.answers import job_in_error
from sora_nb.api.params import video_id_of, video_path
from sora_nb.api.retry import PollPolicy
from sora_nb.api.sending import Sender
from sora_nb.api.types import Video


async def wait_for(
    send: Sender,
    video_id: str | Video,
    *,
    hints: dict[str, float | None],
    policy: PollPolicy,
    deadline: float | None,
    on_progress: Callable[[Video], object] | None,
    raise_on_failure: bool,
) -> Video:
    """Poll until the job is final and return it; see VideosClient.wait.

    ``hints`` holds the latest ``openai-poll-after-ms`` per job id (kept by the client)."""
    clock = send.clock
    end = None if deadline is None else clock.monotonic() + deadline

    def left() -> float:
        return float("inf") if end is None else end - clock.monotonic()

    async def check(ident: str) -> Video:
        # A failed job sent with an error status (vLLM-Omni) is still the job.
        return await send.call(Video, "GET", video_path(ident), end=end, accept=job_in_error)

    # The state in hand (a Video passed in, or the first retrieve) counts as check 1.
    checks = 1
    if isinstance(video_id, Video):
        video = video_id
    else:
        ident = video_id_of(video_id)
        hint = hints.get(ident)
        if hint is not None:  # create or remix told us when to look first
            await _sleep(send, min(policy.interval(1, hint), left()))
        video = await check(ident)
    while True:
        if on_progress is not None:
            on_progress(video)
        if video.done:
            hints.pop(video.id, None)
            if video.failed and raise_on_failure:
                raise errors.JobFailedError(video)
            return video
        remaining = left()
        if remaining <= 0:
            assert deadline is not None
            raise errors.DeadlineExceededError(
                f"Video job {video.id} was still {video.status} ({video.progress}%) after "
                f"{deadline:g} s. It may still finish: call wait({video.id!r}) again with "
                "a longer deadline.",
                video=video,
            )
        delay = policy.interval(checks, hints.get(video.id))
        await _sleep(send, min(delay, remaining))
        # Retries of a status check stop at the deadline too, raising what went wrong.
        video = await check(video.id)
        checks += 1


async def _sleep(send: Sender, seconds: float) -> None:
    if seconds > 0:
        await send.clock.sleep(seconds)
