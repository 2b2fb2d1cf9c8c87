"""Real takes for research tests: grids run through the Runner on the in-process bundled server."""

from __future__ import annotations

import asyncio
import concurrent.futures
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy
from sora_nb.runs.grid import Axis, GridPlan, GridRun, plan_grid
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.runner import Runner
from sora_nb.server import ServerSettings, create_app

PROMPT = """A courier crosses a rooftop garden in the city at dusk.
Camera: medium shot, slow push in, 35mm lens
Lighting: warm key light from the left, soft fill
Palette: teal, amber, sand
Mood: hopeful
Background Sound: wind, footsteps, upbeat music"""
FAST_POLL = PollPolicy(floor=0.02, ceiling=0.05, min_hint=0.01)


@dataclass
class Studio:
    """A media folder with its ledger and one finished grid."""

    ledger: Ledger
    run: GridRun


def run_grid(root: Path, plan: GridPlan) -> Studio:
    """Run every cell of ``plan`` on a fresh bundled server and ledger under ``root``."""
    ledger = Ledger(root / "media")

    async def go() -> GridRun:
        app = create_app(ServerSettings(media_dir=root / "server", time_scale=0))
        client = VideosClient(transport=httpx.ASGITransport(app=app), poll=FAST_POLL)
        try:
            runner = Runner(client, ledger, server="local")
            return GridRun(plan, await runner.run(plan.requests))
        finally:
            await client.aclose()

    # On a thread of its own: a browser test's Playwright may already run an event loop here.
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        run = worker.submit(asyncio.run, go()).result(timeout=240)
    assert all(take.status == "completed" for take in run.takes)
    return Studio(ledger, run)


def two_by_two(seconds: int = 4) -> GridPlan:
    """length=short,long (columns) x sr=dusk,noon (rows)."""
    axes = [Axis.parse("length", ["short", "long"]), Axis.parse("sr", ["dusk", "noon"])]
    return plan_grid(PROMPT, axes, seconds=seconds)


@pytest.fixture(scope="session")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    """A finished 2x2 grid of 4 s 720p takes (tests may rate them; none deletes them)."""
    return run_grid(tmp_path_factory.mktemp("studio"), two_by_two())


@pytest.fixture(scope="session")
def three_by_three(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    """A finished 3x3 grid of 8 s 720p takes: length=short,medium,long x sr=dusk,dawn,noon."""
    axes = [
        Axis.parse("length", ["short", "medium", "long"]),
        Axis.parse("sr", ["dusk", "dawn", "noon"]),
    ]
    return run_grid(tmp_path_factory.mktemp("nine"), plan_grid(PROMPT, axes, seconds=8))
