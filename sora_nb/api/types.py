"""Pydantic models of the Videos API wire shapes (as in ``tests/contract/videos-openapi.yaml``).

Response models are tolerant: a newer server or a gateway may add fields (LiteLLM adds
``usage``) or new enum strings, and sora_nb must keep working, so extra fields are kept and
string enums are plain strings checked against known values only where it matters.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Statuses the spec knows. Servers add more (LiteLLM's Veo says "processing"): any status not
#: known to be final is "still running", so polling never ends early.
VideoStatus = Literal["queued", "in_progress", "completed", "failed"]
KNOWN_STATUSES: tuple[str, ...] = ("queued", "in_progress", "completed", "failed")
#: Final statuses that mean the job gave no video (RunwayML's through LiteLLM: "cancelled").
UNSUCCESSFUL_STATUSES: frozenset[str] = frozenset({"failed", "cancelled", "canceled"})
#: A job the server deleted (SGLang and FastVideo answer DELETE with it): final, no video.
DELETED_STATUS = "deleted"
TERMINAL_STATUSES: frozenset[str] = frozenset({"completed", DELETED_STATUS, *UNSUCCESSFUL_STATUSES})

#: Content variants for ``GET /videos/{id}/content?variant=...`` and their media types.
ContentVariant = Literal["video", "thumbnail", "spritesheet"]
VARIANT_MEDIA_TYPES: dict[str, str] = {
    "video": "video/mp4",
    "thumbnail": "image/webp",
    "spritesheet": "image/jpeg",
}


class _Wire(BaseModel):
    """Base for response objects: keep unknown fields, never fail on additions."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class VideoError(_Wire):
    """Why a job failed: a machine-readable ``code`` and a human ``message``."""

    code: str = "unknown"
    message: str = ""

    @field_validator("code", "message", mode="before")
    @classmethod
    def _null_as_default(cls, value: Any) -> Any:
        # Some gateways send null for a code they do not know; vLLM-Omni sends an HTTP status.
        if value is None:
            return "unknown"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("message")
    @classmethod
    def _traceback_as_one_line(cls, value: str) -> str:
        # FastVideo 0.2.1 puts a worker's whole traceback in the message: what it says before
        # it and the exception's own last line are the error; the rest is in the server's log.
        head, found, trace = value.partition("Traceback (most recent call last):")
        if not found:
            return value
        lines = [line.strip() for line in trace.splitlines() if line.strip()]
        last = lines[-1] if lines else ""
        return " ".join(part for part in (head.strip(), last) if part)


class Video(_Wire):
    """A video job as the server reports it (``VideoResource``)."""

    id: str
    object: str = "video"
    # The spec requires these; gateways have been seen to omit or reshape them, and a
    # missing field must not make a finished job unreadable.
    model: str | None = None
    status: str
    progress: int = 0
    created_at: int | None = None
    completed_at: int | None = None
    expires_at: int | None = None
    prompt: str | None = None
    size: str | None = None
    seconds: str | None = None
    remixed_from_video_id: str | None = None
    error: VideoError | None = None
    #: Seconds of GPU time the job took (vLLM-Omni, SGLang and FastVideo report it).
    inference_time_s: float | None = None
    #: The most GPU memory the job used, in MB (vLLM-Omni, SGLang, FastVideo).
    peak_memory_mb: float | None = None
    #: Seconds per denoising step (sora_nb's bundled server reports it for an open model).
    seconds_per_step: float | None = None
    #: Seconds of each stage of the job (vLLM-Omni's ``stage_durations``; the bundled server's
    #: ``text_encoding``, ``denoising``, ``vae_decode`` and ``encoding`` for an open model).
    stage_durations: dict[str, float] | None = None
    #: The clip's length in seconds as the server made it (vLLM-Omni: its frames over its fps).
    duration_s: float | None = None
    #: The server's own measurements of the job (vLLM-Omni's ``metrics``, sent when a create
    #: asks ``return_stage_metrics``).
    metrics: dict[str, Any] | None = None

    @field_validator("progress", mode="before")
    @classmethod
    def _progress_as_int(cls, value: Any) -> Any:
        if value is None:
            return 0
        if isinstance(value, float):
            return round(value)
        return value

    @field_validator("seconds", mode="before")
    @classmethod
    def _seconds_as_text(cls, value: Any) -> Any:
        # The spec says string; some servers send a number. Keep the wire form: "8".
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(int(value)) if float(value).is_integer() else str(value)
        return value

    @property
    def done(self) -> bool:
        """True once the job is completed or failed (a failed job is a result, not an error)."""
        return self.status in TERMINAL_STATUSES

    @property
    def completed(self) -> bool:
        """True when the job finished and its content can be downloaded."""
        return self.status == "completed"

    @property
    def failed(self) -> bool:
        """True when the server gave up on the job, or it was cancelled (see ``error``)."""
        return self.status in UNSUCCESSFUL_STATUSES

    @property
    def deleted(self) -> bool:
        """True when the server reports the job deleted (it has no video for it any more)."""
        return self.status == DELETED_STATUS


