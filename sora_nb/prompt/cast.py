"""Who a prompt names: characters written in the text, found the way a reader finds them.

The Videos API keeps a character (``POST /videos/characters``) only when the prompt writes its
name; passing the id alone "may not reliably preserve" it. The client, the lint, the bundled
server and its animatic all decide "is Maya in this prompt?" here, the same way: the whole
name, any case, not inside a longer word ("Maya" is in "Maya's coat", not in "Mayan").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=256)
def _pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in name.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def mentions(text: str, name: str) -> bool:
    """True when ``text`` writes ``name`` as a whole name (any case, any spacing)."""
    return bool(name.strip()) and _pattern(name.strip()).search(text) is not None


def named(text: str, names: Iterable[str]) -> list[str]:
    """The names ``text`` writes, in the order it first writes them."""
    found = []
    for name in names:
        match = _pattern(name.strip()).search(text) if name.strip() else None
        if match is not None:
            found.append((match.start(), name))
    return [name for _, name in sorted(found)]


def missing(text: str, names: Iterable[str]) -> list[str]:
    """The names ``text`` does not write (in the order given)."""
    return [name for name in names if not mentions(text, name)]
