"""A copy of the package to break on purpose, for the layer and cycle checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.layers.imports import ARCHITECTURE, PACKAGE


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of sora_nb and the architecture document to break on purpose."""
    copy = tmp_path / "sora_nb"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    (tmp_path / "docs").mkdir()
    shutil.copy(ARCHITECTURE, tmp_path / "docs" / "architecture.md")
    return copy
