"""Cost before you spend: estimates from the catalog, and budgets that refuse before sending.

A take costs what its server charges. OpenAI's API and a paid gateway charge the catalog's
price ("unknown" where the catalog has none). The bundled offline animatic charges nothing: a
plan may say what the same takes would cost on the hosted model it imitates, worded as what
they *would* cost, never as spent. Takes on a self-hosted engine (vLLM-Omni, SGLang, FastVideo)
or of an open-weights model cost GPU time, not dollars: they are counted apart, with the GPU
seconds earlier takes like them took when the ledger has any.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sora_nb import catalog
from sora_nb.runs.request import VideoRequest

if TYPE_CHECKING:
    from sora_nb.api.dialects import ServerInfo

#: How a server charges for a take: "dollars" (OpenAI's API, a paid gateway: the catalog's
#: price), "gpu" (an engine or an open model on one's own GPUs: GPU seconds, no dollars) or
#: "nothing" (the bundled server's offline animatic).
Charges = Literal["dollars", "gpu", "nothing"]


def charges_of(info: ServerInfo) -> Charges:
    """How the server ``info`` describes charges for its takes."""
    if info.self_hosted:
        return "gpu"
    return "nothing" if info.renderer == "animatic" else "dollars"


def charge(request: VideoRequest, charges: Charges) -> float | None:
    """Dollars a server that ``charges`` so takes for ``request`` (None: nobody knows)."""
    if charges != "dollars":
        return 0.0
    return request.estimated_cost()


def would_cost(request: VideoRequest, charges: Charges) -> float | None:
    """What ``request`` would cost on the hosted model it names, where this server charges
    nothing for it (None on a paid server, or where the catalog has no price)."""
    return None if charges == "dollars" else request.estimated_cost()


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
    #: Takes the offline animatic draws: they cost nothing.
    free: int = 0
    #: What those would cost on the hosted models they imitate, and which models those are.
    would_cost: float = 0.0
    imitated: tuple[str, ...] = ()

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
        priced = self.takes - self.gpu - self.free
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
        if self.free:
            parts.append(self.free_text())
        return " and ".join(parts)

    def free_text(self) -> str:
        """The animatic's part: "$0.00 (it would cost $0.40 on sora-2)" or "$0.00"."""
        if not self.would_cost:
            return "$0.00"
        return (
            f"$0.00 (it would cost ${self.would_cost:.2f} on {', '.join(self.imitated)}; "
            "the offline animatic charges nothing)"
        )

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


def estimate(requests: Iterable[VideoRequest], *, charges: Charges = "dollars") -> CostEstimate:
    """Add up what each request costs on a server that ``charges`` so: the catalog's price on
    a paid one (unknown prices are counted, never taken as 0), GPU time on one's own GPUs
    (an open-weights model's take is one wherever it runs), nothing on the offline animatic.
    """
    takes = known_count = gpu = free = 0
    known = would = 0.0
    imitated: list[str] = []
    for request in requests:
        takes += 1
        profile = catalog.get_profile(request.model)
        if charges == "gpu" or (profile is not None and profile.open_weights):
            gpu += 1
            continue
        price = request.estimated_cost()
        if charges == "nothing":
            free += 1
            if price is not None:
                would += price
                if request.model not in imitated:
                    imitated.append(request.model)
            continue
        if price is not None:
            known += price
            known_count += 1
    return CostEstimate(
        takes=takes,
        known=round(known, 4),
        unknown=takes - gpu - free - known_count,
        gpu=gpu,
        free=free,
        would_cost=round(would, 4),
        imitated=tuple(imitated),
    )


@dataclass(frozen=True)
class Spending:
    """What takes recorded in a ledger were charged, and apart from that, what the free ones
    would have cost on the hosted models they imitate and the GPU seconds one's own took."""

    charged: float
    takes: int
    #: Takes that cost no dollars: the offline animatic's and one's own GPUs'.
    free_takes: int
    would_have_cost: float
    gpu_seconds: float

    def text(self, where: str) -> str:
        """One sentence: "$0.00 charged for 3 takes since ...; they would have cost ..."."""
        noun = "take" if self.takes == 1 else "takes"
        line = f"${self.charged:.2f} charged for {self.takes} {noun} {where}"
        extra = []
        if self.would_have_cost:
            extra.append(
                f"{self.free_takes} of them cost nothing here and would have cost "
                f"${self.would_have_cost:.2f} on the hosted models they imitate"
            )
        if self.gpu_seconds:
            extra.append(f"{self.gpu_seconds:.1f} GPU seconds on your own GPUs")
        return line + (" (" + "; ".join(extra) + ")" if extra else "")


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
