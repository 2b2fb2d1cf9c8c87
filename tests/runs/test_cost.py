"""Cost before you spend: estimates from the catalog, and budgets that refuse before sending."""

from __future__ import annotations

from pathlib import Path

import pytest

from sora_nb.runs.cost import BudgetExceededError, check_budget, estimate
from sora_nb.runs.request import VideoRequest
from sora_nb.runs.session import Session
from tests.browser import eventually


def test_estimates_add_catalog_prices() -> None:
    requests = [
        VideoRequest(prompt="a", model="sora-2", seconds=4),
        VideoRequest(prompt="a", model="sora-2-pro", size="1280x720", seconds=8),
    ]
    cost = estimate(requests)
    assert cost.total == pytest.approx(0.4 + 2.4)
    assert str(cost) == "2 takes, about $2.80"


def test_unknown_prices_stay_unknown_never_zero() -> None:
    cost = estimate([VideoRequest(prompt="a", model="veo-3.1"), VideoRequest(prompt="a")])
    assert cost.total is None
    assert cost.unknown == 1
    assert str(cost) == "2 takes, about $0.40 plus 1 of unknown price"
    assert str(estimate([VideoRequest(prompt="a", model="veo-3.1")])) == "1 take, cost unknown"


def test_a_budget_breach_names_the_overrun() -> None:
    cost = estimate([VideoRequest(prompt="a", model="sora-2-pro", size="1792x1024", seconds=12)])
    with pytest.raises(BudgetExceededError, match=r"\$6\.00.*\$5\.00 budget.*by \$1\.00"):
        check_budget(cost, budget=5.0)
    with pytest.raises(BudgetExceededError, match=r"after \$3\.00 already spent by \$4\.00"):
        check_budget(cost, budget=5.0, spent=3.0, scope="this kernel")
    check_budget(cost, budget=6.0)
    check_budget(cost, budget=None)


def test_cache_keys_ignore_nothing_that_changes_the_video() -> None:
    base = VideoRequest(prompt="a", model="sora-2", seconds=4)
    keys = {
        base.cache_key("local"),
        base.cache_key("http://gateway/v1"),
        base.with_take(2).cache_key("local"),
        base.model_copy(update={"seconds": 8}).cache_key("local"),
        base.model_copy(update={"prompt": "b"}).cache_key("local"),
    }
    assert len(keys) == 5
    assert base.cache_key("local") == VideoRequest(prompt="a").cache_key("local/")


def test_sizes_are_checked_for_shape() -> None:
    with pytest.raises(ValueError, match="like 1280x720"):
        VideoRequest(prompt="a", size="big")
    assert VideoRequest(prompt="a", size="1280X720").size == "1280x720"


def test_a_budget_cannot_cover_takes_of_unknown_price() -> None:
    cost = estimate([VideoRequest(prompt="a", model="veo-3.1")])
    with pytest.raises(BudgetExceededError, match=r"no known price.*catalog\.register"):
        check_budget(cost, budget=100.0)
    check_budget(cost, budget=None)  # without a budget it is allowed, shown as unknown


def test_a_take_costs_what_its_server_charges() -> None:
    request = VideoRequest(prompt="a", model="sora-2", seconds=4)
    paid = estimate([request] * 2, charges="dollars")
    assert str(paid) == "2 takes, about $0.80"
    free = estimate([request] * 2, charges="nothing")
    assert free.total == 0.0 and free.free == 2
    assert str(free) == (
        "2 takes, $0.00 (it would cost $0.80 on sora-2; the offline animatic charges nothing)"
    )
    check_budget(free, budget=0.0)  # nothing is charged, so even a $0 budget holds
    own = estimate([request], charges="gpu")
    assert (own.total, own.gpu) == (0.0, 1)
    assert "$" not in str(own)
    unknown = estimate([VideoRequest(prompt="a", model="veo-3.1")], charges="nothing")
    assert str(unknown) == "1 take, $0.00"


def test_a_fresh_sessions_first_run_without_waiting_prices_and_finishes(tmp_path: Path) -> None:
    """The runner prices each take by the server's answer; a Session whose first call is
    ``run(..., wait=False)`` used to ask for it from inside its own loop and fail."""
    session = Session(tmp_path)
    request = VideoRequest(prompt="A red kite over the sea.", size="1280x720", seconds=4)
    [take] = session.run([request], wait=False)
    eventually(lambda: take.done, "the take to finish on the bundled server", 60)
    assert (take.status, take.error, take.cost) == ("completed", None, 0.0)
    session.ledger.close()
