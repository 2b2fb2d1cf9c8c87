"""Looking at what was made: ``measure`` and ``judge`` a run, ``export`` it, lay takes' chains
out as a grid (``chain_grid``) and read the ``continuity`` at their joins."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sora_nb.notebook import display, kernel
from sora_nb.notebook.functions.settings import session
from sora_nb.research.study import Study
from sora_nb.runs.grid import GridError, GridRun
from sora_nb.runs.take import Take

if TYPE_CHECKING:  # pragma: no cover - annotations only; pandas loads when a table is made
    import pandas as pd

    from sora_nb.notebook.pairwise import PairwiseJudge


def measure(run: GridRun | None = None) -> pd.DataFrame:
    """Measure every finished take of a run (the last one by default) on the CPU: motion,
    sharpness, flicker, colourfulness, cuts, loudness and silence. The numbers are kept in the
    ledger, shown in the run's grid, and returned as its results table (a pandas DataFrame)."""
    from sora_nb.research.metrics import measure_takes

    chosen = _run_or_last(run, "measure")
    found = measure_takes(chosen.takes, session().ledger)
    display.show_metrics(chosen, {take_id: m.summary() for take_id, m in found.items()})
    return Study.of(chosen).results()


def export(
    what: Take | GridRun | None = None,
    kind: str = "html",
    path: str | Path | None = None,
    **options: Any,
) -> Path:
    """Export a run or a take (the last run by default) as ``html``, ``mp4``, ``contact``,
    ``csv`` or ``json``, as ``%sora export KIND`` does; returns the file's path.

    A take exports as a run of one cell. Without ``path`` the file goes to ``sora_exports/``.
    """
    chosen: Take | GridRun = what if what is not None else _run_or_last(None, "export")
    return Study.of(chosen).export(kind, path, **options)


def judge(
    run: GridRun | None = None,
    *,
    blind: bool = True,
    seed: int | None = None,
    cover: tuple[float, float] | Literal["auto"] | None = "auto",
) -> PairwiseJudge:
    """A "which is better?" widget over a run's cells (the last run by default): each vote is
    kept in the ledger with the sides shown, and every axis value is ranked from the votes.

    Blind by default: both takes play together on one clock with nothing that tells them
    apart (no prompt, labels or word counts; the animatic's burned-in captions covered, or the
    ``cover`` fractions of the frame's height, top and bottom), on sides drawn by ``seed`` (a
    random one unless given: pass it again to replay a round). ``blind=False`` names the cells.
    """
    from sora_nb.notebook.pairwise import judge as pairwise

    return pairwise(
        _run_or_last(run, "judge"), session().ledger, blind=blind, seed=seed, cover=cover
    )


def _run_or_last(run: GridRun | None, verb: str) -> GridRun:
    chosen = run or kernel.last_run()
    if chosen is None:
        raise GridError(f"Nothing to {verb} yet: run a grid (or a take) first, or pass one.")
    return chosen


def chain_grid(*takes: Take) -> Study:
    """A grid of the takes' chains: a column per take, a row per step (the video first made,
    then each extension or edit), to see where continuity holds and where it drifts."""
    from sora_nb.runs.chains import chain_grid as grid_of

    return kernel.remember(grid_of([t.chain() for t in takes], run_type=Study))


def continuity(what: Take | GridRun | None = None) -> pd.DataFrame:
    """Continuity at the joins of extended videos (a take's video, every take of a run, or
    of the last run): one row per join, how alike the frames either side of it are in colour
    and in layout (1 the same), as a pandas DataFrame."""
    from sora_nb.research.joins import continuity_table

    chosen = what if what is not None else _run_or_last(None, "read")
    return continuity_table([chosen] if isinstance(chosen, Take) else chosen.takes)
