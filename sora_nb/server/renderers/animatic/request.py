"""What the bundled server asks the animatic renderer for, and the files it gets back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sora_nb.server.defaults import DEFAULT_MODEL
from sora_nb.server.renderers.base import Cameo, Segment

#: Frames per second of every animatic (the rate Sora clips used).
FPS = 24


@dataclass(frozen=True)
class AnimaticRequest:
    """One render: the prompt text as sent over the wire, the size, the length and the take.

    ``take`` is 1-based: the same request and take render identical bytes, and a higher take
    re-rolls the details (layout, shapes, sound timing) a little, as a new generation would.
    ``reference`` is a JPEG/PNG/WebP image of exactly ``width`` x ``height``: the first frame.
    ``variation`` is the request's ``seed`` when it sent one: it then stands in for the take, so
    the same seed renders the same bytes whatever the take number. Characters change only the
    figures they replace: the rest of the shot is laid out as it would be without them.
    """

    prompt: str
    width: int
    height: int
    seconds: int
    take: int = 1
    model: str = DEFAULT_MODEL
    reference: bytes | None = None
    variation: int | None = None
    #: Characters it may feature: those the prompt names are drawn in their own look.
    characters: tuple[Cameo, ...] = ()
    #: A video made in steps: every segment, the newest last (``seconds`` is then the total);
    #: ``keep`` is the finished video of all but the last (an extension renders only that).
    segments: tuple[Segment, ...] = ()
    keep: Path | None = None
    #: An uploaded video an edit regrades (``prompt`` is then the edit's).
    rework: Path | None = None

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            raise ValueError(
                f"An animatic needs an even width and height of at least 16 px, "
                f"not {self.width}x{self.height}."
            )
        if self.seconds < 1:
            raise ValueError(f"An animatic lasts at least 1 second, not {self.seconds}.")
        if self.take < 1:
            raise ValueError(f"Takes are numbered from 1, not {self.take}.")

    @property
    def frame_count(self) -> int:
        """How many frames the video has: exactly ``seconds`` at 24 fps."""
        return self.seconds * FPS

    def seed(self, *, with_take: bool = True) -> int:
        """A stable 64-bit seed from everything that defines the render (and the take)."""
        digest = hashlib.sha256()
        for part in (self.prompt, f"{self.width}x{self.height}", str(self.seconds), self.model):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        if self.reference is not None:
            digest.update(hashlib.sha256(self.reference).digest())
        if with_take:
            chosen = f"seed={self.variation}" if self.variation is not None else f"take={self.take}"
            digest.update(chosen.encode())
        return int.from_bytes(digest.digest()[:8], "big")


@dataclass(frozen=True)
class AnimaticFiles:
    """Where a finished render's files are: the MP4, its WebP thumbnail and JPEG spritesheet."""

    video: Path
    thumbnail: Path
    spritesheet: Path
