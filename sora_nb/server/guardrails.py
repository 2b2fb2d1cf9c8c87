"""Simulated guardrails: names the bundled server refuses to depict, and faces without consent.

This is a *simulation* for teaching, not a moderation system. The real service refused prompts
about real people (public figures included) and copyrighted characters; here a prompt that names
one of the entries below ends ``failed`` with the code ``moderation_blocked``, so a class can see
what that looks like. Edit the list through ``ServerSettings(blocked=...)``.

The service also refused to make a character from a clip of a real person's face unless that
person had consented. Here "a face" is a stand-in test on pixels, not face recognition: a clip
whose subject is mostly skin-toned and fills much of the frame (a head in close-up) is taken for
a face, and refused unless the character is made with ``consent`` set (a form field this
server adds; the real service verified consent in its app). A drawn character, a costume or a
figure filmed from afar passes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["public figure", "copyrighted character"]

#: Real public figures the simulated guardrail recognises.
PUBLIC_FIGURES: tuple[str, ...] = (
    "Taylor Swift",
    "Barack Obama",
    "Donald Trump",
    "Joe Biden",
    "Elon Musk",
    "Beyonce",
    "Beyoncé",
    "Pope Francis",
    "Queen Elizabeth",
    "Albert Einstein",
)

#: Well-known copyrighted characters the simulated guardrail recognises.
COPYRIGHTED_CHARACTERS: tuple[str, ...] = (
    "Mickey Mouse",
    "Spider-Man",
    "Spiderman",
    "Darth Vader",
    "Pikachu",
    "Harry Potter",
    "Super Mario",
    "Batman",
    "Superman",
    "Homer Simpson",
    "SpongeBob",
    "Shrek",
)

#: The default list: each name with what kind of thing it is.
DEFAULT_BLOCKED: dict[str, BlockKind] = {
    **{name: "public figure" for name in PUBLIC_FIGURES},
    **{name: "copyrighted character" for name in COPYRIGHTED_CHARACTERS},
}


@dataclass(frozen=True)
class Block:
    """Why a prompt was refused: the name found and what kind of name it is."""

    name: str
    kind: BlockKind

    @property
    def code(self) -> str:
        return "moderation_blocked"

    @property
    def message(self) -> str:
        return (
            f"Your request was blocked by the (simulated) moderation system: the prompt names "
            f"{self.name}, a {self.kind}. The service does not generate real people or "
            "copyrighted characters; describe an original character instead."
        )


def check_prompt(prompt: str, blocked: dict[str, BlockKind] | None = None) -> Block | None:
    """The first blocked name the prompt mentions (case and spacing ignored), or None."""
    entries = DEFAULT_BLOCKED if blocked is None else blocked
    text = _normal(prompt)
    for name, kind in entries.items():
        if re.search(rf"(?<!\w){re.escape(_normal(name))}(?!\w)", text):
            return Block(name=name, kind=kind)
    return None


def names(kind: BlockKind, blocked: dict[str, BlockKind] | None = None) -> Iterable[str]:
    """The blocked names of one kind (to show a class what the list contains)."""
    entries = DEFAULT_BLOCKED if blocked is None else blocked
    return [name for name, k in entries.items() if k == kind]


def _normal(text: str) -> str:
    # "spider man", "Spider-Man" and "SPIDER  MAN" are the same name.
    return re.sub(r"[\s\-_]+", " ", text.casefold()).strip()


#: The share of a clip's subject in skin tones above which the simulated check sees a face...
FACE_SKIN_SHARE = 0.35
#: ... when the subject also fills at least this share of the frame (a head in close-up).
FACE_FILL = 0.12


def face_refusal(skin_share: float, fill: float, *, consent: bool) -> str | None:
    """Why a character clip is refused as a face filmed without consent, or None."""
    if consent or skin_share < FACE_SKIN_SHARE or fill < FACE_FILL:
        return None
    return (
        f"This clip looks like a real person's face ({skin_share:.0%} of its subject is "
        "skin-toned; a simulated check, see sora_nb.server.guardrails). A character of a real "
        "person needs their consent: make it again with consent set (consent=true, or "
        "create_character(..., consent=True)) if they agreed, or film a costume or drawing."
    )
