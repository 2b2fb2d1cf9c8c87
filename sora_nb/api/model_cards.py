"""What the bundled server's model cards (``GET /v1/models``) state beyond a model's id: its
usual clip, the LoRA adapters and the step caches it offers.

Layer 1: the standard library only.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["cards", "offered_loras", "offered_step_caches", "offers_previews", "usual_clips"]


def cards(body: bytes) -> list[dict[str, Any]]:
    """The cards of a ``/v1/models`` answer (none when it is not a JSON list of them)."""
    try:
        data = json.loads(body)
    except ValueError:
        return []
    items = data.get("data") if isinstance(data, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def usual_clips(cards: list[dict[str, Any]]) -> dict[str, tuple[str, int]]:
    """{model: (size, seconds)} from the cards that state their model's usual clip."""
    usual = {}
    for card in cards:
        size, seconds = card.get("usual_size"), card.get("usual_seconds")
        if card.get("id") and isinstance(size, str) and isinstance(seconds, int) and seconds > 0:
            usual[str(card["id"])] = (size, seconds)
    return usual


def offered_loras(cards: list[dict[str, Any]]) -> tuple[str, ...]:
    """The adapter names the bundled server's cards list (``loras``), in order, once each."""
    names = [str(n) for card in cards if isinstance(card.get("loras"), list) for n in card["loras"]]
    return tuple(dict.fromkeys(names))


def offers_previews(cards: list[dict[str, Any]]) -> bool:
    """True when the bundled server's cards say it makes live previews of running jobs."""
    return any(card.get("previews") is True for card in cards)


def offered_step_caches(cards: list[dict[str, Any]]) -> tuple[str, ...]:
    """The step caches the bundled server's (one) open model offers, ``none`` first."""
    return tuple(str(name) for card in cards[:1] for name in card.get("step_caches") or ())
