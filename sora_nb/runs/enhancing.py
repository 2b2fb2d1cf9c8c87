"""Rewrites of a media folder: the enhancer a session asks, and the answers kept on disk.

A rewrite is asked for only when the user asks for one, and asked once: it is cached under
``enhancements/`` in the media folder by brief, endpoint, model and system prompt, so a cell run
again (or a grid that needs the same rewrite twice) sends nothing to the chat endpoint.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from sora_nb.api.enhancer import HOW_TO_NAME, Enhancement, Enhancer, EnhancerError, enhance
from sora_nb.media import write_atomic
from sora_nb.runs.loop import run_sync

#: The folder of the media folder the rewrites are kept in.
FOLDER = "enhancements"


class Rewrites:
    """The media folder's rewrites, and the enhancer that makes new ones (None: none named)."""

    def __init__(self, media_dir: Path, enhancer: Enhancer | None) -> None:
        self.folder = Path(media_dir) / FOLDER
        self.enhancer = enhancer
        #: Rewrites this session asked the endpoint for (not read from disk).
        self.asked = 0

    @classmethod
    def from_env(cls, media_dir: Path, environ: Mapping[str, str] = os.environ) -> Rewrites:
        """The rewrites of ``media_dir`` with the enhancer the environment names (if any)."""
        return cls(media_dir, Enhancer.from_env(environ))

    def __repr__(self) -> str:
        named = self.enhancer.describe() if self.enhancer else "no enhancer named"
        return f"<Rewrites {named}>"

    def rewrite(self, brief: str) -> Enhancement:
        """The enhancer's rewrite of ``brief``: from disk when asked before, else asked now."""
        enhancer = self.enhancer
        if enhancer is None:
            raise EnhancerError(
                f"--enhance needs a prompt enhancer and none is named; {HOW_TO_NAME}."
            )
        path = self.folder / f"{enhancer.cache_key(brief)}.json"
        kept = self._read(path)
        if kept is not None:
            return kept
        made = run_sync(enhance(enhancer, brief))
        self.asked += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, made.model_dump_json(indent=1).encode())
        return made

    @staticmethod
    def _read(path: Path) -> Enhancement | None:
        try:
            return Enhancement.model_validate_json(path.read_bytes())
        except (OSError, ValidationError):
            return None  # not asked yet (or a torn file): ask again
