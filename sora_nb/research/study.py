"""Study: a grid run that answers for itself with the research tools (results, rankings, exports).

The runs layer makes plain :class:`~sora_nb.runs.grid.GridRun` objects and knows nothing of
research; the kernel's session is built with ``run_type=Study``, so every run the notebook hands
out (``%%sora``, ``sora_nb.grid``, ``sora_nb.generate(takes=3)``, the studio) is a Study.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sora_nb.prompt import word_count
from sora_nb.research.export import export_run
from sora_nb.research.judgements import Votes
from sora_nb.research.ranking import Method, rankings
from sora_nb.research.results import media_dir_of, results_for
from sora_nb.runs.grid import GridCell, GridPlan, GridRun
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.take import Take

if TYPE_CHECKING:  # pragma: no cover - annotations only; pandas loads when a table is made
    import pandas as pd


class Study(GridRun):
    """A grid run with its results table, pairwise rankings and exports.

    ``study.results()`` and ``study.rankings()`` are pandas DataFrames;
    ``study.export("html" | "mp4" | "contact" | "csv" | "json", path=None)`` writes a file.
    """

    @classmethod
    def of(cls, what: GridRun | Take) -> Study:
        """The same takes as a Study: a run's, or one take as a run of one cell."""
        if isinstance(what, Study):
            return what
        if isinstance(what, GridRun):
            return cls(what.plan, what.takes)
        request = what.request
        cell = GridCell(
            index=0,
            coords=(),
            labels={},
            prompt=request.prompt,
            word_count=word_count(request.prompt),
            requests=(request,),
        )
        return cls(GridPlan(axes=(), cells=(cell,), takes=1), [what])

    def results(self, *, measure: bool = False) -> pd.DataFrame:
        """One tidy row per take: the axes' values, words, cost, timings, ratings, votes and
        metrics (``measure=True`` measures takes not yet measured), as a pandas DataFrame."""
        return results_for(self, measure=measure)

    def continuity(self) -> pd.DataFrame:
        """Continuity at the joins of this run's extended takes: one row per join, with how
        alike the frames either side are in colour and in layout (1 the same), as a pandas
        DataFrame."""
        from sora_nb.research.joins import continuity_table

        return continuity_table(self.takes)

    def rankings(self, *, method: Method = "bradley-terry") -> pd.DataFrame:
        """The pairwise votes on this run ranked per axis value and per cell (Bradley–Terry by
        default, or ``method="elo"``), as a pandas DataFrame; empty rankings before any vote."""
        folder = media_dir_of(self)
        if folder is None:
            return rankings(self, [], method=method)
        ledger = Ledger(folder)
        try:
            with Votes(ledger) as book:
                return rankings(self, book.all(self.takes), method=method)
        finally:
            ledger.close()

    def export(
        self, kind: str, path: Path | str | None = None, *, measure: bool = False, **options: Any
    ) -> Path:
        """Write this run as ``html`` (a self-contained report), ``mp4`` (a labelled mosaic),
        ``contact`` (a contact sheet PNG), ``csv`` or ``json``; returns the file's path.

        Without ``path`` the file goes to ``sora_exports/`` with a time-stamped name; a folder
        as ``path`` gets that name inside it. The same function as ``%sora export KIND``.
        """
        return export_run(self, kind, path, measure=measure, **options)
