"""Takes and grids: the request model, the ledger, the cache, cost and budgets, the runner."""

# A take opens its media folder's ledger through ``take.open_ledger``, which the ledger module
# sets when imported: importing it with the package sets it before any take can ask.
from sora_nb.runs import ledger as _ledger  # noqa: F401
