"""Video jobs: created, rendered in worker threads, persisted as JSON beside their files.

With a paced renderer (the animatic) a job's status is worked out from the clock each time it is
read: ``queued`` for the first share of its simulated duration, then ``in_progress`` with rising
progress, then ``completed`` once both the duration has passed and the video is rendered (or
``failed``). With a real renderer (diffusers) status and progress follow the render itself:
``queued`` until a worker takes the job, then the renderer's own progress (denoising steps, then
decoding and encoding). Every job lives in ``<media_dir>/jobs/<id>/`` (``job.json`` plus its
files), so a new app over the same folder, in a restarted kernel or process, finds its jobs and
finishes rendering the unfinished ones.

The records are in :mod:`sora_nb.server.job_records`; the store's render pool (worker threads)
in :mod:`sora_nb.server.job_renders`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import secrets
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sora_nb.api.types import Video, VideoError
from sora_nb.media import make_private_folder, write_atomic
from sora_nb.server import source_fields
from sora_nb.server.characters import CharacterStore
from sora_nb.server.errors import APIError, not_found
from sora_nb.server.guardrails import check_prompt
from sora_nb.server.job_records import SOURCE_FILE, VARIANT_FILES, JobRecord, NewJob, Stats
from sora_nb.server.job_renders import RenderPool
from sora_nb.server.settings import ServerSettings

__all__ = ["SOURCE_FILE", "VARIANT_FILES", "JobRecord", "JobStore", "NewJob", "Stats"]

log = logging.getLogger("sora_nb.server")

#: The ids this bundled server issues; anything else is unknown before any file is touched.
_ID_PATTERN = re.compile(r"video_[0-9a-f]{32}")


class JobStore:
    """All jobs of one bundled server folder: create, read, list, delete; renders run in threads."""

    def __init__(
        self,
        settings: ServerSettings,
        *,
        new_id: Callable[[], str] | None = None,
        id_pattern: re.Pattern[str] = _ID_PATTERN,
        remember: bool = True,
    ) -> None:
        """``new_id``/``id_pattern``: the id format (an engine imitation's own); ``remember``
        False keeps the jobs of this store only (an engine that forgets its jobs on restart)."""
        self.settings = settings
        self._new_id = new_id or (lambda: f"video_{secrets.token_hex(16)}")
        self._id_pattern = id_pattern
        folder = "jobs" if remember else f"jobs-{secrets.token_hex(6)}"
        self.root = settings.media_dir / folder
        make_private_folder(self.root)  # prompts and videos: the user's own (0700)
        self.stats = Stats()
        self._lock = threading.RLock()
        self._jobs: dict[str, JobRecord] = {}
        self._by_key: dict[str, str] = {}
        self._takes: dict[str, int] = {}
        self.renderer = settings.make_renderer()
        self.abilities = self.renderer.abilities
        #: The characters this server made (shared by every store over the folder).
        self.characters = CharacterStore(settings.media_dir, settings.clock)
        #: The worker threads that render this store's jobs.
        self.renders = RenderPool(
            settings,
            self.renderer,
            self.characters,
            jobs=self._jobs,
            lock=self._lock,
            stats=self.stats,
            job_dir=self._job_dir,
            save=self._save,
        )
        self._load()

    def wait_idle(self, timeout: float | None = None) -> None:
        """Block until every render submitted so far has finished (for tests and shutdown)."""
        self.renders.wait_idle(timeout)

    def close(self) -> None:
        """Stop taking renders (see :meth:`RenderPool.close`)."""
        self.renders.close()

    # -- reading -----------------------------------------------------------------------------

    def get(self, video_id: str) -> JobRecord:
        """The job with this id, or the 404 for an unknown (or malformed) id."""
        if not self._id_pattern.fullmatch(video_id):
            raise not_found(video_id)
        with self._lock:
            job = self._jobs.get(video_id)
        if job is None:
            raise not_found(video_id)
        return job

    def view(self, job: JobRecord, *, just_created: bool = False) -> Video:
        """The job as the API shows it now (status and progress from the clock).

        A job is always ``queued`` in the answer to the request that created it, as on the
        real service, however fast the bundled server may be.
        """
        now = self.settings.clock()
        with self._lock:
            job = self._settle(job, now)
        status, progress = ("queued", 0) if just_created else self._status(job, now)
        error = None
        if status == "failed":
            error = job.blocked or self._render_error(job)
        completed_at = job.completed_at if status in ("completed", "failed") else None
        expires_at = None
        if status == "completed" and completed_at is not None and self.settings.content_ttl:
            expires_at = int(completed_at + self.settings.content_ttl)
        return Video(
            id=job.id,
            object="video",
            model=job.model,
            status=status,
            progress=progress,
            created_at=int(job.created_at),
            completed_at=None if completed_at is None else int(completed_at),
            expires_at=expires_at,
            prompt=job.prompt,
            size=job.size,
            seconds=job.seconds,
            remixed_from_video_id=job.remixed_from_video_id,
            error=error,
            **(_reported(job.metrics) if status == "completed" else {}),
        )

    def poll_after_ms(self, job: JobRecord) -> int:
        """A sensible ``openai-poll-after-ms`` hint: a tenth of a paced job's time, 50 ms to
        5 s; for a real render, about one step's time (100 ms to 2 s)."""
        if self.abilities.paced:
            return int(min(5000, max(50, job.duration * 100)))
        control = self.renders.control(job.id)
        step = control.seconds_per_step if control is not None else None
        return int(min(2000, max(100, (step or 0.25) * 1000)))

    def ordered(self) -> list[JobRecord]:
        """Every job, oldest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.seq)

    def running(self) -> list[JobRecord]:
        """Jobs still queued or in progress."""
        now = self.settings.clock()
        with self._lock:
            jobs = [self._settle(j, now) for j in self.ordered()]
        return [j for j in jobs if self._status(j, now)[0] in ("queued", "in_progress")]

    def content_path(self, job: JobRecord, variant: str) -> Path:
        """The file of a finished job's variant, or the 404 a not-ready video gets."""
        video = self.view(job)
        if video.status != "completed":
            state = (
                "failed and has no content"
                if video.status == "failed"
                else (
                    f"is not ready yet (status {video.status}, {video.progress}%); wait for it to "
                    "complete"
                )
            )
            raise APIError(
                404, f"Video {job.id} {state}.", param="video_id", code="video_not_ready"
            )
        if video.expires_at is not None and self.settings.clock() >= video.expires_at:
            raise APIError(
                404,
                f"The content of video {job.id} has expired; create it again.",
                param="video_id",
                code="video_expired",
            )
        path = self._job_dir(job.id) / VARIANT_FILES[variant]
        if not path.is_file():
            raise APIError(
                404,
                f"The {variant} of video {job.id} is missing on this server.",
                param="variant",
                code="video_not_ready",
            )
        return path

    # -- changing ----------------------------------------------------------------------------

    def create(
        self, new: NewJob, *, idempotency_key: str | None, scope: str
    ) -> tuple[JobRecord, bool]:
        """A new job and True, or, for a repeated idempotency key, the job that key already
        made and False (no second job)."""
        key = f"{scope}:{idempotency_key}" if idempotency_key else None
        with self._lock:
            if key is not None and key in self._by_key:
                self.stats.idempotent_replays += 1
                return self._jobs[self._by_key[key]], False
            cap = self.settings.max_running_jobs
            if cap is not None:
                running = self.running()
                if len(running) >= cap:
                    raise self._too_many(running, cap)
            now = self.settings.clock()
            fingerprint = _fingerprint(new)
            take = self._takes.get(fingerprint, 0) + 1
            self._takes[fingerprint] = take
            block = None
            found = check_prompt(new.prompt, self.settings.blocked)
            if found is not None:
                block = VideoError(code=found.code, message=found.message)
            paced = self.abilities.paced
            generated = new.generated if new.generated is not None else int(new.seconds)
            segments = list(new.segments) if new.segments is not None else None
            if segments and new.kind == "extension":
                # The new segment's take is this job's: a re-roll re-rolls only what it adds.
                segments[-1] = segments[-1].model_copy(update={"take": take})
            job = JobRecord(
                id=self._new_id(),
                seq=max((j.seq for j in self._jobs.values()), default=0) + 1,
                model=new.model,
                prompt=new.prompt,
                size=new.size,
                seconds=new.seconds,
                created_at=now,
                duration=generated * self.settings.time_scale if paced else 0.0,
                take=take,
                fingerprint=fingerprint,
                remixed_from_video_id=new.remixed_from_video_id,
                idempotency_key=key,
                has_reference=new.reference is not None,
                blocked=block,
                kind=new.kind,
                source_video_id=new.source_video_id,
                root_video_id=new.root_video_id,
                characters=list(new.characters),
                segments=segments,
                opaque=new.opaque,
                knobs=dict(new.knobs),
            )
            directory = self._job_dir(job.id)
            directory.mkdir(parents=True)
            if new.reference is not None:
                write_atomic(directory / "reference.bin", new.reference)
            if new.upload is not None:
                write_atomic(directory / SOURCE_FILE, new.upload)
            source_fields.save(directory, new.sources)
            self._jobs[job.id] = job
            if key is not None:
                self._by_key[key] = job.id
            self._save(job)
            self._save_takes()
            self.stats.jobs_created += 1
            if block is None:
                self.renders.submit(job)
        return job, True

    def delete(
        self,
        job: JobRecord,
        *,
        force: bool = False,
        cancel: bool = True,
        remove_files: bool = True,
    ) -> None:
        """Forget a job and remove its files: a completed or failed one, or, when the renderer
        can stop (or ``force``), a queued or running one (its render stops at the next step, or
        its result is dropped). ``cancel=False, remove_files=False`` only forgets the record, as
        SGLang's and FastVideo's DELETE do."""
        status = self.view(job).status
        running = status not in ("completed", "failed")
        if running and not (self.abilities.cancellable or force):
            raise APIError(
                400,
                f"Video {job.id} is {status}; only completed or failed videos can be deleted. "
                "Wait for it to finish first.",
                param="video_id",
                code="invalid_state",
            )
        with self._lock:
            self._jobs.pop(job.id, None)
            if job.idempotency_key:
                self._by_key.pop(job.idempotency_key, None)
        if running and cancel:
            self.renders.stop(job.id)
        if remove_files:
            shutil.rmtree(self._job_dir(job.id), ignore_errors=True)

    # -- machinery ---------------------------------------------------------------------------

    def _status(self, job: JobRecord, now: float) -> tuple[str, int]:
        if job.completed_at is not None:
            failed = job.blocked is not None or job.render_error is not None
            return ("failed" if failed else "completed"), 100
        if self._foreign(job):
            return "failed", 0
        if not self.abilities.paced and job.blocked is None and job.render_error is None:
            control = self.renders.control(job.id)
            if control is None:
                return "queued", 0  # waiting for the one worker
            return "in_progress", min(99, int(control.fraction * 100))
        elapsed = max(0.0, now - job.created_at)
        share = elapsed / job.duration if job.duration > 0 else 1.0
        if job.render_error is not None or (job.blocked is not None and share >= 0.5):
            return "failed", 100 if job.render_error else int(share * 100)
        if share < self.settings.queued_share and elapsed < job.duration:
            return "queued", 0
        if job.duration <= 0:
            # No simulated time: report the render itself as the work in progress.
            return "in_progress", 50
        return "in_progress", max(1, min(99, int(share * 100)))

    def _settle(self, job: JobRecord, now: float) -> JobRecord:
        """Record the moment a job finished, the first time it is seen finished."""
        # The caller's copy may predate its render finishing: read the current record.
        job = self._jobs.get(job.id, job)
        if job.completed_at is not None:
            return job
        done_at: float | None = None
        if job.render_error is not None:
            done_at = job.rendered_at or now
        elif job.blocked is not None:
            if now >= job.created_at + job.duration * 0.5:
                done_at = job.created_at + job.duration * 0.5
        elif job.rendered_at is not None and now >= job.created_at + job.duration:
            done_at = max(job.rendered_at, job.created_at + job.duration)
        if done_at is None:
            return job
        settled = job.model_copy(update={"completed_at": done_at})
        if job.id in self._jobs:
            self._jobs[job.id] = settled
            self._save(settled)
        return settled

    def _too_many(self, running: list[JobRecord], cap: int) -> APIError:
        now = self.settings.clock()
        soonest = min(max(0.0, j.created_at + j.duration - now) for j in running)
        wait = max(1, round(soonest))
        return APIError(
            429,
            f"Too many running tasks: {len(running)} videos are queued or in progress and this "
            f"server runs at most {cap} at once. Wait for one to finish and try again.",
            code="too_many_running_tasks",
            type="rate_limit_error",
            headers={
                "Retry-After": str(wait),
                "retry-after-ms": str(int(max(soonest, 0.05) * 1000)),
            },
        )

    def _foreign(self, job: JobRecord) -> bool:
        """True for an unfinished job of a model this server does not render (made by another
        server over the same folder): it waits for that server, and reads as failed here."""
        models = self.abilities.models
        unfinished = job.rendered_at is None and job.blocked is None
        return unfinished and models is not None and job.model not in models

    def _render_error(self, job: JobRecord) -> VideoError:
        if self._foreign(job):
            return VideoError(
                code="model_not_loaded",
                message=f"This video is being made with {job.model}, which this server does not "
                f"render now (it renders {', '.join(self.abilities.models or ())}). Serve "
                f"{job.model} again over the same folder to finish it.",
            )
        if job.render_error_code is not None:
            return VideoError(code=job.render_error_code, message=job.render_error or "")
        return VideoError(
            code="internal_error",
            message="The bundled server could not render this video "
            f"({job.render_error or 'unknown error'}); create it again.",
        )

    def _job_dir(self, video_id: str) -> Path:
        if not self._id_pattern.fullmatch(video_id):
            raise not_found(video_id)
        path = (self.root / video_id).resolve()
        # Belt and braces: even a valid-looking id must land inside the jobs folder.
        if path.parent != self.root.resolve():
            raise not_found(video_id)
        return path

    def _save(self, job: JobRecord) -> None:
        path = self._job_dir(job.id) / "job.json"
        if path.parent.is_dir():
            write_atomic(path, job.model_dump_json(indent=1).encode())

    def _save_takes(self) -> None:
        write_atomic(self.root / "takes.json", json.dumps(self._takes).encode())

    def _load(self) -> None:
        takes_file = self.root / "takes.json"
        if takes_file.is_file():
            with contextlib.suppress(ValueError):
                self._takes = {
                    str(k): int(v) for k, v in json.loads(takes_file.read_text()).items()
                }
        for path in sorted(self.root.glob("video_*/job.json")):
            try:
                job = JobRecord.model_validate_json(path.read_bytes())
            except ValueError:
                log.warning("ignoring unreadable job file %s", path)
                continue
            if job.id != path.parent.name:
                continue
            self._jobs[job.id] = job
            if job.idempotency_key:
                self._by_key[job.idempotency_key] = job.id
            self._takes[job.fingerprint] = max(self._takes.get(job.fingerprint, 0), job.take)
            if job.blocked is None and job.rendered_at is None and not self._foreign(job):
                # Interrupted by a restart: render it now.
                self.renders.submit(job)


def _fingerprint(new: NewJob) -> str:
    digest = hashlib.sha256()
    for part in (new.model, new.size, new.seconds, new.prompt, new.remixed_from_video_id or ""):
        digest.update(part.encode())
        digest.update(b"\0")
    if new.kind in ("extension", "edit") or new.characters:
        # Only then: creates without them keep the fingerprints (and take numbers) they had.
        made = {"kind": new.kind, "source": new.source_video_id, "cast": list(new.characters)}
        if new.upload is not None:
            made["upload"] = hashlib.sha256(new.upload).hexdigest()
        digest.update(json.dumps(made, sort_keys=True).encode())
    digest.update(hashlib.sha256(new.reference or b"").digest())
    if new.knobs:  # requests without knobs keep the fingerprints (and take numbers) they had
        digest.update(json.dumps(new.knobs, sort_keys=True).encode())
    return digest.hexdigest()


def _reported(metrics: dict[str, Any] | None) -> dict[str, Any]:
    """The measured figures a completed job reports (as vLLM-Omni's jobs do), none if unmeasured."""
    if not metrics:
        return {}
    return {name: value for name, value in metrics.items() if value is not None}
