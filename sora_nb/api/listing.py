"""Listing jobs: one page's query checked, and the pages followed in every dialect.

OpenAI's API and vLLM-Omni page with ``has_more`` and ``last_id``; LiteLLM re-encodes each
job's id but not ``last_id`` (so ``last_id`` is the cursor); SGLang and FastVideo send only
``data`` and refuse ``limit=0``, so a full page means "ask again after its last job".
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Literal

from sora_nb.api import errors
from sora_nb.api.types import Video, VideoList

Order = Literal["asc", "desc"] | None


def page_params(
    limit: int | None, order: Order, after: str | None, *, lowest: int
) -> dict[str, str | int]:
    """The query of one page, or an InvalidRequestError for a limit or order out of range."""
    params: dict[str, str | int] = {}
    if limit is not None:
        if not lowest <= limit <= 100:
            raise errors.InvalidRequestError(
                f"limit must be between {lowest} and 100, not {limit}.", param="limit"
            )
        params["limit"] = limit
    if order is not None:
        if order not in ("asc", "desc"):
            raise errors.InvalidRequestError(
                f"order must be 'asc' or 'desc', not {order!r}.", param="order"
            )
        params["order"] = order
    if after is not None:
        params["after"] = after
    return params


async def every_job(
    page: Callable[[int | None, Order, str | None], Awaitable[VideoList]],
    *,
    order: Order,
    after: str | None,
    page_size: int | None,
) -> AsyncGenerator[Video, None]:
    """Every job, following pages from ``page(limit, order, after)`` until the last."""
    seen_cursors: set[str] = set()
    while True:
        found = await page(page_size, order, after)
        for video in found.data:
            yield video
        # LiteLLM re-encodes data[].id but not last_id: page with last_id when it is sent.
        cursor = found.last_id or (found.data[-1].id if found.data else None)
        more = found.has_more
        if "has_more" not in found.model_fields_set:
            more = page_size is not None and len(found.data) >= page_size
        # A server that says "more" without a new cursor would loop forever: stop.
        if not more or cursor is None or cursor in seen_cursors:
            return
        seen_cursors.add(cursor)
        after = cursor
