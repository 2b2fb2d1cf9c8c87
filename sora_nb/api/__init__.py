"""The Videos API: wire types, the async client, typed errors. Knows nothing of notebooks."""
