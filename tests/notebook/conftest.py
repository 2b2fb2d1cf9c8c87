"""Notebook-layer tests: the kernel's media folder lands in a temporary folder, never in the
checkout (a Studio made without a session uses the kernel's)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SORA_NB_HOME", str(tmp_path / "sora_media"))
