"""The bands the blind judge covers hold every caption the bundled animatic burns in."""

from __future__ import annotations

import pytest

from sora_nb.notebook.pairwise import ANIMATIC_BANDS
from sora_nb.prompt import parse
from sora_nb.server.renderers.animatic import storyboard
from sora_nb.server.renderers.animatic.render import _Captions
from sora_nb.server.renderers.animatic.request import AnimaticRequest

#: Two shots with different lenses and moves (the captions that give a long prompt away), and a
#: spoken line long enough to wrap its subtitle onto three rows.
PROMPT = """A lighthouse keeper climbs the spiral stairs at dusk, lantern in hand.
Shot 1: wide shot, 24 mm lens, slow push-in.
Shot 2: close-up, 85 mm lens, handheld.
Dialogue:
- Keeper: "Every night the same hundred and twelve steps, and every night the sea is louder
  than the night before, and every night I count them twice."
"""


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (1792, 1024), (1024, 1792)])
def test_every_burned_in_caption_lies_in_the_covered_bands(size: tuple[int, int]) -> None:
    width, height = size
    request = AnimaticRequest(prompt=PROMPT, width=width, height=height, seconds=4, variation=7)
    board = storyboard.plan(parse(PROMPT), request)
    captions = _Captions(board)
    top, bottom = ANIMATIC_BANDS
    assert len(board.shots) == 2 and board.subtitles
    rows = 0
    for shot in board.shots:
        for frame in range(shot.start, shot.stop):
            for strip in captions.strips(frame, shot.number):
                inside_top = strip.y + strip.height <= top * height
                inside_bottom = strip.y >= (1 - bottom) * height
                assert inside_top or inside_bottom, (size, frame, strip.y, strip.height)
                rows = max(rows, strip.height)
    # The subtitle wrapped (rows of text are the tallest strip), so the bottom band was tested.
    assert rows > captions.size * 3
