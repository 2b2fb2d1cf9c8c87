"""Cost before you spend: estimates from the catalog, and budgets that refuse before sending.

Takes on a self-hosted engine (vLLM-Omni, SGLang, FastVideo) or of an open-weights model cost
GPU time, not dollars: they are counted apart, with the GPU seconds earlier takes like them
took when the ledger has any, and never shown as $0.00 or an unknown price.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sora_nb import catalog
from sora_nb.runs.request import VideoRequest


class BudgetExceededError(RuntimeError):
    """A run would cost more than its budget allows; nothing was sent."""


@dataclass(frozen=True)
class CostEstimate:
    """What a set of takes should cost: the known total and how many have no known price."""

    takes: int
    known: float
    unknown: int
    #: Takes that run on the user's own GPUs: they cost GPU time, not dollars.
    gpu: int = 0
    #: GPU seconds those should take, by earlier takes like them (None: nothing to go by).
    gpu_seconds: float | None = None

    @property
    def total(self) -> float | None:
        """The total in dollars, or None when any take's price is unknown (GPU takes cost no
        dollars)."""
        return None if self.unknown else self.known

    def price_text(self) -> str:
        """The cost alone: "about $1.20", "cost unknown", "about 240 GPU s", or the parts."""
        if self.takes == 0:
            return "$0.00"
        parts = []
        priced = self.takes - self.gpu
        if priced:
            if self.unknown == priced:
                parts.append("cost unknown")
            else:
                money = f"about ${self.known:.2f}"
                if self.unknown:
                    money += f" plus {self.unknown} of unknown price"
                parts.append(money)
        if self.gpu:
            parts.append(self.gpu_text())
        return " and ".join(parts)

    def gpu_text(self) -> str:
        """The GPU part: "about 240 GPU s" or "GPU time (no earlier takes to go by)"."""
        if self.gpu_seconds is None:
            return "GPU time (no earlier takes like these to go by)"
        seconds = self.gpu_seconds
        return f"about {seconds:.1f} GPU s" if seconds < 10 else f"about {seconds:.0f} GPU s"

    def __str__(self) -> str:
        if self.takes == 0:
            return "nothing to send ($0.00)"
        noun = "take" if self.takes == 1 else "takes"
        return f"{self.takes} {noun}, {self.price_text()}"


def estimate(requests: Iterable[VideoRequest], *, self_hosted: bool = False) -> CostEstimate:
    """Add up the catalog price of each request; unknown prices are counted, never taken as 0.

    With ``self_hosted`` (an engine on your own GPUs) every take is a GPU take; an
    open-weights model's take is one wherever it runs.
    """
    takes = known_count = gpu = 0
    known = 0.0
    for request in requests:
        takes += 1
        profile = catalog.get_profile(request.model)
        if self_hosted or (profile is not None and profile.open_weights):
            gpu += 1
            continue
        price = request.estimated_cost()
        if price is not None:
            known += price
            known_count += 1
    return CostEstimate(
        takes=takes, known=round(known, 4), unknown=takes - gpu - known_count, gpu=gpu
    )


def check_budget(
    cost: CostEstimate,
    *,
    budget: float | None,
    spent: float = 0.0,
    scope: str = "this call",
) -> None:
    """Refuse, before anything is sent, a run whose known cost would pass ``budget``.

    ``spent`` is what the budget's scope has already used (the kernel's spending for a
    per-kernel budget). The message says by how much the run is over and what to change.
    """
    if budget is None:
        return
    if budget < 0:
        raise ValueError(f"A budget must be zero or more dollars, not {budget}.")
    if cost.unknown:
        # A budget is a promise about money; a take whose price nobody knows could break it.
        noun = "take has" if cost.unknown == 1 else "takes have"
        raise BudgetExceededError(
            f"Not sent: {cost.unknown} {noun} no known price (the catalog does not know the "
            f"model), so the ${budget:.2f} budget for {scope} cannot be kept. Register the "
            "model's price with sora_nb.catalog.register, or run without a budget."
        )
    after = spent + cost.known
    if after > budget + 1e-9:
        over = after - budget
        already = f" after ${spent:.2f} already spent" if spent else ""
        raise BudgetExceededError(
            f"Not sent: {cost} would pass the ${budget:.2f} budget for {scope}{already} "
            f"by ${over:.2f}. Raise the budget, or send fewer, shorter or cheaper takes."
        )
