"""Downloading a job's content, and reading each dialect's answers to ``/content``.

OpenAI's API answers a finished job with its bytes and anything else with an error. The engines
differ (``shared/spec/engine-dialects.md`` A4, B4, C4): a 404 "still in progress" means wait, a
422 (vLLM-Omni) or 500 (FastVideo) means the job failed, and SGLang answers 400 with a cloud URL
when its videos live in S3. The loop here retries what can pass, waits what is not ready, and
turns a failure into the job's own error.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from sora_nb.api import errors
from sora_nb.api.dialects import Dialect
from sora_nb.api.download import stream_to_file
from sora_nb.api.retry import should_retry_status
from sora_nb.api.sending import Sender
from sora_nb.api.types import Video

log = logging.getLogger("sora_nb.api")


async def download_content(
    send: Sender,
    path: str,
    target: Path,
    *,
    variant: str,
    expected: str,
    dialect: Dialect | None,
    job: Callable[[], Awaitable[Video]],
    wait_step: float,
) -> Path:
    """Stream ``path`` (a job's ``/content``) to ``target``; see VideosClient.download."""
    source: str = path
    # SGLang 0.5.23 reads ``variant`` as an output index: the video is asked for with none.
    named = dialect is None or dialect.variant_query or variant != "video"
    params: dict[str, str] | None = {"variant": variant} if named else None
    what = f"GET {path}?variant={variant}" if named else f"GET {path}"
    retries = 0
    waited = 0.0
    not_ready = 0.0
    while True:
        try:
            await _once(send, source, params, variant, expected, target, what, retries + 1)
            return target
        except errors.APIStatusError as exc:
            status = exc.status_code
            # Not knowing the server, a 422 is still read as vLLM-Omni reads it (a failed job)
            # when the job says so, never as a field to fix.
            failed = dialect.content_failed if dialect is not None else frozenset({422})
            if status in failed:
                raise await _failed(job, exc) from None
            if isinstance(exc, errors.NotReadyError) and params and _variant_unknown(exc):
                # A server that numbers its outputs (SGLang 0.5.23) knows no "video" variant:
                # its first output is the video, asked for with no variant at all.
                log.info("%s: %s; asking again with no variant", what, exc.server_message)
                params, what = None, f"GET {path}"
                continue
            waits = dialect is not None and dialect.content_404_waits
            if isinstance(exc, errors.NotReadyError) and (waits or variant == "video"):
                # "Generation is still in-progress": a race with the job's end, or (SGLang) a
                # job that failed. The job itself says which.
                video = await job()
                if video.failed:
                    raise errors.JobFailedError(video) from None
                done = dialect is not None and dialect.written_when_completed
                if video.completed and (done or not (waits and _still_generating(exc))):
                    # The job is done and the server says something else than "not yet":
                    # waiting cannot help; say what it answered.
                    raise _missing(video, exc) from None
                if not waits:
                    raise
                if not_ready + wait_step > send.retry.budget:
                    if video.completed:
                        raise _missing(video, exc) from None
                    exc.message += f" It still had no video after {not_ready:.0f} s of waiting."
                    exc.args = (exc.message,)
                    raise
                not_ready += wait_step
                log.info("%s not ready yet; waiting %.1f s", what, wait_step)
                await send.clock.sleep(wait_step)
                continue
            if status == 500 and dialect is None and retries == 0:
                # FastVideo answers a failed job's content 500 "Video generation failed": a
                # client that has not learnt the dialect reads the job before retrying.
                video = await job()
                if video.failed:
                    raise errors.JobFailedError(video) from None
            cloud = await _cloud_url(exc, job) if source == path else None
            if cloud is not None:
                # SGLang with S3 storage: the video is at the job's URL (no key goes there).
                source, params = cloud, None
                continue
            if not should_retry_status(status, exc.headers):
                raise
            delay = send.retry_delay(retries + 1, waited, exc.headers)
            if delay is None:
                raise
        except errors.APIConnectionError:
            # A dropped or short body: fetch it again from the start (GET is idempotent).
            delay = send.retry_delay(retries + 1, waited, None)
            if delay is None:
                raise
        retries += 1
        waited += delay
        log.info("retrying %s in %.1f s", what, delay)
        await send.clock.sleep(delay)


#: What a 404 on content says when the video is merely not made yet.
_NOT_YET = re.compile(r"in[- ]progress|not (yet )?ready|not finished|still|processing|queued", re.I)
#: SGLang's answer to a variant it does not number ("Video variant video not found").
_NO_VARIANT = re.compile(r"variant \S+ not found", re.I)


def _still_generating(exc: errors.APIStatusError) -> bool:
    """True when a 404's words say "not made yet" (or say nothing), so waiting may help."""
    said = exc.server_message or ""
    return not said or bool(_NOT_YET.search(said))


def _variant_unknown(exc: errors.APIStatusError) -> bool:
    return bool(_NO_VARIANT.search(exc.server_message or ""))


def _missing(video: Video, exc: errors.APIStatusError) -> errors.ContentMissingError:
    expired = "expire" in (exc.server_message or "").lower()
    return errors.ContentMissingError(video.id, exc, expired=expired)


async def _once(
    send: Sender,
    source: str,
    params: dict[str, str] | None,
    variant: str,
    expected: str,
    target: Path,
    what: str,
    attempt: int,
) -> None:
    request = send.http.build_request(
        "GET",
        source,
        params=params,
        # Identity: the bytes counted are the bytes Content-Length promises.
        headers={"Accept": expected, "Accept-Encoding": "identity"},
    )
    try:
        response = await send.open(request)
    except httpx.RequestError as exc:
        raise send.transport_error(exc, what, attempt) from exc
    try:
        if response.status_code >= 400:
            await response.aread()
            raise send.status_error(response, what, attempts=attempt, content=True)
        await stream_to_file(response, target, variant, expected, what)
    finally:
        await response.aclose()


async def _failed(job: Callable[[], Awaitable[Video]], exc: errors.APIStatusError) -> Exception:
    """The job's own failure for a /content answer that says "failed" (422 or 500)."""
    try:
        video = await job()
    except errors.SoraError:
        return exc
    return errors.JobFailedError(video) if video.failed else exc


async def _cloud_url(exc: errors.APIStatusError, job: Callable[[], Awaitable[Video]]) -> str | None:
    said = (exc.server_message or "").lower()
    if exc.status_code != 400 or "cloud" not in said:
        return None
    extra = (await job()).model_extra or {}
    url = extra.get("url")
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None
