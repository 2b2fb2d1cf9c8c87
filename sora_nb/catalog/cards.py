"""The built-in model cards: sora-2, sora-2-pro, their dated snapshots, and the open models.

Every figure here is data: the sizes, durations and prices each hosted model shipped with, the
day 1080p and 16/20 second clips arrived (March 2026), and the day the hosted API was retired.
The open models' cards live in :mod:`sora_nb.catalog.open_models`. :mod:`sora_nb.catalog` registers
all of them when it is first imported.
"""

from __future__ import annotations

import datetime as dt

from sora_nb.catalog.open_models import open_profiles
from sora_nb.catalog.profile import ModelProfile, Price

#: The day OpenAI shut down the hosted Videos API and the sora-2 models on api.openai.com.
OPENAI_RETIREMENT = dt.date(2026, 9, 24)
#: The day 1080p sizes and 16/20 second clips became available (March 2026).
MARCH_2026 = dt.date(2026, 3, 1)


def _builtin_profiles() -> list[ModelProfile]:
    hd = ("1920x1080", "1080x1920")
    march = {s: MARCH_2026 for s in (*hd, "16", "20")}
    sora2_prices = {s: Price(per_second=0.10) for s in ("1280x720", "720x1280")}
    pro_prices = {
        "1280x720": Price(per_second=0.30),
        "720x1280": Price(per_second=0.30),
        "1792x1024": Price(per_second=0.50),
        "1024x1792": Price(per_second=0.50),
        # Reported, not on OpenAI's price page when the API was retired.
        "1920x1080": Price(per_second=0.70, confirmed=False),
        "1080x1920": Price(per_second=0.70, confirmed=False),
    }
    sora2 = ModelProfile(
        name="sora-2",
        sizes=("1280x720", "720x1280"),
        seconds=("4", "8", "12", "16", "20"),
        prices=sora2_prices,
        added={k: v for k, v in march.items() if k not in hd},
        retired_on=OPENAI_RETIREMENT,
        notes="Fast, 720p, with synchronised audio.",
    )
    pro = ModelProfile(
        name="sora-2-pro",
        sizes=("1280x720", "720x1280", "1792x1024", "1024x1792", *hd),
        seconds=("4", "8", "12", "16", "20"),
        prices=pro_prices,
        added=march,
        retired_on=OPENAI_RETIREMENT,
        notes="Slower, higher fidelity, larger sizes.",
    )

    def snapshot(alias: ModelProfile, date: str) -> ModelProfile:
        sizes = tuple(s for s in alias.sizes if s not in hd)
        return alias.model_copy(
            update={
                "name": f"{alias.name}-{date}",
                "sizes": sizes,
                "seconds": ("4", "8", "12"),
                "prices": {s: p for s, p in alias.prices.items() if s in sizes},
                "added": {},
                "snapshot_of": alias.name,
                "notes": f"Dated snapshot of {alias.name}.",
            }
        )

    return [
        sora2,
        pro,
        snapshot(sora2, "2025-10-06"),
        snapshot(pro, "2025-10-06"),
        snapshot(sora2, "2025-12-08"),
        *open_profiles(),
    ]
