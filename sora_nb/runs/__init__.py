"""Takes and grids: the request model, the ledger, the cache, cost and budgets, the runner."""
