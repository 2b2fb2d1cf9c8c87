"""Rendering a job store's jobs in worker threads: submit a job, build the renderer's request
from its record and folder, keep the files it made (or the error it gave), and tidy up after a
render stopped on request. A :class:`~sora_nb.server.jobs.JobStore` holds one
:class:`RenderPool`."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sora_nb import catalog, media
from sora_nb.server.characters import CharacterStore
from sora_nb.server.job_records import SOURCE_FILE, VARIANT_FILES, JobRecord, Stats
from sora_nb.server.renderers.base import (
    RenderCancelled,
    RenderControl,
    Renderer,
    RenderFailed,
    RenderRequest,
)
from sora_nb.server.renderers.preview_slot import PREVIEW_FILE
from sora_nb.server.settings import ServerSettings

log = logging.getLogger("sora_nb.server")


class RenderPool:
    """The render side of a job store: its worker threads, and the renders running on them."""

    def __init__(
        self,
        settings: ServerSettings,
        renderer: Renderer,
        characters: CharacterStore,
        *,
        jobs: dict[str, JobRecord],
        lock: threading.RLock,
        stats: Stats,
        job_dir: Callable[[str], Path],
        save: Callable[[JobRecord], None],
    ) -> None:
        """``jobs``, ``lock`` and ``stats`` are the store's own: a render reads its job's record
        there when it starts, and writes what it made there when it ends (unless the job was
        deleted meanwhile); ``job_dir`` and ``save`` are the store's, for a job's folder and
        record file."""
        self.settings = settings
        self.renderer = renderer
        self.characters = characters
        self.stats = stats
        self._jobs = jobs
        self._lock = lock
        self._job_dir = job_dir
        self._save = save
        self._pending: dict[str, concurrent.futures.Future[None]] = {}
        #: Progress and cancellation of the renders running now, by job id.
        self._live: dict[str, RenderControl] = {}
        most = settings.render_workers
        workers = min(most, renderer.abilities.workers or most)
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="sora-nb-render"
        )

    def control(self, video_id: str) -> RenderControl | None:
        """The progress and cancel switch of a job's render running now, None if none is."""
        with self._lock:
            return self._live.get(video_id)

    def stop(self, video_id: str) -> None:
        """Stop a job's render: one not started never will; one running stops at its next step
        (its thread tidies up)."""
        with self._lock:
            control = self._live.get(video_id)
            future = self._pending.get(video_id)
        if future is not None:
            future.cancel()  # not started yet: it never will
        if control is not None:
            control.cancel()  # running: the render thread stops and tidies up

    def preview(self, video_id: str) -> bytes | None:
        """A job's newest preview: its running render's, else the last one its render kept."""
        control = self.control(video_id)
        data = control.preview.image() if control is not None else None
        if data is not None:
            return data
        kept = self._job_dir(video_id) / PREVIEW_FILE
        return kept.read_bytes() if kept.is_file() else None

    def wait_idle(self, timeout: float | None = None) -> None:
        """Block until every render submitted so far has finished (for tests and shutdown)."""
        with self._lock:
            pending = list(self._pending.values())
        concurrent.futures.wait(pending, timeout=timeout)

    def close(self) -> None:
        """Stop taking renders. A renderer that can stop does so at its next step (the job is
        left unfinished and a new app over the folder renders it again); others finish first."""
        with self._lock:
            controls = list(self._live.values())
        for control in controls:
            control.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, job: JobRecord) -> None:
        """Render ``job`` in a worker thread, after the renders submitted before it."""
        future = self._pool.submit(self._render, job.id)
        self._pending[job.id] = future
        ident = job.id

        def forget(_future: concurrent.futures.Future[None]) -> None:
            with self._lock:
                self._pending.pop(ident, None)

        future.add_done_callback(forget)

    def _render(self, video_id: str) -> None:
        control = RenderControl()
        with self._lock:
            job = self._jobs.get(video_id)
            if job is None:  # deleted meanwhile
                return
            self._live[video_id] = control
        directory = self._job_dir(video_id)
        update: dict[str, Any]
        started = time.perf_counter()
        try:
            result = self.renderer.render(self._request(job, directory), directory, control)
            for variant, produced in (
                ("video", result.video),
                ("thumbnail", result.thumbnail),
                ("spritesheet", result.spritesheet),
            ):
                target = directory / VARIANT_FILES[variant]
                if Path(produced).resolve() != target:
                    os.replace(produced, target)
            _keep_preview(control, directory)
            metrics = None if result.metrics is None else dataclasses.asdict(result.metrics)
            update = {
                "rendered_at": self.settings.clock(),
                "metrics": metrics,
                "render_seconds": round(time.perf_counter() - started, 3),
            }
        except RenderCancelled:
            self._stopped(video_id, directory, control)
            return
        except RenderFailed as exc:  # the renderer says why, and what to try
            log.warning("rendering %s failed: %s", video_id, exc)
            update = {
                "rendered_at": self.settings.clock(),
                "render_error": str(exc),
                "render_error_code": exc.code,
            }
        except Exception as exc:  # a render bug must fail the job, not hang it forever
            log.exception("rendering %s failed", video_id)
            update = {"rendered_at": self.settings.clock(), "render_error": type(exc).__name__}
        finally:
            with self._lock:
                self._live.pop(video_id, None)
        with self._lock:
            current = self._jobs.get(video_id)
            if current is None:
                return
            done = current.model_copy(update=update)
            self._jobs[video_id] = done
            self.stats.renders += 1
            self._save(done)

    def _request(self, job: JobRecord, directory: Path) -> RenderRequest:
        width, height = catalog.parse_size(job.size)
        opening = self._job_dir(job.root_video_id) if job.root_video_id else directory
        reference_file = opening / "reference.bin"
        keep = rework = None
        source = directory / SOURCE_FILE
        if not source.is_file() and job.source_video_id is not None:
            source = self._job_dir(job.source_video_id) / VARIANT_FILES["video"]
        if job.kind == "extension":
            keep = source
        elif job.kind == "edit" and job.opaque:
            rework = source
        reference = reference_file.read_bytes() if reference_file.is_file() else None
        if job.kind == "extension" and job.opaque:
            # No prompt draws the video it continues: its last frame opens the new part.
            reference = media.still(source, -1, width, height)
        return RenderRequest(
            prompt=job.prompt,
            width=width,
            height=height,
            seconds=int(job.seconds),
            model=job.model,
            take=job.take,
            reference=reference,
            options=job.options,
            characters=self.characters.cameos(job.characters),
            segments=tuple(s.segment() for s in job.segments or ()),
            keep=keep,
            rework=rework,
        )

    def _stopped(self, video_id: str, directory: Path, control: RenderControl) -> None:
        """A render stopped on request: tidy up after a DELETE; a job still here (the server
        is closing) stays unfinished, for the next app over this folder."""
        with self._lock:
            deleted = video_id not in self._jobs
            if deleted:
                self.stats.cancelled += 1
                self.stats.steps_at_cancel.append(control.steps_done)
        if deleted:
            shutil.rmtree(directory, ignore_errors=True)
        log.info("render of %s stopped after %d steps", video_id, control.steps_done)


def _keep_preview(control: RenderControl, directory: Path) -> None:
    """Keep a finished render's last preview beside its video: a paced job (the animatic's)
    is still in progress for its clients after its render ended."""
    data = control.preview.image()
    if data is not None:
        media.write_atomic(directory / PREVIEW_FILE, data)
