"""The Videos API's own endpoints: create, retrieve, list, delete, remix, download and wait.

:class:`VideoEndpoints` is the part of :class:`~sora_nb.api.client.VideosClient` that sends
them: it checks each request against the model catalog and the server's dialect before sending
(a request a server cannot take is refused here, with nothing sent), speaks each server's
dialect of the body, and reads the answers into wire types or typed errors.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncGenerator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError

from sora_nb import catalog
from sora_nb.api import dialects, errors
from sora_nb.api.answers import (
    cannot_delete,
    deleted_answer,
    job_in_error,
)
from sora_nb.api.bodies import check_knobs, create_body, refuse_knobs
from sora_nb.api.content import download_content
from sora_nb.api.continuity import (
    CharacterInput,
    character_refs,
    unsupported,
    warn_unnamed,
)
from sora_nb.api.dialects import Dialect
from sora_nb.api.knowledge import ServerKnowledge
from sora_nb.api.listing import Order, every_job, page_params
from sora_nb.api.params import (
    invalid_params,
    seconds_text,
    usual_clip,
    video_id_of,
    video_path,
)
from sora_nb.api.polling import wait_for
from sora_nb.api.references import ReferenceInput, check_upload, read_reference
from sora_nb.api.retry import PollPolicy
from sora_nb.api.sending import Sender
from sora_nb.api.types import (
    VARIANT_MEDIA_TYPES,
    ContentVariant,
    CreateVideoParams,
    ImageRef,
    RemixVideoParams,
    Video,
    VideoDeleted,
    VideoList,
)


class VideoEndpoints:
    """Create, retrieve, list, delete, remix, download, wait: the part of ``VideosClient`` that
    sends them."""

    # Set by VideosClient.__init__.
    base_url: str
    check_requests: bool
    poll: PollPolicy
    _send: Sender
    _known: ServerKnowledge
    _poll_hints: dict[str, float | None]

    if TYPE_CHECKING:
        # Defined by VideosClient (declared here for the type checker).
        @property
        def dialect(self) -> Dialect | None: ...

    async def create(
        self,
        *,
        prompt: str,
        model: str | None = None,
        seconds: int | str | None = None,
        size: str | None = None,
        input_reference: ReferenceInput | None = None,
        characters: Sequence[CharacterInput] | None = None,
        idempotency_key: str | None = None,
        seed: int | None = None,
        negative_prompt: str | None = None,
        steps: int | None = None,
        guidance: float | None = None,
        fps: int | None = None,
        num_frames: int | None = None,
    ) -> Video:
        """Start a video job and return it (usually ``queued``); nothing is downloaded yet.

        ``seconds`` may be given as 8 or "8" (the wire wants a string). A reference image is
        uploaded and must be JPEG, PNG or WebP of exactly ``size``; an :class:`ImageRef` is a
        URL the server fetches. ``idempotency_key`` defaults to a fresh one that is reused
        across retries, so a retried create cannot start a second job.

        ``characters`` (two at most: ids, or the :class:`Character` objects
        ``create_character`` gave) feature those characters; a character whose name the prompt
        does not write gets a :class:`~sora_nb.api.continuity.CharacterNotNamedWarning`.

        ``seed``, ``negative_prompt``, ``steps`` (num_inference_steps), ``guidance``
        (guidance_scale), ``fps`` and ``num_frames`` go to engines that take them (vLLM-Omni,
        SGLang, FastVideo); any other server gets an InvalidRequestError before anything is
        sent. On a one-model engine ``model`` may be left out (its model is sent) or name it.
        """
        secs = None if seconds is None else seconds_text(seconds)
        refs = character_refs(characters or ())
        if refs and self.dialect is not None and not self.dialect.characters:
            raise unsupported(self.dialect, "characters", "feature characters")
        knobs = check_knobs(
            seed=seed,
            negative_prompt=negative_prompt,
            steps=steps,
            guidance=guidance,
            fps=fps,
            num_frames=num_frames,
        )
        dialect = await self._known.knowing() if knobs else self.dialect
        if knobs and dialect is not None and not self._known.takes(knobs, dialect):
            raise refuse_knobs(dialect, knobs, self._known.info)
        model = await self._known.model_to_send(model, dialect)
        if dialect is not None and dialect.needs_clip and (size is None or secs is None):
            size, secs = usual_clip(dialect, model, size, secs)
        if self.check_requests and model is not None:
            try:
                catalog.check_request(
                    model,
                    size=size,
                    seconds=secs,
                    has_reference=input_reference is not None,
                    num_frames=num_frames,
                    fps=fps,
                )
            except catalog.CatalogError as exc:
                raise errors.InvalidRequestError(f"Not sent: {exc}", param=exc.param) from None
        upload = await read_reference(input_reference) if input_reference is not None else None
        if self.check_requests and upload is not None and size is not None:
            check_upload(upload, size)
        try:
            params = CreateVideoParams(
                prompt=prompt,
                model=model,
                seconds=secs,
                size=size.strip().lower() if size else None,
                characters=refs or None,
            )
        except ValidationError as exc:
            raise invalid_params(exc) from None
        warn_unnamed(prompt, characters or ())
        fields = params.model_dump(mode="json", exclude_none=True) | knobs
        image = input_reference if isinstance(input_reference, ImageRef) else None
        speaks = dialect or dialects.DIALECTS["openai"]
        # One key for every attempt, the re-sent form included: never a second job.
        idempotency_key = idempotency_key or f"sora_nb-{uuid.uuid4()}"
        json_body, files = create_body(speaks, fields, upload=upload, image=image)
        try:
            video = await self._send.call(
                Video,
                "POST",
                "/videos",
                json=json_body,
                files=files,
                idempotency_key=idempotency_key,
            )
        except errors.BadRequestError as exc:
            if dialect is not None or json_body is None:
                raise
            if not dialects.refuses_json(exc.server_message, exc.param):
                raise
            # The server read the JSON as an empty form: a form-only engine (vLLM-Omni).
            # Nothing was created; say it again as a form, under the same idempotency key.
            self._known.seen = dialects.DIALECTS["vllm-omni"]
            _, files = create_body(self._known.seen, fields, image=image)
            video = await self._send.call(
                Video, "POST", "/videos", files=files, idempotency_key=idempotency_key
            )
        self._known.learn_from(video)
        return video

    async def retrieve(self, video_id: str | Video) -> Video:
        """The job's current state: status, progress, and its error if it failed.

        A failed job is returned even when the server sends it with an error status (as
        vLLM-Omni does), so the server's own reason is never lost.
        """
        return await self._send.call(Video, "GET", video_path(video_id), accept=job_in_error)

    async def list_page(
        self,
        *,
        limit: int | None = None,
        order: Literal["asc", "desc"] | None = None,
        after: str | None = None,
    ) -> VideoList:
        """One page of jobs (``limit`` 0 to 100); :meth:`list` follows the pages for you."""
        lowest = self.dialect.list_min if self.dialect else 0
        params = page_params(limit, order, after, lowest=lowest)
        return await self._send.call(VideoList, "GET", "/videos", params=params)

    async def list(
        self,
        *,
        order: Literal["asc", "desc"] | None = None,
        after: str | None = None,
        page_size: int | None = None,
    ) -> AsyncGenerator[Video, None]:
        """Every job on the server, page after page (``async for video in client.list()``).

        Servers that send no ``has_more`` (SGLang, FastVideo) are paged by hand: a full page
        asks for the next one after its last job.
        """

        async def page(limit: int | None, order: Order, after: str | None) -> VideoList:
            return await self.list_page(limit=limit, order=order, after=after)

        async for video in every_job(page, order=order, after=after, page_size=page_size):
            yield video

    async def delete(self, video_id: str | Video) -> VideoDeleted:
        """Delete a job and its files on the server; a running job is cancelled where the
        server can (OpenAI, vLLM-Omni). SGLang and FastVideo forget the job but let it run
        (``cancelled`` is False); LiteLLM's proxy cannot delete (UnsupportedError)."""
        ident = video_id_of(video_id)
        dialect = self.dialect
        if dialect is not None and dialect.delete == "none":
            raise cannot_delete(dialect.title, ident, None)
        try:
            return await self._send.call(
                VideoDeleted, "DELETE", video_path(ident), parse=deleted_answer
            )
        except errors.MethodNotAllowedError:
            raise cannot_delete(f"server at {self.base_url}", ident, 405) from None

    async def remix(
        self, video_id: str | Video, *, prompt: str, idempotency_key: str | None = None
    ) -> Video:
        """Start a new job that reworks a completed video with a new prompt."""
        dialect = self.dialect
        if dialect is not None and not dialect.remix:
            raise errors.UnsupportedError(
                f"Not sent: the {dialect.title} cannot remix a video (it has no /remix route). "
                "Generate a new take with the changed prompt instead.",
                feature="remix",
            )
        try:
            params = RemixVideoParams(prompt=prompt)
        except ValidationError as exc:
            raise invalid_params(exc) from None
        return await self._send.call(
            Video,
            "POST",
            video_path(video_id) + "/remix",
            json=params.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )

    async def download(
        self,
        video_id: str | Video,
        destination: str | os.PathLike[str],
        *,
        variant: ContentVariant = "video",
        expected_type: str | None = None,
    ) -> Path:
        """Save a finished job's video (or ``thumbnail``/``spritesheet``) to ``destination``.

        The bytes stream to a temporary file beside the destination and are renamed into place
        only once complete: an interrupted download, a short body or a wrong media type leaves
        nothing at ``destination``. A server answering with another media type (a gateway
        sending the MP4 for a thumbnail) raises :class:`~errors.UnexpectedContentTypeError`
        naming the type it sent; asking an engine known to make no previews raises
        :class:`~errors.UnsupportedError` without sending. A failed job raises
        :class:`~errors.JobFailedError` with the server's reason.
        """
        if variant not in VARIANT_MEDIA_TYPES:
            raise errors.InvalidRequestError(
                f"variant must be one of {', '.join(VARIANT_MEDIA_TYPES)}, not {variant!r}.",
                param="variant",
            )
        ident = video_id_of(video_id)
        dialect = self.dialect
        if variant != "video" and dialect is not None and not dialect.previews:
            raise errors.UnsupportedError(
                f"Not sent: the {dialect.title} makes no {variant}s (it answers every variant "
                "with the MP4); derive it from the video with sora_nb.media.",
                feature=variant,
            )
        target = Path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        return await download_content(
            self._send,
            video_path(ident) + "/content",
            target,
            variant=variant,
            expected=expected_type or VARIANT_MEDIA_TYPES[variant],
            dialect=dialect,
            job=lambda: self.retrieve(ident),
            wait_step=self.poll.floor,
        )

    async def wait(
        self,
        video_id: str | Video,
        *,
        deadline: float | None = None,
        on_progress: Callable[[Video], object] | None = None,
        raise_on_failure: bool = False,
        poll: PollPolicy | None = None,
    ) -> Video:
        """Poll until the job is completed or failed and return its final state.

        A failed job is returned like a completed one (check ``video.status``), unless
        ``raise_on_failure`` asks for :class:`~errors.JobFailedError`. ``deadline`` is the most
        seconds to wait (:class:`~errors.DeadlineExceededError` after it; the job itself goes
        on; a status check failing near it raises its own error rather than retry past it).
        ``on_progress`` gets every state seen. Cancel the awaiting task to stop polling.
        The pace follows the server's ``openai-poll-after-ms`` hint when it sends one, else
        backs off from ``poll.floor`` to ``poll.ceiling`` seconds.
        """
        return await wait_for(
            self._send,
            video_id,
            hints=self._poll_hints,
            policy=poll or self.poll,
            deadline=deadline,
            on_progress=on_progress,
            raise_on_failure=raise_on_failure,
        )
