"""The media folder: its ``history``, the takes left unfinished (``resume``), its
``character``s, and bundles of takes to and from other machines (``export_bundle``,
``import_bundle``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sora_nb.notebook.functions.settings import session
from sora_nb.runs.characters import CharacterRecord
from sora_nb.runs.grid import GridRun
from sora_nb.runs.take import Take

if TYPE_CHECKING:  # pragma: no cover - annotations only; pandas loads when a table is made
    import pandas as pd


def history(n: int | None = 20, *, all_columns: bool = False) -> pd.DataFrame:
    """The newest ``n`` takes in this media folder (all with None), newest first, as a tidy
    pandas DataFrame, one row per take: when (local time), take, prompt, words, model, size,
    seconds, status, rating, cost and GPU seconds first, then the other columns that have a
    value (``all_columns=True``: every column, empty or not)."""
    from sora_nb.research.results import history_results

    return history_results(session().ledger, n, all_columns=all_columns)


def resume() -> list[Take]:
    """Finish every take left unfinished in this media folder (after a crash or restart)."""
    return session().resume()


def character(
    name: str, clip: str | Path | bytes | None = None, *, consent: bool = False
) -> CharacterRecord:
    """Make a character from a 2 to 4 second clip (16:9 or 9:16) and keep it in the media
    folder: ``sora_nb.character("Maya", "maya.mp4")``; then write Maya in a prompt and pass
    ``characters=["Maya"]`` (``--character Maya``). Made already, nothing is sent again (on a
    new server it is made there from its clip). ``consent=True``: the person filmed agreed."""
    return session().add_character(name, clip, consent=consent)


def characters() -> list[CharacterRecord]:
    """The characters of this media folder: name, clip, thumbnail, and id on each server."""
    return session().characters()


def export_bundle(what: Take | GridRun | Sequence[Take], path: str | Path) -> Path:
    """Pack finished takes (a Take, a GridRun, or a list) into a bundle folder or ``.zip``.

    Another machine imports it with :func:`import_bundle` and replays them with no server.
    """
    from sora_nb.runs import bundle

    if isinstance(what, Take):
        takes = [what]
    elif isinstance(what, GridRun):
        takes = what.takes
    else:
        takes = list(what)
    return bundle.export_bundle(takes, path)


def import_bundle(path: str | Path) -> list[Take]:
    """Bring a bundle's takes into this media folder: the cells that made them replay free."""
    from sora_nb.runs import bundle

    return bundle.import_bundle(path, session().ledger)
