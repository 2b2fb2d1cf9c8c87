"""The options table's rows as keyword arguments of the public functions.

A function that takes every option writes ``**options: Unpack[OptionArgs]`` once and wears
:func:`takes_options`: type checkers read the keywords from :class:`OptionArgs`, ``help()``,
``?`` and editors read them from the signature the decorator builds from the table, and a
misspelt keyword is a ``TypeError`` naming the option meant. A row added to the table is a
keyword of every such function at once (its line in :class:`OptionArgs` is for type checkers;
a test keeps the two alike).
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict, TypeVar

from sora_nb.catalog import options as table

__all__ = ["ANNOTATIONS", "OptionArgs", "given_options", "takes_options"]


class OptionArgs(TypedDict, total=False):
    """Every request option by its Python name (see ``sora_nb.catalog.options.OPTIONS``)."""

    seed: int | None
    negative_prompt: str | None
    steps: int | None
    guidance: float | None
    fps: int | None
    num_frames: int | None
    loras: Sequence[Any] | None
    guidance_2: float | None
    boundary_ratio: float | None
    flow_shift: float | None
    step_cache: str | None


#: The annotation a row's kind gives its keyword (as ``help()`` prints it).
ANNOTATIONS: dict[str, str] = {
    "int": "int | None",
    "float": "float | None",
    "text": "str | None",
    "loras": "Sequence[Any] | None",
}

F = TypeVar("F", bound=Callable[..., Any])


def _keywords() -> list[inspect.Parameter]:
    return [
        inspect.Parameter(
            option.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=ANNOTATIONS[option.kind],
        )
        for option in table.OPTIONS
    ]


def _misspelt(function: str, given: Mapping[str, Any], known: set[str]) -> None:
    for name in given:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"{function}() got an unexpected keyword argument {name!r}{hint}")


def takes_options(function: F) -> F:
    """Give ``function`` (whose last parameter is ``**options``) one keyword per option row.

    The signature shown by ``help()`` lists each option where ``**options`` stood; a keyword
    that is neither one of the function's own parameters nor an option is refused as Python
    refuses any unknown keyword, with the nearest name when there is one.
    """
    signature = inspect.signature(function)
    own = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    if len(own) == len(signature.parameters):
        raise TypeError(f"{function.__qualname__} has no **options to give the options to")
    keywords = {p.name for p in own if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    name = function.__name__

    def check(given: Mapping[str, Any]) -> None:
        # The table is read at each call, so a row added at run time is taken too.
        _misspelt(name, given, keywords | set(table.names()))

    @functools.wraps(function)
    async def waited(*args: Any, **kwargs: Any) -> Any:
        check(kwargs)
        return await function(*args, **kwargs)

    @functools.wraps(function)
    def called(*args: Any, **kwargs: Any) -> Any:
        check(kwargs)
        return function(*args, **kwargs)

    wrapper: Any = waited if inspect.iscoroutinefunction(function) else called
    wrapper.__signature__ = signature.replace(parameters=[*own, *_keywords()])
    return wrapper  # type: ignore[no-any-return]


def given_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options a call set (those given as None are left out), by name, unchecked."""
    return {name: value for name, value in options.items() if value is not None}