class VideoList(_Wire):
    """One page of ``GET /videos`` (``VideoListResource``)."""

    object: str = "list"
    data: list[Video]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


class VideoDeleted(_Wire):
    """Confirmation of ``DELETE /videos/{id}`` (``DeletedVideoResource``).

    ``cancelled`` says whether a job still running was stopped: None when the server does not
    say (OpenAI, vLLM-Omni, which cancel), False for SGLang and FastVideo, which forget the job
    and let it run on.
    """

    object: str = "video.deleted"
    deleted: bool
    id: str
    cancelled: bool | None = None


class ErrorDetail(_Wire):
    """The ``error`` object inside an HTTP error body (OpenAI's error envelope)."""

    message: str = ""
    type: str | None = None
    param: str | None = None
    code: str | None = None


class ErrorBody(_Wire):
    """An HTTP error response body: ``{"error": {"message", "type", "param", "code"}}``."""

    error: ErrorDetail


class ImageRef(BaseModel):
    """``input_reference`` as an object: exactly one of ``image_url`` (URL or data URL) or
    ``file_id``."""

    model_config = ConfigDict(extra="forbid")

    image_url: str | None = Field(default=None, max_length=20_971_520)
    file_id: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ImageRef:
        if (self.image_url is None) == (self.file_id is None):
            raise ValueError(
                "input_reference needs exactly one of image_url or file_id, "
                "e.g. ImageRef(image_url='https://...') or ImageRef(file_id='file-123')"
            )
        return self


class ReferenceFile(BaseModel):
    """``input_reference`` as an uploaded file (sent as multipart with its filename and type)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    filename: str
    content: bytes = Field(repr=False)
    media_type: Literal["image/jpeg", "image/png", "image/webp"]


#: The most characters one video may feature (the guide's limit).
MAX_CHARACTERS = 2
#: Lengths of one extension segment, in seconds (``CreateVideoExtend*Body.seconds``).
EXTENSION_SECONDS: tuple[str, ...] = ("4", "8", "12", "16", "20")
#: The most extensions of one video, and the longest a video may grow by them (seconds).
MAX_EXTENSIONS = 6
MAX_EXTENDED_SECONDS = 120
#: A character's name: 1 to 80 characters (``CreateVideoCharacterBody.name``).
CHARACTER_NAME_MAX = 80


class CharacterRef(BaseModel):
    """A character to feature, by id (``VideoCharacterReferenceParam``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)


class VideoRef(BaseModel):
    """A completed video, by id (``VideoReferenceInputParam``): what an edit or extension
    starts from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)


class Character(_Wire):
    """A character made from a short clip (``VideoCharacterResource``): its id, to reference
    on create, and its display name, to write in the prompt."""

    id: str | None = None
    name: str | None = None
    created_at: int | None = None


class CreateVideoParams(BaseModel):
    """Parameters of ``POST /videos``. ``seconds`` is a string on the wire, as the spec says."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, max_length=32_000)
    model: str | None = None
    seconds: str | None = None
    size: str | None = None
    input_reference: ImageRef | ReferenceFile | None = None
    characters: list[CharacterRef] | None = Field(default=None, max_length=MAX_CHARACTERS)


class ExtendVideoParams(BaseModel):
    """Parameters of ``POST /videos/extensions``: continue a completed video."""

    model_config = ConfigDict(extra="forbid")

    video: VideoRef
    prompt: str = Field(min_length=1, max_length=32_000)
    seconds: str

    @field_validator("seconds")
    @classmethod
    def _segment_length(cls, value: str) -> str:
        if value not in EXTENSION_SECONDS:
            raise ValueError(f"an extension adds {', '.join(EXTENSION_SECONDS)} seconds")
        return value


class EditVideoParams(BaseModel):
    """Parameters of ``POST /videos/edits``: rework a completed video with a prompt."""

    model_config = ConfigDict(extra="forbid")

    video: VideoRef
    prompt: str = Field(min_length=1, max_length=32_000)


class RemixVideoParams(BaseModel):
    """Parameters of ``POST /videos/{id}/remix``."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, max_length=32_000)
