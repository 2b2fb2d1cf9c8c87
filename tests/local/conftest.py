"""Tiny random-weight video pipelines, built in code and saved like real ones, for the diffusers
renderer's tests; and bundled-server apps that render with them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

# One torch thread in this process and in the servers and kernels it starts. On a machine shared
# with other work, two threads spinning at OpenMP's barriers ran a tiny step 30 to 70 times
# slower than one; set before torch is first imported, which happens in the fixtures below.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from sora_nb.server import ServerSettings, create_app
from sora_nb.server.renderers.diffusers import DiffusersOptions, open_renderer
from sora_nb.server.renderers.diffusers.tiny import TinyKind, build_tiny


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Callable[[TinyKind], Path]:
    """``tiny("wan")``: the folder of a tiny pipeline of that kind, built once per test run.

    Folders are named ``<kind>-tiny``, which is also the model name the server answers to.
    """
    import torch

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("tiny-models")
    built: dict[str, Path] = {}

    def folder(kind: TinyKind) -> Path:
        if kind not in built:
            built[kind] = build_tiny(kind, root / f"{kind}-tiny")
        return built[kind]

    return folder


@pytest.fixture
def local_app(
    tiny: Callable[[TinyKind], Path], tmp_path: Path
) -> Iterator[Callable[..., Starlette]]:
    """``local_app("wan")``: a bundled-server app rendering with that tiny model."""
    apps: list[Starlette] = []

    def make(
        kind: TinyKind, *, media: Path | None = None, lora_dir: Path | None = None, **settings: Any
    ) -> Starlette:
        folder = str(lora_dir) if lora_dir is not None else None
        renderer = open_renderer(DiffusersOptions(model=str(tiny(kind)), lora_dir=folder))
        app = create_app(
            ServerSettings(media_dir=media or tmp_path / "server", renderer=renderer, **settings)
        )
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.server.close()
