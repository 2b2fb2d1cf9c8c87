"""Reading a character from its clip: who stands out from the backdrop, their outline and colours.

A character clip is filmed against a plain backdrop (a wall, a sheet), as the service asked.
The backdrop is the colour of the frame's edges; the subject is what differs from it in most of
a few frames spread over the clip. From the subject come the character's outline (its top and
bottom edge, column by column) and its palette (the colour of its top, middle and lower parts,
and its most vivid colour). The animatic draws the character from these, so the same figure
appears in every shot and video that names it.

This is plain pixel statistics, not a model: a subject that is the colour of its backdrop, or
a clip with no backdrop at all, is refused with what to film instead.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

import av
import numpy as np
import numpy.typing as npt

from sora_nb import media
from sora_nb.server.renderers.base import Cameo

#: Frames read from the clip, and the width they are read at.
FRAMES = 8
WIDTH = 160
#: How far (RGB distance) a pixel must be from the backdrop to count as the subject.
SUBJECT_DISTANCE = 48.0
#: Columns of the outline the animatic draws.
OUTLINE_COLUMNS = 48
#: The subject must cover this share of the frame to be read.
MIN_SUBJECT = 0.01
#: The most colour bands a character is drawn in (hat, face, coat, trousers).
MAX_BANDS = 4

Pixels = npt.NDArray[np.uint8]


class ClipUnreadable(ValueError):
    """The clip shows no subject that can be told from its backdrop; the message says why."""


@dataclass(frozen=True)
class Reading:
    """What a clip shows: the character's look, how much of its subject is skin, the share of
    the frame it fills, and a still of it."""

    cameo: Cameo
    skin_share: float
    fill: float
    still: Pixels


def read_clip(content: bytes, name: str) -> Reading:
    """Read ``name``'s look from the clip ``content``, or raise :class:`ClipUnreadable`."""
    frames = _frames(content)
    stack = np.stack(frames).astype(np.float32)
    backdrop = _backdrop(stack)
    distance = np.sqrt(((stack - backdrop) ** 2).sum(axis=-1))
    subject = (distance > SUBJECT_DISTANCE).mean(axis=0) >= 0.5
    fill = float(subject.mean())
    if fill < MIN_SUBJECT:
        raise ClipUnreadable(
            "Nobody stands out from the backdrop in this clip: film the character against a "
            "plain wall or sheet of another colour, filling about a third of the frame."
        )
    rows = np.flatnonzero(subject.mean(axis=1) > 0.01)
    cols = np.flatnonzero(subject.mean(axis=0) > 0.01)
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    box = subject[top:bottom, left:right]
    middle = frames[len(frames) // 2][top:bottom, left:right]
    height, width = box.shape
    palette, bands = _palette(middle, box)
    cameo = Cameo(
        name=name,
        palette=palette,
        outline=_outline(box),
        aspect=round(height / max(1, width), 3),
        bands=bands,
    )
    pixels = middle[box]
    return Reading(cameo=cameo, skin_share=_skin_share(pixels), fill=fill, still=middle)


def _frames(content: bytes) -> list[Pixels]:
    info = media.probe(content)
    height = max(2, round(WIDTH * info.height / max(1, info.width)) // 2 * 2)
    wanted = set(media.sample_indices(info.frame_count, FRAMES))
    frames: list[Pixels] = []
    with av.open(io.BytesIO(content)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index in wanted:
                rgb = frame.to_ndarray(format="rgb24", width=WIDTH, height=height)
                frames.append(np.asarray(rgb, np.uint8))
    if not frames:
        raise ClipUnreadable("The clip has no frames that can be decoded; send a complete MP4.")
    return frames


def _backdrop(stack: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The backdrop's colour: the median of the frames' edges (a ring 6% wide)."""
    _, h, w, _ = stack.shape
    ring = max(1, round(0.06 * min(h, w)))
    edges = np.concatenate(
        [
            stack[:, :ring].reshape(-1, 3),
            stack[:, -ring:].reshape(-1, 3),
            stack[:, :, :ring].reshape(-1, 3),
            stack[:, :, -ring:].reshape(-1, 3),
        ]
    )
    backdrop: npt.NDArray[np.float32] = np.median(edges, axis=0).astype(np.float32)
    return backdrop


def _outline(box: npt.NDArray[np.bool_]) -> tuple[tuple[float, float] | None, ...]:
    height, width = box.shape
    outline: list[tuple[float, float] | None] = []
    for i in range(OUTLINE_COLUMNS):
        x0 = int(i * width / OUTLINE_COLUMNS)
        x1 = max(x0 + 1, int((i + 1) * width / OUTLINE_COLUMNS))
        column = box[:, x0:x1].any(axis=1)
        found = np.flatnonzero(column)
        if found.size == 0:
            outline.append(None)
            continue
        outline.append((round(found[0] / height, 4), round((found[-1] + 1) / height, 4)))
    return tuple(outline)


def _palette(
    pixels: Pixels, box: npt.NDArray[np.bool_]
) -> tuple[tuple[tuple[int, int, int], ...], tuple[float, ...]]:
    """The subject's colours from top to bottom (hat, face, coat, trousers...: up to four
    bands where its colour changes most) and where each band ends, as fractions of its height.
    """
    height = box.shape[0]
    counts = box.sum(axis=1)
    rows = [i for i in range(height) if counts[i] > 0]
    means = np.array([pixels[i][box[i]].mean(axis=0) for i in rows], dtype=np.float64)
    weights = counts[rows].astype(np.float64)
    cuts = _bands(means, weights, most=MAX_BANDS)
    edges = [0, *cuts, len(rows)]
    colours = []
    for start, stop in itertools.pairwise(edges):
        chosen = np.concatenate([pixels[rows[i]][box[rows[i]]] for i in range(start, stop)])
        colours.append(_rgb(np.median(chosen, axis=0)))
    ends = tuple(round(rows[cut] / height, 4) for cut in cuts)
    return tuple(colours), ends


def _bands(
    means: npt.NDArray[np.float64], weights: npt.NDArray[np.float64], most: int
) -> list[int]:
    """Where to cut rows of colour into at most ``most`` bands, each as even in colour as can
    be (least weighted squared error, by dynamic programming); a cut that does not reduce the
    error by a tenth of the whole is not made."""
    n = len(means)
    if n < 2:
        return []
    w = np.concatenate([[0.0], np.cumsum(weights)])
    wx = np.concatenate([np.zeros((1, 3)), np.cumsum(means * weights[:, None], axis=0)])
    wxx = np.concatenate([[0.0], np.cumsum((means**2).sum(axis=1) * weights)])

    def cost(i: int, j: int) -> float:  # rows i..j-1 as one band
        total = w[j] - w[i]
        if total <= 0:
            return 0.0
        mean = (wx[j] - wx[i]) / total
        return float(wxx[j] - wxx[i] - total * (mean**2).sum())

    shortest = max(1, n // 20)
    best = [[np.inf] * (n + 1) for _ in range(most + 1)]
    back = [[0] * (n + 1) for _ in range(most + 1)]
    best[0][0] = 0.0
    for k in range(1, most + 1):
        for j in range(shortest, n + 1):
            for i in range(k - 1, j - shortest + 1):
                if best[k - 1][i] == np.inf:
                    continue
                value = best[k - 1][i] + cost(i, j)
                if value < best[k][j]:
                    best[k][j], back[k][j] = value, i
    whole = best[1][n] or 1.0
    chosen = 1
    for k in range(2, most + 1):
        if best[k - 1][n] - best[k][n] > 0.1 * whole:
            chosen = k
    cuts = []
    j = n
    for k in range(chosen, 1, -1):
        j = back[k][j]
        cuts.append(j)
    return sorted(cuts)


def _rgb(values: npt.NDArray[np.floating] | npt.NDArray[np.integer]) -> tuple[int, int, int]:
    r, g, b = (round(float(v)) for v in values[:3])
    return (r, g, b)


def _skin_share(pixels: Pixels) -> float:
    """The share of ``pixels`` in skin tones, by Peer et al.'s RGB rule (2003): the simulated
    face check's only evidence."""
    if pixels.size == 0:
        return 0.0
    rgb = pixels.astype(np.int16)
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    spread = rgb.max(axis=1) - rgb.min(axis=1)
    skin = (r > 95) & (g > 40) & (b > 20) & (spread > 15) & (np.abs(r - g) > 15) & (r > g) & (r > b)
    return float(skin.mean())
