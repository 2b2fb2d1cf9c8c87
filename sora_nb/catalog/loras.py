"""LoRA adapters as a request option: how they are written, checked and sent to each engine.

A request's adapters are a tuple of :class:`Lora` (name, scale, expert). They are written
``NAME[:SCALE][@EXPERT]`` on the ``%%sora`` line (``--lora ghibli:0.8``, repeatable), joined
with ``+`` in one grid-axis value (``--vary lora=none,ghibli:0.6,ghibli:0.6+grain:0.3``), and
given in Python as ``loras=[("ghibli", 0.8)]`` (or ``("lightx2v", 1.0, "transformer_2")``).
``NAME`` is an adapter the server offers (the bundled server's ``--lora-dir`` files by their
stem, vLLM-Omni's ``--lora-modules``, SGLang's loaded nicknames), or a path or Hugging Face id
on the server (anything with a ``/``). ``EXPERT`` picks one of Wan 2.2 A14B's two experts:
``transformer`` (the high-noise one) or ``transformer_2`` (the low-noise one); ``high`` and
``low`` say the same. With no expert an adapter applies to every transformer. A scale of 0
turns an adapter off: the frames are those of no adapter at all.

Layer 0: the standard library only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

#: Scales an adapter takes (fal's and ComfyUI's usual range; 0 is off).
SCALE_LOW, SCALE_HIGH = 0.0, 4.0
#: Adapters one request may stack.
MAX_ADAPTERS = 8
#: Wan 2.2 A14B's experts, by the names SGLang and diffusers give them.
EXPERTS = ("transformer", "transformer_2")
_EXPERT_WORDS = {"high": "transformer", "low": "transformer_2", "all": None}
#: The syntax, said in every message about a badly written adapter.
SYNTAX = "NAME[:SCALE][@EXPERT], like ghibli:0.8 or lightx2v:1.0@transformer_2"


class LoraError(ValueError):
    """An adapter written or given wrongly; the message says how to write it."""


class Lora(NamedTuple):
    """One adapter of a request: its name (or path on the server), its scale, its expert."""

    name: str
    scale: float = 1.0
    #: ``transformer`` or ``transformer_2`` (Wan 2.2's experts); None: every transformer.
    target: str | None = None

    def text(self) -> str:
        """As written on the ``%%sora`` line: ``ghibli:0.8@transformer_2``."""
        expert = f"@{self.target}" if self.target else ""
        return f"{self.name}:{self.scale:g}{expert}"

    @property
    def is_path(self) -> bool:
        """True when the name is a path or Hugging Face id on the server, not a nickname."""
        return "/" in self.name or self.name.endswith(".safetensors")

    @property
    def nickname(self) -> str:
        """The name an engine keeps it under: the file's stem for a path."""
        if not self.is_path:
            return self.name
        return self.name.rstrip("/").rsplit("/", 1)[-1].removesuffix(".safetensors")


def parse_one(text: str) -> Lora:
    """One adapter written ``NAME[:SCALE][@EXPERT]``, checked."""
    raw = text.strip()
    rest, at, expert = raw.partition("@")
    name, colon, scale_text = rest.rpartition(":")
    if not colon:
        name, scale_text = rest, ""
    scale = 1.0
    if scale_text:
        try:
            scale = float(scale_text)
        except ValueError:
            raise LoraError(f"the scale of {raw!r} is not a number; write {SYNTAX}") from None
    return make(name, scale, expert if at else None, written=raw)


def parse(text: str) -> tuple[Lora, ...]:
    """Adapters written as text: ``none`` (no adapter), or adapters joined with ``+``."""
    raw = text.strip()
    if raw.lower() in ("none", "off", "0"):
        return ()
    if not raw:
        raise LoraError(f"an adapter needs a name; write {SYNTAX}, or none")
    return check(parse_one(part) for part in raw.split("+"))


def make(name: Any, scale: Any = 1.0, target: Any = None, *, written: str | None = None) -> Lora:
    """One adapter from its parts, checked: a name, a scale from 0 to 4, an expert."""
    shown = repr(written if written is not None else name)
    if not isinstance(name, str) or not name.strip():
        raise LoraError(f"an adapter needs a name; got {shown}. Write {SYNTAX}")
    name = name.strip()
    if any(c.isspace() or c in ",+@" for c in name) or len(name) > 400:
        raise LoraError(
            f"adapter names have no spaces, commas, + or @; got {shown}. Write {SYNTAX}"
        )
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale):
        raise LoraError(f"the scale of adapter {name!r} should be a number; got {scale!r}")
    if not SCALE_LOW <= scale <= SCALE_HIGH:
        raise LoraError(
            f"the scale of adapter {name!r} should be from {SCALE_LOW:g} to {SCALE_HIGH:g} "
            f"(0 turns it off); got {scale:g}"
        )
    if isinstance(target, str):
        key = target.strip().lower()
        target = _EXPERT_WORDS.get(key, key) if key else None
    if target is not None and target not in EXPERTS:
        raise LoraError(
            f"adapter {name!r}: the expert is transformer (high noise) or transformer_2 (low "
            f"noise), Wan 2.2 A14B's two; got {target!r}"
        )
    return Lora(name, float(scale), target)


