"""Make docs/images/animatic-subjects.png: the animatic's frame for twenty everyday prompts.

    python scripts/animatic_subjects.py

Each prompt of tests/server/subject_prompts.py is rendered (640x360, 2 s) and the middle frame
of its shot, captions and label included, is laid on a 4x5 sheet with the prompt beneath. It
prints how many prompts got only real drawings (no fallback stand-in).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sora_nb import media  # noqa: E402
from sora_nb.server.renderers.animatic import AnimaticRequest, render  # noqa: E402
from sora_nb.server.renderers.animatic.report import drawings  # noqa: E402
from tests.server.subject_prompts import SUBJECT_PROMPTS  # noqa: E402

TILE = (320, 180)
TEXT = 34  # px under each frame for its prompt
COLUMNS = 4


def main() -> int:
    rows = -(-len(SUBJECT_PROMPTS) // COLUMNS)
    sheet = Image.new("RGB", (TILE[0] * COLUMNS, (TILE[1] + TEXT) * rows), (18, 18, 22))
    pen = ImageDraw.Draw(sheet)
    face = media.font(11)
    matched = 0
    with tempfile.TemporaryDirectory() as folder:
        for i, (prompt, _) in enumerate(SUBJECT_PROMPTS):
            request = AnimaticRequest(prompt, 640, 360, 2)
            drawn = drawings(request)
            matched += bool(drawn) and all(d.key != "fallback" for d in drawn)
            at = drawn[0].frame if drawn else 24
            video = render(request, Path(folder) / str(i)).video
            frame = Image.fromarray(media.decode_frames(video, [at])[at])
            x, y = (i % COLUMNS) * TILE[0], (i // COLUMNS) * (TILE[1] + TEXT)
            sheet.paste(frame.resize(TILE, Image.Resampling.LANCZOS), (x, y))
            line, rest = prompt, ""
            while face.getlength(line) > TILE[0] - 10:
                line, rest = line.rsplit(" ", 1)[0], prompt[len(line.rsplit(" ", 1)[0]) + 1 :]
            pen.text((x + 5, y + TILE[1] + 4), line, font=face, fill=(235, 235, 235))
            pen.text((x + 5, y + TILE[1] + 18), rest, font=face, fill=(235, 235, 235))
    out = ROOT / "docs" / "images" / "animatic-subjects.png"
    sheet.save(out, optimize=True)
    print(f"{out.relative_to(ROOT)}: {matched} of {len(SUBJECT_PROMPTS)} prompts got real drawings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
