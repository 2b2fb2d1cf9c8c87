"""Widget traits typed by pydantic models (lonboard's ``traits/`` is the pattern).

A ``ModelTrait(Camera)`` holds a :class:`~sora_nb.prompt.Camera`: assigning a dict (from Python,
or from the front end as JSON) validates it through the model, so a bad value is refused where
it is set, with a message that names the field, instead of being carried along and repaired
later; the front end receives the model's own JSON dump. ``ModelList`` and ``ModelDict`` do the
same for a list and a string-keyed dict of models (grid cells, feedback per cell).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, NoReturn, TypeVar

import traitlets
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def _dump(value: BaseModel) -> Any:
    return value.model_dump(mode="json", exclude_none=True)


def _problems(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "the value"
        parts.append(f"{where}: {err['msg']} (got {err['input']!r})")
    return "; ".join(parts)


class _Typed(traitlets.TraitType[Any, Any], Generic[M]):
    """What the three traits share: the model, and errors that say what to pass."""

    def __init__(self, model: type[M], *, help: str = "", **kwargs: Any) -> None:
        self.model = model
        super().__init__(help=help, **kwargs)

    def _refuse(self, obj: Any, why: str) -> NoReturn:
        owner = type(obj).__name__ if obj is not None else "a widget"
        fields = ", ".join(self.model.model_fields)
        raise traitlets.TraitError(
            f"{owner}.{self.name} refused the value: {why}. It takes {self.info()} "
            f"({self.model.__name__} fields: {fields})."
        )

    def _one(self, obj: Any, value: Any, where: str = "") -> M:
        if isinstance(value, self.model):
            return value
        if not isinstance(value, Mapping):
            self._refuse(obj, f"{where}a {type(value).__name__} is not a {self.model.__name__}")
        try:
            return self.model.model_validate(dict(value))
        except ValidationError as exc:
            self._refuse(obj, f"{where}{_problems(exc)}")


class ModelTrait(_Typed[M]):
    """One pydantic model; a dict of its fields is validated into it."""

    def __init__(self, model: type[M], *, help: str = "", **kwargs: Any) -> None:
        super().__init__(model, help=help, default_value=model(), **kwargs)
        self.tag(sync=True, to_json=lambda value, _widget: _dump(value))

    def validate(self, obj: Any, value: Any) -> M:
        return self._one(obj, value)

    def info(self) -> str:
        return f"a {self.model.__name__} or a dict of its fields"

    def make_dynamic_default(self) -> M:
        return self.model()


class ModelList(_Typed[M]):
    """A list of one pydantic model; each entry may be given as a dict of its fields."""

    def __init__(self, model: type[M], *, help: str = "", **kwargs: Any) -> None:
        super().__init__(model, help=help, default_value=[], **kwargs)
        self.tag(sync=True, to_json=lambda value, _widget: [_dump(v) for v in value])

    def validate(self, obj: Any, value: Any) -> list[M]:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
            self._refuse(obj, f"a {type(value).__name__} is not a list")
        return [self._one(obj, entry, f"entry {i}: ") for i, entry in enumerate(value)]

    def info(self) -> str:
        return f"a list of {self.model.__name__} (or of dicts of its fields)"

    def make_dynamic_default(self) -> list[M]:
        return []


class ModelDict(_Typed[M]):
    """A dict from string keys to one pydantic model (a dict of fields per key also does)."""

    def __init__(self, model: type[M], *, help: str = "", **kwargs: Any) -> None:
        super().__init__(model, help=help, default_value={}, **kwargs)
        self.tag(sync=True, to_json=lambda value, _widget: {k: _dump(v) for k, v in value.items()})

    def validate(self, obj: Any, value: Any) -> dict[str, M]:
        if not isinstance(value, Mapping):
            self._refuse(obj, f"a {type(value).__name__} is not a dict")
        return {str(k): self._one(obj, v, f"entry {k!r}: ") for k, v in value.items()}

    def info(self) -> str:
        return f"a dict of {self.model.__name__} (or of dicts of its fields)"

    def make_dynamic_default(self) -> dict[str, M]:
        return {}
