"""The Python face of sora_nb: ``generate``, ``grid``, ``models``, ``history`` and friends.

These are the same powers as ``%%sora``: both build a plan through the kernel's one
:class:`~sora_nb.runs.session.Session` and hand it to its runner. What a call does not say
(model, size, seconds, takes) comes from the session's defaults (``configure(model=...)``,
``%config SoraMagics.model``, ``SORA_NB_MODEL``). Blocking calls run on sora_nb's private
event-loop thread; the ``a``-prefixed forms are for top-level ``await``. Only the public face
is here; the kernel's plumbing lives in :mod:`sora_nb.notebook.kernel`.

The functions are grouped by what they do: :mod:`.settings` (the session and its settings, the
model catalog), :mod:`.generation` (plans, takes, grids, extensions and edits),
:mod:`.review` (measuring, judging and exporting runs, chains and continuity) and
:mod:`.folder` (the media folder's history, unfinished takes, characters and bundles).
"""

from sora_nb.notebook.functions.folder import (
    character,
    characters,
    export_bundle,
    history,
    import_bundle,
    resume,
)
from sora_nb.notebook.functions.generation import Vary as Vary
from sora_nb.notebook.functions.generation import (
    agenerate,
    agrid,
    edit,
    extend,
    generate,
    grid,
    plan,
)
from sora_nb.notebook.functions.review import chain_grid, continuity, export, judge, measure
from sora_nb.notebook.functions.settings import configure, enhancer, models, session

__all__ = [
    "agenerate",
    "agrid",
    "chain_grid",
    "character",
    "characters",
    "configure",
    "continuity",
    "edit",
    "enhancer",
    "export",
    "export_bundle",
    "extend",
    "generate",
    "grid",
    "history",
    "import_bundle",
    "judge",
    "measure",
    "models",
    "plan",
    "resume",
    "session",
]
