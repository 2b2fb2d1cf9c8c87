"""The ``%sora COMMAND`` table: each command's usage and one-line help, filled by ``@command``
as SoraMagics' command methods are defined (in the order ``%%sora?`` lists them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

#: ``%sora COMMAND``: name -> (how it is written, what it does), filled by ``@command``.
COMMANDS: dict[str, tuple[str, str]] = {}
_Method = TypeVar("_Method", bound=Callable[..., Any])


def command(usage: str, help: str) -> Callable[[_Method], _Method]:
    """Register ``_cmd_NAME`` as ``%sora NAME``: its usage and one-line help feed ``%%sora?``
    and the unknown-command message."""

    def register(method: _Method) -> _Method:
        name = usage.split()[0]
        assert method.__name__ == f"_cmd_{name}", method.__name__
        COMMANDS[name] = (usage, help)
        return method

    return register
