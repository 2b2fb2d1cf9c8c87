"""``{name}`` in a prompt filled from a namespace (a notebook's variables); ``{{`` ``}}`` escape."""

from __future__ import annotations

import re
from collections.abc import Mapping

_TOKEN = re.compile(r"\{\{|\}\}|\{(?P<name>[^{}]*)\}|(?P<stray>[{}])")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class InterpolationError(KeyError):
    """A ``{name}`` the namespace does not define, or a brace that opens or closes nothing."""

    def __init__(self, message: str, *, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        #: The variable names the prompt uses but the namespace lacks, in order.
        self.missing = missing

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return self.message


def interpolate(text: str, namespace: Mapping[str, object]) -> str:
    """Fill each ``{name}`` in ``text`` with ``str(namespace[name])``; write ``{{`` or ``}}``
    for a literal brace.

    Raises :class:`InterpolationError` naming every missing variable at once, or pointing at a
    brace that is not part of a ``{name}``.
    """
    missing: list[str] = []
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        token = m.group(0)
        if token in ("{{", "}}"):
            out.append(token[0])
            continue
        if m.group("stray") is not None:
            raise InterpolationError(_stray_message(text, m.start(), token))
        name = (m.group("name") or "").strip()
        if not _NAME.match(name):
            raise InterpolationError(
                f"{{{m.group('name')}}} at {_where(text, m.start())} is not a variable name; "
                f"write {{{{{m.group('name')}}}}} to keep the braces as text, or use a "
                "name like {mood}."
            )
        if name in namespace:
            out.append(str(namespace[name]))
        else:
            if name not in missing:
                missing.append(name)
            out.append(token)
    if missing:
        names = ", ".join("{" + n + "}" for n in missing)
        first = missing[0]
        noun = "variable" if len(missing) == 1 else "variables"
        raise InterpolationError(
            f"The prompt uses {names} but no {noun} named {', '.join(missing)} is defined. "
            f"Define it first (for example {first} = 'dusk'), or write {{{{{first}}}}} "
            "to keep the braces as text.",
            missing=tuple(missing),
        )
    out.append(text[pos:])
    return "".join(out)


def _where(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def _stray_message(text: str, index: int, brace: str) -> str:
    double = brace * 2
    what = "opens" if brace == "{" else "closes"
    return (
        f"The '{brace}' at {_where(text, index)} {what} no {{name}}; write {double} for a "
        f"literal '{brace}'."
    )
