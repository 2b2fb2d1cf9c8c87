"""One row of the options table: how a request option is named everywhere, what it takes.

:class:`Option` is the row (see :mod:`sora_nb.catalog.options`, which holds the table and the
:class:`~sora_nb.catalog.options.Options` object that carries a request's options).

Layer 0: the standard library only.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sora_nb.catalog import loras as lora_text

__all__ = ["ENGINES", "SEED_MAX", "Kind", "Option", "OptionError"]

#: The open engines: vLLM-Omni, SGLang Diffusion and FastVideo.
ENGINES: frozenset[str] = frozenset({"vllm-omni", "sglang", "fastvideo"})
#: The kinds of value an option takes: a number, a text, or a list of LoRA adapters
#: (:mod:`sora_nb.catalog.loras`: written ``NAME[:SCALE][@EXPERT]``, the flag repeatable).
Kind = Literal["int", "float", "text", "loras"]


class OptionError(ValueError):
    """A value an option cannot take; the message names the option and what it takes."""

    def __init__(self, message: str, *, option: str) -> None:
        super().__init__(message)
        #: The option's Python name.
        self.option = option


@dataclass(frozen=True)
class Option:
    """One request option: how it is named everywhere, what it takes and what it does."""

    #: The Python name: ``generate(steps=30)``, ``Options(steps=30)``, the ledger's column.
    name: str
    kind: Kind
    #: One line of help, shown by ``%%sora?``, the studio and the README.
    help: str
    #: The ``%%sora`` flag and the placeholder its help shows (``--steps N``).
    flag: str
    metavar: str
    #: The field engines read it from (``num_inference_steps``).
    wire: str
    #: Dialects that name it otherwise: dialect name -> field.
    wire_by_dialect: Mapping[str, str] = field(default_factory=dict)
    #: The names a grid axis may give it (``--vary steps=20,40``); the first is shown.
    axes: tuple[str, ...] = ()
    #: Bounds, inclusive (numbers; texts: the length in characters).
    low: float | None = None
    high: float | None = None
    #: The bundled server's own upper bound, where it is stricter than the engines'.
    bundled_high: float | None = None
    #: A value to show in messages and help (``30``).
    example: str = ""
    #: The dialects of the Videos API that take it (their names in ``sora_nb.api.dialects``);
    #: it is refused before sending to any other server (the bundled one says on its cards
    #: which options its renderer honours).
    dialects: frozenset[str] = ENGINES
    #: Shown as a control in the prompt studio, with this label and hint.
    studio: bool = True
    label: str = ""
    placeholder: str = ""
    #: Stored in a ledger column of its own (the six of schema 1); others live in the request's
    #: JSON only.
    column: bool = False
    #: A text option's own reading of its value (its canonical form, ValueError when wrong).
    normalise: Callable[[str], str] | None = None
    #: The value a dialect of ``wire_by_dialect`` is sent (``(value, dialect) -> wire value``),
    #: and the value read back from such a field; None: the value as it is.
    encode: Callable[[Any, str], Any] | None = None
    decode: Callable[[Any], Any] | None = None
    #: Why a dialect that does not take it does not, by dialect (said in the refusal).
    refusals: Mapping[str, str] = field(default_factory=dict)
    #: A field the dialects of ``wire_by_dialect`` are also sent, as true, for the option to act
    #: (SGLang's ``enable_frame_interpolation`` beside ``frame_interpolation_exp``).
    switch: str = ""
    #: A value that asks for nothing (``interpolate`` 1): the same request, and cache key, as
    #: the option left out.
    neutral: Any = None

    def wire_name(self, dialect: str | None = None) -> str:
        """The body field this option goes out as, to a server of ``dialect``."""
        return self.wire_by_dialect.get(dialect or "", self.wire)

    def what(self) -> str:
        """What the option takes, in words: "a whole number from 1 to 200"."""
        if self.kind == "text":
            return "a non-empty text"
        if self.kind == "loras":
            return f"adapters written {lora_text.SYNTAX}, scales from 0 to 4, or none"
        noun = "a whole number" if self.kind == "int" else "a number"
        if self.low is not None and self.high is not None:
            return f"{noun} from {_bound(self.low, self.kind)} to {_bound(self.high, self.kind)}"
        if self.low is not None:
            return f"{noun} of at least {_bound(self.low, self.kind)}"
        return noun

    def check(self, value: Any) -> Any:
        """``value`` as this option keeps it (a number of its kind, a stripped text), or
        OptionError saying what it takes."""
        if self.kind == "loras":
            try:
                return lora_text.check(value)
            except lora_text.LoraError as exc:
                raise OptionError(f"{self.name}: {exc}.", option=self.name) from None
        if self.kind == "text":
            value = os.fspath(value) if isinstance(value, os.PathLike) else value  # a file's
            text = value.strip() if isinstance(value, str) else ""
            if not text or (self.high is not None and len(text) > self.high):
                raise self._bad(value)
            if self.normalise is not None:
                try:
                    return self.normalise(text)
                except ValueError as exc:
                    raise OptionError(_sentence(exc), option=self.name) from None
            return text
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._bad(value)
        if self.kind == "int":
            if isinstance(value, float) and not value.is_integer():
                raise self._bad(value)
            number: float = int(value)
        else:
            number = float(value)
            if not math.isfinite(number):
                raise self._bad(value)
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            raise self._bad(value)
        return number

    def parse(self, text: str) -> Any:
        """A value typed as text (a flag's argument, a grid axis value), checked."""
        raw = text.strip()
        if self.kind in ("text", "loras"):
            return self.check(raw)
        try:
            number: float = int(raw) if self.kind == "int" else float(raw)
        except ValueError:
            raise self._bad(text) from None
        return self.check(number)

    def wire_value(self, value: Any, dialect: str | None = None) -> Any:
        """The value as a server of ``dialect`` is sent it (adapters: JSON text; OptionError
        when it cannot be sent)."""
        if self.kind == "loras":
            return lora_text.to_wire(value, dialect)
        if self.encode is None or (dialect or "") not in self.wire_by_dialect:
            return value
        try:
            return self.encode(value, dialect or "")
        except ValueError as exc:
            raise OptionError(_sentence(exc), option=self.name) from None

    def _bad(self, value: object) -> OptionError:
        example = f", like {self.example}" if self.example else ""
        return OptionError(
            f"{self.name} should be {self.what()}{example}; got {value!r}.", option=self.name
        )


def _sentence(exc: ValueError) -> str:
    return f"{str(exc)[:1].upper()}{str(exc)[1:]}."


def _bound(value: float, kind: Kind) -> str:
    if value == SEED_MAX:
        return "2^63 - 1"
    return str(int(value)) if kind == "int" else f"{value:g}"


#: Seeds are 64-bit on every engine's torch generator; kept non-negative and portable.
SEED_MAX = 2**63 - 1
