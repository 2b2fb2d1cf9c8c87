"""Where each cell of a grid goes in a picture, and the headers that name the axes' values.

The mosaic MP4 and the contact sheet share this: columns are the first axis's values, rows the
second's, one picture per page of the third. Headers are drawn once with Pillow into a
background the cells are pasted over.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from sora_nb.media import Font, font
from sora_nb.runs.grid import GridPlan
from sora_nb.runs.take import Take

BACKGROUND = (18, 18, 22)
HEADER = (34, 36, 44)
TEXT = (240, 240, 240)
MUTED = (150, 152, 160)
PLACEHOLDER = (60, 60, 66)
GAP = 4


@dataclass(frozen=True)
class Slot:
    """One cell's place: the take shown there, its box and the caption under it."""

    cell: int
    take: Take | None
    x: int
    y: int
    caption: str


@dataclass(frozen=True)
class Layout:
    """A page of a grid laid out: canvas size, cell size, slots and the painted background."""

    width: int
    height: int
    cell_width: int
    cell_height: int
    slots: tuple[Slot, ...]
    #: Header band height (column labels) and left band width (row labels), in pixels.
    header: int
    margin: int
    background: Image.Image


def grid_layout(
    plan: GridPlan,
    takes: Sequence[Take],
    *,
    cell_width: int = 640,
    page: int = 0,
    take: int = 1,
) -> Layout:
    """Lay out one page of a grid: one take per cell (take number ``take``), headers drawn.

    ``takes`` are the run's takes in plan order (cell by cell, take by take).
    """
    if not 1 <= take <= plan.takes:
        raise ValueError(f"take is between 1 and {plan.takes} for this grid, not {take}.")
    pages = len(plan.axes[2].values) if len(plan.axes) > 2 else 1
    if not 0 <= page < pages:
        raise ValueError(f"page is between 0 and {pages - 1} for this grid, not {page}.")
    cells = [c for c in plan.cells if len(c.coords) < 3 or c.coords[2] == page]
    if plan.axes:
        columns = len(plan.axes[0].values)
        rows = len(plan.axes[1].values) if len(plan.axes) > 1 else 1
    else:
        columns = math.ceil(math.sqrt(len(cells)))
        rows = math.ceil(len(cells) / columns)
    width0, height0 = (int(v) for v in plan.cells[0].requests[0].size.split("x"))
    cell_w = _even(cell_width)
    cell_h = _even(round(cell_w * height0 / width0))
    header = _even(max(28, round(min(cell_w, cell_h) * 0.13)))
    size = header * 11 // 20
    head_font, small_font = font(size), font(max(10, size * 3 // 4))
    col_labels, row_labels = axis_labels(plan, 0), axis_labels(plan, 1)
    captions = _captions(plan)
    caption_h = _even(round(size * 1.5)) if any(captions.values()) else 0
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    margin = 0
    if len(plan.axes) > 1:
        widest = max(probe.textlength(text, font=head_font) for text in row_labels)
        margin = _even(int(min(cell_w * 0.6, max(header * 2, widest + header))))
    width = _even(margin + columns * cell_w + (columns - 1) * GAP)
    height = _even(header + rows * (cell_h + caption_h) + (rows - 1) * GAP)
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, header - 1), fill=HEADER)
    if margin:
        draw.rectangle((0, 0, margin - 1, height), fill=HEADER)
        corner = f"{plan.axes[1].name} \\ {plan.axes[0].name}"
        _text(draw, (margin // 2, header // 2), corner, small_font, MUTED, margin - 8)
    for i, text in enumerate(col_labels):
        x = margin + i * (cell_w + GAP)
        _text(draw, (x + cell_w // 2, header // 2), text, head_font, TEXT, cell_w - 8)
    for j, text in enumerate(row_labels):
        y = header + j * (cell_h + caption_h + GAP)
        _text(draw, (margin // 2, y + cell_h // 2), text, head_font, TEXT, margin - 8)
    per = plan.takes
    slots = []
    for position, cell in enumerate(cells):
        col, row = (
            (cell.coords[0], cell.coords[1] if len(cell.coords) > 1 else 0)
            if plan.axes
            else (
                position % columns,
                position // columns,
            )
        )
        x, y = margin + col * (cell_w + GAP), header + row * (cell_h + caption_h + GAP)
        chosen = takes[cell.index * per + take - 1] if len(takes) > cell.index * per else None
        ready = chosen is not None and chosen.status == "completed" and chosen.video_path.is_file()
        draw.rectangle((x, y, x + cell_w - 1, y + cell_h - 1), fill=PLACEHOLDER)
        if not ready:
            status = chosen.status if chosen is not None else "missing"
            _text(draw, (x + cell_w // 2, y + cell_h // 2), status, head_font, MUTED, cell_w - 8)
        caption = captions.get(cell.index, "")
        if caption:
            _text(
                draw,
                (x + cell_w // 2, y + cell_h + caption_h // 2),
                caption,
                small_font,
                MUTED,
                cell_w,
            )
        slots.append(Slot(cell.index, chosen if ready else None, x, y, caption))
    return Layout(width, height, cell_w, cell_h, tuple(slots), header, margin, image)


def background_array(layout: Layout) -> np.ndarray[tuple[int, int, int], np.dtype[np.uint8]]:
    """The painted background as an RGB array to copy cells into."""
    return np.array(layout.background, dtype=np.uint8)


def axis_labels(plan: GridPlan, axis: int) -> list[str]:
    """Header texts along axis ``axis`` (0 columns, 1 rows, 2 pages); a length axis also says
    how many words its prompts have (``short · 11 words``) when that is the same down the axis."""
    if len(plan.axes) <= axis:
        return []
    found = plan.axes[axis]
    texts = []
    for i, value in enumerate(found.values):
        text = value
        if found.kind == "length":
            counts = {c.word_count for c in plan.cells if c.coords[axis] == i}
            if len(counts) == 1:
                text = f"{value} · {_words(counts.pop())}"
        texts.append(text)
    return texts


def _captions(plan: GridPlan) -> dict[int, str]:
    """Per-cell word counts, when a length axis has them varying within a header."""
    length = next((i for i, a in enumerate(plan.axes) if a.kind == "length"), None)
    if length is None:
        return {}
    uniform = all(
        len({c.word_count for c in plan.cells if c.coords[length] == i}) == 1
        for i in range(len(plan.axes[length].values))
    )
    if uniform:
        return {}
    return {cell.index: _words(cell.word_count) for cell in plan.cells}


def _words(count: int) -> str:
    return f"{count} word" + ("" if count == 1 else "s")


def _text(
    draw: ImageDraw.ImageDraw,
    centre: tuple[int, int],
    text: str,
    face: Font,
    fill: tuple[int, ...],
    room: float,
) -> None:
    """Draw ``text`` centred at ``centre``, shortened with an ellipsis to fit ``room`` px."""
    shown, keep = text, len(text)
    while keep > 0 and draw.textlength(shown, font=face) > room:
        keep -= 1
        shown = text[:keep].rstrip() + "…"
    draw.text(centre, shown, font=face, fill=fill, anchor="mm")


def _even(value: int) -> int:
    return max(2, value - value % 2)
