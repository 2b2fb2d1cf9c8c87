"""How a bundled server instance behaves: its folder, key, pace, limits, faults and guardrails."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from sora_nb.server.faults import FaultSettings
from sora_nb.server.guardrails import DEFAULT_BLOCKED, BlockKind

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.server.renderers.animatic.renderer import RenderFunction
    from sora_nb.server.renderers.base import Renderer
else:
    # At run time pydantic only needs "an object": the renderer packages load on first use.
    Renderer = Any
    RenderFunction = Callable[..., Any]

#: The largest request body accepted (20 MiB, the spec's limit on an ``image_url``).
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024


class ServerSettings(BaseModel):
    """Settings of one bundled server app (``create_app(ServerSettings(media_dir=...))``).

    ``time_scale`` is wall seconds per second of video: 1.0 makes a 4 s clip take about 4 s,
    0 finishes a job as soon as its animatic is rendered. ``api_key`` set means every request
    must carry it (as ``Authorization: Bearer ...`` or ``api-key``); the key never appears in
    a repr, a log or a file.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    media_dir: Path
    api_key: SecretStr | None = None
    time_scale: float = Field(default=1.0, ge=0)
    #: Share of a job's time spent ``queued`` before it turns ``in_progress``.
    queued_share: float = Field(default=0.1, ge=0, le=1)
    max_upload_bytes: int = Field(default=DEFAULT_MAX_UPLOAD, gt=0)
    #: Most jobs queued or in progress at once; more creates answer 429. None: no cap.
    max_running_jobs: int | None = Field(default=None, gt=0)
    #: Seconds a finished job's content stays downloadable (``expires_at``). None: forever.
    content_ttl: float | None = Field(default=None, gt=0)
    faults: FaultSettings = Field(default_factory=FaultSettings)
    #: Names the simulated guardrail refuses, with their kind (see ``guardrails``).
    blocked: dict[str, BlockKind] = Field(default_factory=lambda: dict(DEFAULT_BLOCKED))
    #: The renderer: a :class:`~sora_nb.server.renderers.base.Renderer` (the diffusers one, say),
    #: or a function drawing an animatic request into a folder (tests put their own in); None
    #: means the real animatic.
    renderer: Renderer | RenderFunction | None = Field(default=None, exclude=True, repr=False)
    #: Renders at once, unless the renderer says fewer (a resident pipeline renders one).
    render_workers: int = Field(default=2, gt=0)
    #: Answer as this server does (``vllm-omni``, ``sglang``, ``fastvideo``, ``litellm``, or
    #: ``openai`` for the strict excerpt); None: sora_nb's own server (OpenAI's API plus the
    #: open-model knobs).
    dialect: Literal["openai", "vllm-omni", "sglang", "fastvideo", "litellm"] | None = None
    #: The model an engine imitation serves, when its renderer (the animatic) names none.
    served_model_name: str | None = None
    #: The day the catalog checks availability for (None: today).
    today: dt.date | None = None
    #: Wall clock in seconds since the epoch; injectable so lifecycle tests need not sleep.
    clock: Callable[[], float] = Field(default=time.time, exclude=True, repr=False)

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_key_is_none(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("media_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # Everything the bundled server writes is checked to stay inside this folder.
        return value.expanduser().resolve()

    def make_renderer(self) -> Renderer:
        """The renderer to use: the configured one, else the animatic (drawing with the
        configured function when one was given)."""
        from sora_nb.server.renderers.animatic.renderer import AnimaticRenderer

        if self.renderer is None or not hasattr(self.renderer, "abilities"):
            return AnimaticRenderer(self.renderer)
        return cast("Renderer", self.renderer)