def check(value: Any) -> tuple[Lora, ...]:
    """Adapters in any form a user or a wire gives them, as a tuple of :class:`Lora`.

    Takes text (``"ghibli:0.8"``), JSON text (a list, or one object as vLLM-Omni's ``lora``
    field), a mapping (``{"name": ..., "scale": ..., "target": ...}``), a pair or triple, or a
    list of any of these."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("[", "{"):
            try:
                return check(json.loads(text))
            except json.JSONDecodeError:
                raise LoraError(f"adapters as JSON could not be read: {text[:60]!r}") from None
        return parse(text)
    if isinstance(value, Mapping):
        return check([value])
    if isinstance(value, Lora):
        return (value,)
    if not isinstance(value, Iterable):
        raise LoraError(f"adapters are a list like [('ghibli', 0.8)]; got {value!r}")
    items = list(value)
    if items and isinstance(items[0], str) and len(items) in (2, 3) and not _all_text(items):
        items = [tuple(items)]  # one ("ghibli", 0.8) pair given bare
    found = tuple(_one(item) for item in items)
    if len(found) > MAX_ADAPTERS:
        raise LoraError(f"at most {MAX_ADAPTERS} adapters stack on one request; got {len(found)}")
    keys = [(lora.name, lora.target) for lora in found]
    if len(set(keys)) != len(keys):
        raise LoraError("an adapter is named twice for the same expert; give each once")
    return found


def _all_text(items: list[Any]) -> bool:
    return all(isinstance(item, str) for item in items)


def _one(item: Any) -> Lora:
    if isinstance(item, Lora):
        return make(*item)
    if isinstance(item, str):
        return parse_one(item)
    if isinstance(item, Mapping):
        name = item.get("name", item.get("lora_name", item.get("path")))
        return make(name, item.get("scale", 1.0), item.get("target"))
    if isinstance(item, (tuple, list)) and 1 <= len(item) <= 3:
        return make(*item)
    raise LoraError(f"an adapter is (name, scale) or (name, scale, expert); got {item!r}")


def text(loras: Iterable[Lora]) -> str:
    """Adapters as one grid-axis value or label: ``ghibli:0.8+grain:0.3`` (``none``)."""
    return "+".join(lora.text() for lora in loras) or "none"


def to_wire(loras: tuple[Lora, ...], dialect: str | None) -> str:
    """The ``lora`` body field for ``dialect``: vLLM-Omni's one JSON object (name, path,
    scale), else a JSON list of {name, scale, target} (the bundled server's)."""
    why = refusal(loras, dialect)
    if why is not None:
        raise LoraError(why)
    if dialect == "vllm-omni":
        (lora,) = loras
        body: dict[str, Any] = {"name": lora.nickname, "scale": lora.scale}
        if lora.is_path:
            body["path"] = lora.name
        return json.dumps(body)
    return json.dumps(
        [{"name": lora.name, "scale": lora.scale, "target": lora.target} for lora in loras]
    )


def refusal(loras: tuple[Lora, ...], dialect: str | None) -> str | None:
    """Why ``dialect`` cannot take these adapters as asked (None when it can)."""
    if dialect == "vllm-omni":
        if len(loras) > 1:
            return (
                f"vLLM-Omni takes one adapter per request; got {len(loras)} "
                f"({text(loras)}). Give one --lora"
            )
        if loras and loras[0].target is not None:
            return (
                "vLLM-Omni applies an adapter to the whole model; it takes no expert "
                f"(@{loras[0].target}). Drop the @ part, or use SGLang or the bundled server"
            )
        if loras and not loras[0].is_path:
            # vLLM-Omni 0.30.0 loads the adapter per request and fails the job without a path.
            return (
                f"vLLM-Omni needs the adapter's path on the server, not only a name "
                f"({loras[0].name!r}); give it as /path/on/server/{loras[0].name}.safetensors"
            )
    return None


def sglang_body(loras: tuple[Lora, ...]) -> dict[str, Any]:
    """The body of SGLang's ``POST /v1/set_lora`` for these adapters (all set at once)."""
    return {
        "lora_nickname": [lora.nickname for lora in loras],
        "lora_path": [lora.name if lora.is_path else None for lora in loras],
        "target": [lora.target or "all" for lora in loras],
        "strength": [lora.scale for lora in loras],
    }
