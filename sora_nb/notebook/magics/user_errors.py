"""User mistakes in ``%%sora`` and ``%sora`` become one-line UsageErrors, never a wall of
traceback; real bugs keep theirs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from IPython.core.error import UsageError

#: Errors that mean "the user asked for something that cannot be done": shown in one line.
_USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, KeyError, RuntimeError, OSError)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn a user's mistake into one UsageError line; real bugs keep their traceback."""
    from pydantic import ValidationError

    from sora_nb.api.errors import SoraError
    from sora_nb.catalog import CatalogError
    from sora_nb.notebook.options import OptionsError

    try:
        yield
    except UsageError:
        raise
    except OptionsError as exc:
        raise UsageError(str(exc)) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the request"
        raise UsageError(f"%%sora: {where}: {first['msg']}.") from None
    except (SoraError, CatalogError) as exc:
        raise UsageError(f"%%sora: {exc}") from None
    except _USER_ERRORS as exc:
        if type(exc).__module__.startswith("sora_nb"):
            raise UsageError(f"%%sora: {exc}") from None
        raise
