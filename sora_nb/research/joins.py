"""Continuity at the joins: how alike the two frames either side of an extension's join are.

An extended video is its source followed by what each extension added. Where the pieces meet,
continuity holds when the frame after the join looks like the one before it: the same colours
(the light, the palette, the characters' clothes) and the same layout (where light and dark
sit: the horizon, the figure, the set). Two readings per join, both 1 for identical frames:

- ``colour``: one minus the distance between the frames' colour histograms (hue, saturation
  and value, 18 x 4 x 4 bins; half the L1 distance, so 0 means no colour in common);
- ``layout``: the correlation of the frames' luma at 32 x 18 (box averages), so fine detail and
  compression noise do not count, and a cut to another set-up reads low.

Like the other metrics, plain numpy on decoded frames, no model weights.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from PIL import Image
from pydantic import BaseModel, ConfigDict

from sora_nb import media
from sora_nb.runs.chains import joins
from sora_nb.runs.take import Take

if TYPE_CHECKING:  # pragma: no cover - annotations only; pandas loads when a table is made
    import pandas as pd

Frame = npt.NDArray[np.uint8]
#: The size the layout is compared at.
LAYOUT_SIZE = (32, 18)


class JoinReading(BaseModel):
    """Continuity at one join of an extended video."""

    model_config = ConfigDict(frozen=True)

    take_id: str
    #: The join's number in the video (1: where the first extension begins).
    join: int
    at_seconds: float
    colour: float
    layout: float


def colour_similarity(a: Frame, b: Frame) -> float:
    """1 for frames of the same colours, 0 for frames with none in common."""
    return 1.0 - 0.5 * float(np.abs(_histogram(a) - _histogram(b)).sum())


def layout_similarity(a: Frame, b: Frame) -> float:
    """The correlation of the frames' coarse luma: 1 the same layout, about 0 unrelated."""
    x, y = _coarse(a), _coarse(b)
    if x.std() < 1e-6 or y.std() < 1e-6:
        return 1.0 if np.allclose(x, y, atol=1.0) else 0.0
    return float(np.corrcoef(x, y)[0, 1])


def read_joins(take: Take) -> list[JoinReading]:
    """Continuity at every join of a take's video (none for a video made in one go)."""
    at = joins(take.chain())
    if not at or not take.ok:
        return []
    info = media.probe(take.video_path)
    indices = [max(1, round(seconds * info.fps)) for seconds in at]
    frames = media.decode_frames(take.video_path, [i for j in indices for i in (j - 1, j)])
    return [
        JoinReading(
            take_id=take.id,
            join=number,
            at_seconds=round(seconds, 3),
            colour=round(colour_similarity(frames[index - 1], frames[index]), 4),
            layout=round(layout_similarity(frames[index - 1], frames[index]), 4),
        )
        for number, (seconds, index) in enumerate(zip(at, indices, strict=True), start=1)
    ]


def continuity_records(takes: Iterable[Take]) -> list[dict[str, Any]]:
    """One record per join of every extended take given (each take once)."""
    seen: set[str] = set()
    records = []
    for take in takes:
        if take.id in seen:
            continue
        seen.add(take.id)
        for reading in read_joins(take):
            records.append(
                {
                    "take_id": take.id,
                    "kind": take.kind,
                    "join": reading.join,
                    "at_seconds": reading.at_seconds,
                    "colour": reading.colour,
                    "layout": reading.layout,
                    "prompt": take.request.prompt,
                }
            )
    return records


def continuity_table(takes: Sequence[Take] | Iterable[Take]) -> pd.DataFrame:
    """Continuity at the joins of every extended take, one row per join, as a pandas
    DataFrame (``take_id``, ``kind``, ``join``, ``at_seconds``, ``colour``, ``layout``)."""
    import pandas as pd

    columns = ["take_id", "kind", "join", "at_seconds", "colour", "layout", "prompt"]
    return pd.DataFrame(continuity_records(takes), columns=columns)


def _histogram(frame: Frame) -> npt.NDArray[np.float64]:
    hsv = np.asarray(Image.fromarray(frame).convert("HSV")).reshape(-1, 3).astype(np.int64)
    index = (hsv[:, 0] * 18 // 256) * 16 + (hsv[:, 1] // 64) * 4 + hsv[:, 2] // 64
    counts = np.bincount(index, minlength=18 * 16).astype(np.float64)
    share: npt.NDArray[np.float64] = counts / max(1.0, float(counts.sum()))
    return share


def _coarse(frame: Frame) -> npt.NDArray[np.float64]:
    luma = Image.fromarray(frame).convert("L").resize(LAYOUT_SIZE, Image.Resampling.BOX)
    return np.asarray(luma, np.float64).ravel()
