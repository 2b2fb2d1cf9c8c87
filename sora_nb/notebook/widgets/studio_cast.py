"""The studio's cast: the media folder's characters it offers (name and poster), the ones picked
for the next video (two at most), and why a pick cannot be sent yet.

A character belongs to the folder; each server makes it from the folder's clip and gives it an
id there. A character the current server has not made is offered with a button that makes it
here (``Session.add_character``): nothing is sent until the user asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sora_nb.api.errors import SoraError
from sora_nb.notebook.widgets._files import describe_file
from sora_nb.notebook.widgets.state import CharacterOption

if TYPE_CHECKING:
    from sora_nb.runs.session import Session

#: The most characters one video may feature (the service's rule).
MOST = 2


def offered(session: Session) -> tuple[list[CharacterOption], str]:
    """The folder's characters as the studio offers them, and why none can be featured on this
    server (empty when they can)."""
    options = [
        CharacterOption(
            name=record.name,
            thumbnail=describe_file(session.media_dir, record.path(session.media_dir, "thumbnail")),
            made_here=record.id_on(session.server) is not None,
        )
        for record in session.characters()
    ]
    try:
        dialect = session.server_info(strict=False).dialect
    except SoraError:  # a server that cannot be asked: offered, and its error shows on Generate
        return options, ""
    if dialect.characters:
        return options, ""
    return options, (
        f"The {dialect.title} cannot feature characters (it has no /videos/characters route)."
    )


def picked(names: Sequence[str]) -> list[str]:
    """The picked names, trimmed and each once (any case); more than two is refused."""
    chosen: list[str] = []
    for name in names:
        cleaned = " ".join(str(name).split())
        if cleaned and cleaned.lower() not in {c.lower() for c in chosen}:
            chosen.append(cleaned)
    if len(chosen) > MOST:
        raise ValueError(
            f"A video features two characters at most; {', '.join(chosen)} are "
            f"{len(chosen)}: pick two."
        )
    return chosen


def cast_problem(names: Sequence[str], options: Sequence[CharacterOption], blocked: str) -> str:
    """Why the picked characters cannot be sent now (empty when they can)."""
    if not names:
        return ""
    if blocked:
        return f"{blocked} Unpick {', '.join(names)} to generate here."
    known = {option.name.lower(): option for option in options}
    for name in names:
        option = known.get(name.lower())
        if option is None:
            have = ", ".join(o.name for o in options) or "none yet"
            return (
                f"There is no character {name} in this media folder (it has {have}); make it "
                f"with %sora character add {name} CLIP.mp4."
            )
        if not option.made_here:
            return (
                f"{option.name} has not been made on this server yet: press Make here beside "
                f"{option.name} (it sends the clip kept in the media folder), or unpick it."
            )
    return ""


def poster(session: Session, options: Sequence[CharacterOption], key: str) -> Path | None:
    """The poster behind ``character:<name>``, a key the studio handed the page (None for any
    other key: the page reads only what the studio shows)."""
    name = key.removeprefix("character:")
    if name == key or not any(o.name == name and o.thumbnail for o in options):
        return None
    record = session.cast.get(name)
    return record.path(session.media_dir, "thumbnail") if record is not None else None
