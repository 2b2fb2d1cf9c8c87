"""Shared pieces of the reliability suite: a request-counting transport and disk checks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx


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
