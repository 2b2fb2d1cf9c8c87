"""The animatic renderer: a prompt turned into a storyboard video with sound, offline.

``render(AnimaticRequest(...), out_dir)`` writes video.mp4 (H.264/AAC, 24 fps, the exact size
and length asked), thumbnail.webp and spritesheet.jpg, and returns their paths;
:class:`AnimaticRenderer` is the same drawing behind the bundled server's renderer interface.
"""

from __future__ import annotations

from sora_nb.server.renderers.animatic.render import render
from sora_nb.server.renderers.animatic.renderer import AnimaticRenderer
from sora_nb.server.renderers.animatic.request import FPS, AnimaticFiles, AnimaticRequest

__all__ = ["FPS", "AnimaticFiles", "AnimaticRenderer", "AnimaticRequest", "render"]
