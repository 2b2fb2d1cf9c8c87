"""Widgets: the Player (one take), the Grid (many takes on one clock) and the prompt Studio."""

from sora_nb.notebook.widgets.grid import Grid
from sora_nb.notebook.widgets.player import Player
from sora_nb.notebook.widgets.studio import Studio

__all__ = ["Grid", "Player", "Studio"]
