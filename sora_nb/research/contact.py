"""A contact sheet: one still per cell of a grid, with the same headers as the mosaic, as a PNG."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from sora_nb import media
from sora_nb.media import font
from sora_nb.research.layout import TEXT, grid_layout
from sora_nb.runs.grid import GridRun
from sora_nb.runs.take import Take

#: Marks for a cell's thumbs (the grid widget's ratings), drawn in its top-left corner.
MARKS = {1: "▲ good", -1: "▼ bad"}


def contact_sheet(
    run: GridRun,
    out_path: Path | str | None = None,
    *,
    cell_width: int = 480,
    page: int = 0,
    take: int = 1,
) -> bytes:
    """Make a PNG of one frame per cell (a third of the way in), headed like the grid.

    Returns the PNG bytes, and writes them to ``out_path`` when given. Thumbs up or down
    given in the grid are marked on their cells.
    """
    layout = grid_layout(run.plan, run.takes, cell_width=cell_width, page=page, take=take)
    sheet = layout.background.copy()
    draw = ImageDraw.Draw(sheet)
    face = font(max(12, layout.header // 2))
    for slot in layout.slots:
        if slot.take is None:
            continue
        still = _still(slot.take).resize(
            (layout.cell_width, layout.cell_height), Image.Resampling.LANCZOS
        )
        sheet.paste(still, (slot.x, slot.y))
        mark = MARKS.get(slot.take.rating or 0)
        if mark:
            box = draw.textbbox((slot.x + 8, slot.y + 8), mark, font=face)
            draw.rectangle((box[0] - 4, box[1] - 3, box[2] + 4, box[3] + 3), fill=(0, 0, 0))
            draw.text((slot.x + 8, slot.y + 8), mark, font=face, fill=TEXT)
    out = io.BytesIO()
    sheet.save(out, "PNG", optimize=False)
    data = out.getvalue()
    if out_path is not None:
        media.write_atomic(Path(out_path), data)
    return data


def _still(take: Take) -> Image.Image:
    info = media.probe(take.video_path)
    index = media.thumbnail_index(info.frame_count)
    return Image.fromarray(media.decode_frames(take.video_path, [index])[index], "RGB")
