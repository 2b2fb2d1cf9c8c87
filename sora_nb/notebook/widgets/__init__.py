"""Widgets that show takes: the Player (one take) and the Grid (many takes on one clock)."""

from sora_nb.notebook.widgets.grid import CellMedia, Grid
from sora_nb.notebook.widgets.player import Player

__all__ = ["CellMedia", "Grid", "Player"]
