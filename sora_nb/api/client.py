"""VideosClient: the async client for any server speaking OpenAI's Videos API protocol.

One class, one job: turn method calls into HTTP requests on httpx, retry what is safe to
retry, and turn answers into wire types or typed errors. It speaks to a remote server by base
URL, or to anything with an httpx transport (the bundled server in-process through
``httpx.ASGITransport``, a ``MockTransport`` in tests); the code path is the same.

Servers speak dialects of the protocol (:mod:`sora_nb.api.dialects`): given one
(``dialect="vllm-omni"``) or after :meth:`VideosClient.detect`, the client sends each server
what it accepts and refuses, before sending, what it cannot do. Without one it speaks OpenAI's
dialect and still reads what the engines answer (their ids, statuses, errors and failed jobs).

This module is the client, whole: how it is built (its HTTP session, key, retries, and what
it knows of the server) and every endpoint it sends, the Videos API's own and March 2026's
characters, extensions and edits. Every part of it reads the same session, key and knowledge
of the server, so it is one class in one file (``tests/layers/test_module_size.py`` says why);
what it leans on has a module each: the sending itself (:mod:`sora_nb.api.sending`), bodies,
content, polling, references and the continuity endpoints' inputs
(:mod:`sora_nb.api.continuity_inputs`).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from sora_nb import catalog
from sora_nb._version import __version__
from sora_nb.api import dialect_clues, dialects, errors
from sora_nb.api.adapters import AdapterState, check_adapters
from sora_nb.api.answers import (
    cannot_delete,
    deleted_answer,
    job_in_error,
)
from sora_nb.api.bodies import create_body, merge_options, refuse_knobs, refuse_step_cache
from sora_nb.api.clock import Clock, SystemClock
from sora_nb.api.config import (
    AuthStyle,
    ServerConfig,
    default_auth,
    normalize_base_url,
    resolve_server,
    warn_if_retired,
)
from sora_nb.api.content import download_content
from sora_nb.api.continuity_inputs import (
    CharacterInput,
    ClipInput,
    character_refs,
    check_name,
    extension_seconds,
    read_clip,
    unsupported,
    warn_unnamed,
)
from sora_nb.api.dialects import Dialect, ServerInfo, dialect_named
from sora_nb.api.knowledge import ServerKnowledge
from sora_nb.api.listing import Order, every_job, page_params
from sora_nb.api.params import (
    invalid_params,
    seconds_text,
    usual_clip,
    usual_frames,
    video_id_of,
    video_path,
)
from sora_nb.api.polling import wait_for
from sora_nb.api.previews import fetch_preview, refuse_unless_previews
from sora_nb.api.references import ReferenceInput, check_upload, read_reference
from sora_nb.api.retry import NO_RETRIES, PollPolicy, RetryPolicy, poll_hint
from sora_nb.api.sending import Files, KeyAuth, Sender, origin
from sora_nb.api.source_uploads import SOURCE_WIRES, read_sources
from sora_nb.api.types import (
    MAX_EXTENDED_SECONDS,
    VARIANT_MEDIA_TYPES,
    Character,
    ContentVariant,
    CreateVideoParams,
    EditVideoParams,
    ExtendVideoParams,
    ImageRef,
    RemixVideoParams,
    Video,
    VideoDeleted,
    VideoList,
    VideoRef,
)
from sora_nb.catalog.option_args import OptionArgs, given_options, takes_options
from sora_nb.catalog.options import OptionError, Options

if TYPE_CHECKING:
    from typing_extensions import Unpack

#: The base URL used with a transport and no URL (the in-process bundled server): never resolvable.
IN_PROCESS_BASE_URL = "http://sora-nb.invalid/v1"
#: Connect fast, but let a slow server take its time over a create or a large download chunk.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class VideosClient:
    """Async client for the Videos API: create, retrieve, list, delete, remix, download, wait;
    characters, extensions and edits.

    Build it from a base URL and key (``VideosClient("http://localhost:4000/v1", "sk-...")``),
    from a resolved :class:`ServerConfig` (:meth:`from_config`), or around an httpx transport
    (``VideosClient(transport=httpx.ASGITransport(app))``). Use ``async with`` or call
    :meth:`aclose` when done.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | SecretStr | None = None,
        *,
        organization: str | None = None,
        project: str | None = None,
        auth: AuthStyle | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        clock: Clock | None = None,
        headers: Mapping[str, str] | None = None,
        check_requests: bool = True,
        warn_retired: bool = True,
        dialect: str | Dialect | None = None,
    ) -> None:
        if base_url is None and transport is None:
            raise errors.ConfigurationError(
                "VideosClient needs a base_url (a server's URL, e.g. http://localhost:4000/v1) "
                "or a transport (e.g. httpx.ASGITransport for an in-process server)."
            )
        self.base_url = normalize_base_url(base_url or IN_PROCESS_BASE_URL)
        if warn_retired:
            warn_if_retired(self.base_url)
        self._key = api_key if isinstance(api_key, SecretStr) else _secret(api_key)
        self.retry = retry or RetryPolicy()
        self.poll = poll or PollPolicy()
        self.clock: Clock = clock or SystemClock()
        #: Check requests against the model catalog before sending (precise local errors).
        self.check_requests = check_requests
        # The latest openai-poll-after-ms hint per video id, from any response about it.
        self._poll_hints: dict[str, float | None] = {}
        default_headers = {"User-Agent": f"sora_nb/{__version__}", "Accept": "application/json"}
        if organization:
            default_headers["OpenAI-Organization"] = organization
        if project:
            default_headers["OpenAI-Project"] = project
        default_headers.update(headers or {})
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers=default_headers,
            auth=KeyAuth(
                self._key, auth or default_auth(self.base_url), origin(httpx.URL(self.base_url))
            ),
            follow_redirects=False,
        )
        self._send = Sender(self._http, key=self._key, retry=self.retry, clock=self.clock)
        self._send.on_parsed = self._note_hint
        self._adapters = AdapterState(self._send)
        self._known = ServerKnowledge(
            self._send, dialect_named(dialect) if dialect is not None else None
        )

    @classmethod
    def from_config(cls, config: ServerConfig, **options: Any) -> VideosClient:
        """A client for a resolved :class:`ServerConfig` (which must name a server)."""
        if config.base_url is None:
            raise errors.ConfigurationError(
                "This configuration names no server (it means the bundled server); use "
                "sora_nb.connection.connect() for that, or set SORA_NB_BASE_URL."
            )
        return cls(
            config.base_url,
            config.api_key,
            organization=config.organization,
            project=config.project,
            auth=config.auth,
            dialect=config.dialect,
            # resolve_server already warned about a retired endpoint, once is enough.
            **({"warn_retired": False} | options),
        )

    @classmethod
    def from_env(cls, **options: Any) -> VideosClient:
        """A client for the server named by SORA_NB_BASE_URL / OPENAI_BASE_URL and its key."""
        return cls.from_config(resolve_server(), **options)

    def __repr__(self) -> str:
        key = "set" if self._key is not None else "none"
        dialect = self.dialect.name if self.dialect else "unknown"
        return f"<VideosClient base_url={self.base_url!r} api_key={key} dialect={dialect}>"

    async def __aenter__(self) -> VideosClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (safe to call twice)."""
        await self._http.aclose()

    # -- what the server is ------------------------------------------------------------------

    @property
    def dialect(self) -> Dialect | None:
        """The server's dialect: set by hand, detected, or read from its answers; None when
        nothing is known yet (the client then speaks OpenAI's dialect)."""
        return self._known.dialect

    @property
    def info(self) -> ServerInfo | None:
        """What :meth:`detect` found (None before it ran)."""
        return self._known.info

    async def detect(self, *, refresh: bool = False) -> ServerInfo:
        """Ask the server what it is: its dialect and the models it serves (``GET /models``).

        A dialect given by hand is kept; the answer then only says which models it serves.
        The result is kept for the client's life (``refresh=True`` asks again).
        """
        return await self._known.detect(refresh=refresh)

    async def probe(self) -> ServerInfo:
        """Ask the server what it is once, at once: no retries, so a server that is not there
        says so now (what connecting checks) rather than after the backoff of a real call."""
        patient = self._send.retry
        self._send.retry = NO_RETRIES
        try:
            return await self._known.detect(refresh=True)
        finally:
            self._send.retry = patient

    async def list_loras(self) -> list[str]:
        """The adapters an SGLang server holds now, by nickname (``GET /v1/list_loras``)."""
        return await self._adapters.listed()

    # -- the Videos API's own endpoints -------------------------------------------------------

    @takes_options
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
        options: Options | Mapping[str, Any] | None = None,
        **keywords: Unpack[OptionArgs],
    ) -> Video:
        """Start a video job and return it (usually ``queued``); nothing is downloaded yet.

        ``seconds`` may be given as 8 or "8" (the wire wants a string). A reference image is
        uploaded and must be JPEG, PNG or WebP of exactly ``size``; an :class:`ImageRef` is a
        URL the server fetches. ``idempotency_key`` defaults to a fresh one that is reused
        across retries, so a retried create cannot start a second job.

        ``characters`` (two at most: ids, or the :class:`Character` objects
        ``create_character`` gave) feature those characters; a character whose name the prompt
        does not write gets a :class:`~sora_nb.api.continuity_inputs.CharacterNotNamedWarning`.

        ``seed``, ``negative_prompt``, ``steps`` (num_inference_steps), ``guidance``
        (guidance_scale), ``fps`` and ``num_frames`` go to engines that take them (vLLM-Omni,
        SGLang, FastVideo); any other server gets an InvalidRequestError before anything is
        sent. ``options`` gives them at once (an :class:`~sora_nb.catalog.options.Options`, or
        a dict by the same names), with any option of the options table. On a one-model
        engine ``model`` may be left out (its model is sent) or name it. ``last_image`` (a
        path: the last frame, with ``input_reference`` the first) and ``video`` (a path:
        video-to-video from it, ``strength`` how far it may stray) go as each engine reads them
        (:mod:`sora_nb.api.source_uploads`), or are refused before sending.
        """
        secs = None if seconds is None else seconds_text(seconds)
        refs = character_refs(characters or ())
        if refs and self.dialect is not None and not self.dialect.characters:
            raise unsupported(self.dialect, "characters", "feature characters")
        chosen = merge_options(given_options(keywords), options)
        dialect = await self._known.knowing() if chosen else self.dialect
        if chosen.loras and dialect is not None:
            check_adapters(chosen.loras, dialect, self._known.info)
        try:
            knobs = chosen.wire(dialect.name if dialect is not None else None)
        except OptionError as exc:
            raise errors.InvalidRequestError(f"Not sent: {exc}", param=exc.option) from None
        if knobs and dialect is not None and not self._known.takes(knobs, dialect):
            raise refuse_knobs(dialect, knobs, self._known.info)
        lacking = refuse_step_cache(self._known.info, chosen.step_cache)
        if lacking is not None:
            raise lacking
        # A last frame and a source video are files: read and checked here, sent as parts.
        sources = await read_sources(chosen, has_first=input_reference is not None)
        chosen, knobs = sources.rest, {k: v for k, v in knobs.items() if k not in SOURCE_WIRES}
        model = await self._known.model_to_send(model, dialect)
        if dialect is not None and dialect.needs_clip:
            if size is None or secs is None:
                size, secs = usual_clip(dialect, model, size, secs)
            chosen = usual_frames(model, secs, chosen)
        if self.check_requests and model is not None:
            try:
                catalog.check_request(
                    model,
                    size=size,
                    seconds=secs,
                    has_reference=input_reference is not None,
                    num_frames=chosen.num_frames,
                    fps=chosen.fps,
                )
            except catalog.CatalogError as exc:
                raise errors.InvalidRequestError(f"Not sent: {exc}", param=exc.param) from None
        upload = await read_reference(input_reference) if input_reference is not None else None
        if self.check_requests and upload is not None and size is not None:
            check_upload(upload, size)
            sources.check_size(size)
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
        if dialect is not None:
            # SGLang's adapters are the server's: set (or turn off) there, not in the body.
            knobs = (await self._adapters.prepare(chosen, dialect)).wire(dialect.name)
        fields = params.model_dump(mode="json", exclude_none=True) | knobs
        image = input_reference if isinstance(input_reference, ImageRef) else None
        speaks = dialect or dialects.DIALECTS["openai"]
        # One key for every attempt, the re-sent form included: never a second job.
        idempotency_key = idempotency_key or f"sora_nb-{uuid.uuid4()}"
        json_body, files = create_body(speaks, fields, upload=upload, image=image, sources=sources)
        try:
            made = await self._send.call(
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
            if not dialect_clues.refuses_json(exc.server_message, exc.param):
                raise
            # The server read the JSON as an empty form: a form-only engine (vLLM-Omni).
            # Nothing was created; say it again as a form, under the same idempotency key.
            self._known.seen = dialects.DIALECTS["vllm-omni"]
            _, files = create_body(self._known.seen, fields, image=image, sources=sources)
            made = await self._send.call(
                Video, "POST", "/videos", files=files, idempotency_key=idempotency_key
            )
        self._known.learn_from(made)
        return made

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

    async def preview(self, video_id: str | Video) -> bytes | None:
        """The newest live preview of a running job (a small JPEG), None before its first.

        Only sora_nb's bundled server makes previews (its model cards say ``previews``);
        asking another server raises :class:`~errors.UnsupportedError` without sending.
        """
        refuse_unless_previews(self._known.info or await self.detect())
        return await fetch_preview(self._send, video_id_of(video_id))

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

    # -- characters, extensions and edits (March 2026) ------------------------------------

    async def create_character(
        self,
        video: ClipInput,
        name: str,
        *,
        consent: bool = False,
        model: str | None = None,
        idempotency_key: str | None = None,
    ) -> Character:
        """Make a character from a 2 to 4 second clip (16:9 or 9:16) and return it: its ``id``
        goes in ``create(characters=[...])``, its ``name`` in the prompt.

        ``consent=True`` says the person filmed agreed to be a character: sora_nb's bundled
        server refuses a clip of a face without it (a simulation of the service's rule, see
        ``sora_nb.server.guardrails``); it is sent only when True. Through LiteLLM's proxy
        ``model`` names the deployment that makes it (the one it serves, when it serves one);
        the id it answers carries that deployment, so later creates reach the same server.
        """
        self._refuse_unless("characters", "make characters")
        check_name(name)
        dialect = await self._known.knowing()
        upload = await read_clip(video, check=self.check_requests)
        files: Files = [("name", (None, name, None))]
        if dialect.name == "litellm":
            # LiteLLM routes a character by this field; without it the proxy sends the clip
            # to api.openai.com, whatever its configuration says.
            files.append(("target_model_names", (None, await self._deployment(model), None)))
        if consent:
            files.append(("consent", (None, "true", None)))
        files.append(("video", (upload.filename, upload.content, upload.media_type)))
        return await self._send.call(
            Character, "POST", "/videos/characters", files=files, idempotency_key=idempotency_key
        )

    async def get_character(self, character_id: str | Character) -> Character:
        """A character by its id (what ``create_character`` answered)."""
        self._refuse_unless("characters", "look up characters")
        ident = character_id.id if isinstance(character_id, Character) else character_id
        if not isinstance(ident, str) or not ident.strip():
            raise errors.InvalidRequestError(
                f"A character id is a non-empty string like 'char_123', not {ident!r}.",
                param="character_id",
            )
        path = "/videos/characters/" + quote(ident, safe="")
        return await self._send.call(Character, "GET", path)

    async def extend(
        self,
        video: str | Video | os.PathLike[str],
        *,
        prompt: str,
        seconds: int | str,
        idempotency_key: str | None = None,
    ) -> Video:
        """Start a job that continues a completed video by ``seconds`` (4, 8, 12, 16 or 20)
        where its last frame ends; the new job's video is the whole stitched video (its
        ``seconds`` the total). A video grows by six extensions at most, to 120 s. ``video``
        is a job (its id), or a ``Path`` to an MP4 to upload."""
        self._refuse_unless("extensions", "extend a video")
        secs = extension_seconds(seconds)
        if isinstance(video, os.PathLike):
            return await self._upload("extensions", video, prompt, secs, idempotency_key)
        ident = video_id_of(video)
        if isinstance(video, Video) and video.seconds and video.seconds.isdigit():
            total = int(video.seconds) + int(secs)
            if total > MAX_EXTENDED_SECONDS:
                raise errors.InvalidRequestError(
                    f"Not sent: video {ident} lasts {video.seconds} s; {secs} s more makes "
                    f"{total} s, past the {MAX_EXTENDED_SECONDS} s an extended video may last.",
                    param="seconds",
                )
        try:
            params = ExtendVideoParams(video=VideoRef(id=ident), prompt=prompt, seconds=secs)
        except ValidationError as exc:
            raise invalid_params(exc) from None
        made = await self._send.call(
            Video,
            "POST",
            "/videos/extensions",
            json=params.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        self._known.learn_from(made)
        return made

    async def edit(
        self,
        video: str | Video | os.PathLike[str],
        *,
        prompt: str,
        idempotency_key: str | None = None,
    ) -> Video:
        """Start a job that reworks a completed video with ``prompt``: the same scene, with
        what the prompt changes (the successor of remix). ``video`` is a job (its id), or a
        ``Path`` to an MP4 to upload."""
        self._refuse_unless("edits", "edit a video")
        if isinstance(video, os.PathLike):
            return await self._upload("edits", video, prompt, None, idempotency_key)
        try:
            params = EditVideoParams(video=VideoRef(id=video_id_of(video)), prompt=prompt)
        except ValidationError as exc:
            raise invalid_params(exc) from None
        made = await self._send.call(
            Video,
            "POST",
            "/videos/edits",
            json=params.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        self._known.learn_from(made)
        return made

    async def _upload(
        self,
        route: str,
        video: os.PathLike[str],
        prompt: str,
        seconds: str | None,
        idempotency_key: str | None,
    ) -> Video:
        """An extension or edit of a video sent as a file (a form, as the spec allows)."""
        if not prompt or not prompt.strip() or len(prompt) > 32_000:
            raise errors.InvalidRequestError(
                "Not sent: the prompt should be 1 to 32000 characters.", param="prompt"
            )
        path = Path(os.fspath(video)).expanduser()
        try:
            content = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise errors.InvalidRequestError(
                f"Cannot read the video {str(path)!r} ({exc.strerror}); check the path.",
                param="video",
            ) from None
        files: Files = [("prompt", (None, prompt, None))]
        if seconds is not None:
            files.append(("seconds", (None, seconds, None)))
        files.append(("video", (path.name, content, "video/mp4")))
        made = await self._send.call(
            Video, "POST", f"/videos/{route}", files=files, idempotency_key=idempotency_key
        )
        self._known.learn_from(made)
        return made

    async def _deployment(self, model: str | None) -> str:
        """The model a gateway should make a character with: the one named, or the one it
        serves; an InvalidRequestError when it serves several and none is named."""
        if model:
            return model
        info = await self._known.detect()
        if len(info.models) == 1:
            return info.models[0]
        served = ", ".join(info.models) or "none listed"
        raise errors.InvalidRequestError(
            f"Not sent: the {info.dialect.title} makes a character with one of its models "
            f"({served}); name it: create_character(..., model='sora-2').",
            param="model",
        )

    def _refuse_unless(self, feature: str, doing: str) -> None:
        dialect: Dialect | None = self._known.dialect
        if dialect is not None and not getattr(dialect, feature):
            raise unsupported(dialect, feature, doing)

    # -- machinery ---------------------------------------------------------------------------

    def _note_hint(self, result: BaseModel, response: httpx.Response) -> None:
        if isinstance(result, Video):
            self._poll_hints[result.id] = poll_hint(response.headers)


# -- helpers --------------------------------------------------------------------------------


def _secret(value: str | None) -> SecretStr | None:
    return SecretStr(value.strip()) if value and value.strip() else None


__all__ = ["DEFAULT_TIMEOUT", "IN_PROCESS_BASE_URL", "ReferenceInput", "VideosClient"]
