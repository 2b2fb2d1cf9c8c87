"""How a bundled server instance behaves: its folder, key, pace, limits, faults and guardrails."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from sora_nb.server.faults import FaultSettings
from sora_nb.server.guardrails import DEFAULT_BLOCKED, BlockKind

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.server.renderers.animatic import AnimaticFiles, AnimaticRequest

    #: Turns a request into files in a folder (the animatic's ``render`` by default).
    Renderer = Callable[[AnimaticRequest, Path], AnimaticFiles]
else:
    # At run time pydantic only needs "a callable": the animatic package loads on first render.
    Renderer = Callable[..., Any]

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
    #: The renderer; None means the real animatic renderer.
    renderer: Renderer | None = Field(default=None, exclude=True, repr=False)
    render_workers: int = Field(default=2, gt=0)
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

    def render_function(self) -> Renderer:
        """The renderer to use: the configured one, else the real animatic renderer."""
        if self.renderer is not None:
            return self.renderer
        from sora_nb.server.renderers.animatic import render

        return render
