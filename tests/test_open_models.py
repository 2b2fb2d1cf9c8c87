"""The open models in the catalog: served names, frame rules, defaults and their sources."""

from __future__ import annotations

import pytest

from sora_nb import catalog
from sora_nb.notebook import functions
from sora_nb.runs.cost import estimate
from sora_nb.runs.request import VideoRequest

OPEN = ("Wan2.1-T2V-1.3B", "Wan2.2-TI2V-5B", "Wan2.2-T2V-A14B", "LTX-2", "HunyuanVideo-1.5")
FIGURES = ("sizes", "fps", "frame_rule", "default_frames", "default_steps", "default_guidance")


@pytest.mark.parametrize("name", OPEN)
def test_every_figure_of_an_open_model_names_its_source(name: str) -> None:
    profile = catalog.get_profile(name)
    assert profile is not None and profile.open_weights
    for figure in FIGURES:
        assert getattr(profile, figure) is not None, f"{name} has no {figure}"
        source = profile.sources.get(figure, "")
        assert "https://" in source or "UNVERIFIED" in source, f"{name}.{figure}: {source!r}"
    assert catalog.estimate_cost(name, profile.default_size, 4) is None  # GPU time, no price


def test_engines_checkpoint_names_are_the_catalog_models() -> None:
    assert catalog.get_profile("Wan-AI/Wan2.2-T2V-A14B-Diffusers").name == "Wan2.2-T2V-A14B"  # type: ignore[union-attr]
    assert catalog.get_profile("wan-ai/wan2.1-t2v-1.3b-diffusers").name == "Wan2.1-T2V-1.3B"  # type: ignore[union-attr]
    assert catalog.same_model("LTX-2", "Lightricks/LTX-2")
    assert not catalog.same_model("Wan2.2-TI2V-5B", "Wan-AI/Wan2.2-T2V-A14B-Diffusers")
    i2v = catalog.get_profile("hunyuanvideo-community/HunyuanVideo-1.5-Diffusers-480p_i2v")
    assert i2v is not None and i2v.image_input


def test_frame_rules_and_lengths() -> None:
    wan = catalog.get_profile("Wan2.2-T2V-A14B")
    ltx = catalog.get_profile("LTX-2")
    ti2v = catalog.get_profile("Wan2.2-TI2V-5B")
    assert wan is not None and ltx is not None and ti2v is not None
    assert (wan.frame_rule, wan.fps, wan.default_seconds) == ((4, 1), 16, 5)
    assert wan.frames_for(5) == 81 and wan.frames_for(3) == 49 and wan.frames_for(9) == 81
    assert ltx.frame_rule == (8, 1) and ltx.frames_for(5) == 121 and ltx.frames_for(2) == 49
    assert ti2v.frames_for(5) == 121 and ti2v.default_size == "1280x704"
    catalog.check_request("Wan2.2-T2V-A14B", size="832x480", num_frames=81)
    with pytest.raises(catalog.CatalogError, match=r"makes 4k\+1 frames .* use 77 or 81"):
        catalog.check_request("Wan2.2-T2V-A14B", num_frames=80)
    with pytest.raises(catalog.CatalogError, match="at most 81 frames"):
        catalog.check_request("Wan2.2-T2V-A14B", num_frames=85)
    with pytest.raises(catalog.CatalogError, match="makes 8k\\+1 frames"):
        catalog.check_request("LTX-2", num_frames=120)
    # TI2V-5B's 720p is 1280x704: 1280x720 is refused, saying what it renders.
    with pytest.raises(catalog.CatalogError, match="renders 1280x704 or 704x1280"):
        catalog.check_request("Wan2.2-TI2V-5B", size="1280x720")
    # LTX-2 takes any size in multiples of 32.
    catalog.check_request("LTX-2", size="960x544")
    with pytest.raises(catalog.CatalogError, match="multiples of 32"):
        catalog.check_request("LTX-2", size="1280x720")


def test_open_models_cost_gpu_time_never_a_price_or_zero() -> None:
    cost = estimate([VideoRequest(prompt="a", model="Wan2.2-T2V-A14B", size="832x480")] * 2)
    assert (cost.gpu, cost.unknown, cost.total) == (2, 0, 0.0)
    assert str(cost) == "2 takes, GPU time (no earlier takes like these to go by)"
    mixed = estimate(
        [
            VideoRequest(prompt="a", model="sora-2"),
            VideoRequest(prompt="a", model="LTX-2", size="768x512"),
        ]
    )
    assert mixed.price_text() == "about $0.40 and GPU time (no earlier takes like these to go by)"
    rows = {row["model"]: row for row in functions.models()}
    assert rows["LTX-2"]["usd_per_second"] == "GPU time" and rows["LTX-2"]["audio"]
    assert rows["Wan2.1-T2V-1.3B"]["frames"] == "4k+1, 81 by default"
