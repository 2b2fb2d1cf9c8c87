"""Shared pieces of the reliability suite: a request-counting transport, disk checks, and a
studio (an IPython shell with sora_nb over a media folder that already holds a take)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import struct
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from IPython.core.interactiveshell import InteractiveShell
from PIL import Image
from starlette.applications import Starlette

import sora_nb.server
from sora_nb.notebook import functions, kernel
from sora_nb.runs.session import Session
from sora_nb.server import ServerSettings


@dataclass
class Counting(httpx.AsyncBaseTransport):
    """Passes requests through and counts them by method and path, as the server saw them."""

    inner: httpx.AsyncBaseTransport
    sent: Counter[str] = field(default_factory=Counter)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        kind = "content" if path.endswith("/content") else path.rsplit("/", 1)[-1]
        self.sent[f"{request.method} {'job' if kind.startswith('video_') else kind}"] += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def partial_files(root: Path) -> list[Path]:
    """Temporary or empty files left under ``root``: what an interrupted write leaves behind."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and ".sqlite3" not in path.name  # SQLite's WAL and shared-memory files may be empty
        and (path.name.endswith((".part", ".tmp")) or path.stat().st_size == 0)
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes (to prove nothing changed)."""
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


PROMPT = "A red kite over the dunes, wide shot."
ENV = ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY", "SORA_NB_HOME")


@dataclass
class Studio:
    """A notebook's world: an IPython shell with sora_nb, a media folder, a bundled server."""

    shell: InteractiveShell
    root: Path
    apps: list[Starlette] = field(default_factory=list)

    @property
    def media(self) -> Path:
        return self.root / "media"

    @property
    def server(self) -> Path:
        return self.root / "server"

    def configure(self, **settings: Any) -> Session:
        return functions.configure(
            media_dir=self.media,
            bundled=ServerSettings(media_dir=self.server, time_scale=0),
            **settings,
        )

    def cell(self, line: str, body: str = PROMPT) -> Any:
        return self.shell.run_cell_magic("sora", line, body)  # type: ignore[no-untyped-call]

    def line(self, text: str) -> Any:
        return self.shell.run_line_magic("sora", text)

    def requests_sent(self) -> int:
        """Requests any bundled server made during the test received (0: nothing was sent),
        not counting reads of /v1/models: asking a server what it serves sends no work."""
        return sum(app.state.server.stats.requests - app.state.model_reads[0] for app in self.apps)

    def state(self) -> tuple[dict[str, bytes], object]:
        """Every file's bytes and every ledger row: equal before and after means nothing lost."""
        files = {k: v for k, v in tree(self.root).items() if "ledger.sqlite3" not in k}
        ledger = self.media / "ledger.sqlite3"
        try:
            with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True) as db:
                rows: object = db.execute(
                    "SELECT id, status, job_id, cost, error_code FROM takes ORDER BY id"
                ).fetchall()
        except sqlite3.DatabaseError:
            rows = ledger.read_bytes()  # an unreadable ledger must at least stay untouched
        return files, rows


def claimed_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A media folder and server folder holding one completed take, made once per module."""
    root = tmp_path_factory.mktemp("template")
    saved = {name: os.environ.pop(name, None) for name in ENV}
    try:
        kernel.reset()
        functions.configure(
            media_dir=root / "media",
            bundled=ServerSettings(media_dir=root / "server", time_scale=0),
        )
        assert functions.generate(PROMPT).ok  # type: ignore[union-attr]
    finally:
        kernel.reset()
        os.environ.update({k: v for k, v in saved.items() if v is not None})
    # Takes still in memory may hold the ledger open in WAL mode, and its -wal and -shm files
    # vanish whenever the last connection closes: fold the log into the database now, so each
    # test copies a whole ledger without them (a copy racing that close once lost a file).
    with contextlib.closing(sqlite3.connect(root / "media" / "ledger.sqlite3")) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    Image.new("RGB", (640, 480), "teal").save(root / "small.png")
    Image.new("RGB", (1280, 720), "teal").save(root / "frame.gif")
    (root / "notes.png").write_bytes(b"these are notes, not an image")
    whole = (root / "small.png").read_bytes()
    (root / "cut.png").write_bytes(whole[: len(whole) // 2])
    (root / "bomb.png").write_bytes(claimed_png(30_000, 30_000))
    with (root / "huge.png").open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)  # sparse: 21 MB on paper, nothing on disk
    (root / "blocker").write_text("a file where a folder should be")
    return root


def _counting(endpoint: Any, reads: list[int]) -> Any:
    """An ASGI endpoint that counts the requests it answers in ``reads[0]``."""

    async def counted(scope: Any, receive: Any, send: Any) -> None:
        reads[0] += 1
        await endpoint(scope, receive, send)

    return counted


@pytest.fixture
def studio(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Studio]:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "studio"
    shutil.copytree(template, root, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    monkeypatch.chdir(root)
    apps: list[Starlette] = []
    real_create_app = sora_nb.server.create_app

    def recording_create_app(settings: ServerSettings) -> Starlette:
        app = real_create_app(settings)
        reads = app.state.model_reads = [0]
        inner = app.router.routes
        for route in inner:
            if getattr(route, "path", "").startswith("/v1/models"):
                route.app = _counting(route.app, reads)  # type: ignore[attr-defined]
        apps.append(app)
        return app

    # Every bundled server the session builds is recorded, so its request counter can be read.
    monkeypatch.setattr(sora_nb.server, "create_app", recording_create_app)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "sora_nb")
    magics = shell.magics_manager.registry["SoraMagics"]
    magics.media_dir = str(root / "media")
    kernel.reset()
    studio = Studio(shell, root, apps)
    studio.configure()
    yield studio
    for app in apps:
        app.state.server.close()
    shell.user_ns.pop("pending", None)
    for name in ("model", "size", "seconds", "takes", "media_dir", "server", "budget", "wait"):
        magics.traits()[name].set(magics, magics.traits()[name].default_value)
    kernel.reset()
