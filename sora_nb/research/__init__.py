"""Research tools: numbers next to the pictures, judgements that add up, results that leave.

- ``metrics``: local metrics per take (motion, sharpness, flicker, colourfulness, cuts,
  loudness, silence), on the CPU with PyAV and numpy, cached in the ledger.
- ``judgements``: thumbs and notes per take; pairwise votes in the ledger's ``votes`` table.
- ``ranking``: Bradley-Terry (and Elo) rankings per take, cell or axis value.
- ``results``: tidy tables (always pandas DataFrames), CSV and JSON.
- ``study``: ``Study``, a grid run with ``results()``, ``rankings()`` and ``export()``.
- ``mosaic``, ``contact``, ``report``: a labelled MP4 mosaic, a contact sheet PNG and a
  self-contained HTML report; ``export`` reaches all of them by name.

Nothing is imported here, so ``import sora_nb.research`` stays cheap; import the module you use.
"""
