"""The model catalog: what each model renders and costs, checked before anything is sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from sora_nb import catalog
from sora_nb.catalog import CatalogError, ModelProfile, Price

BEFORE_MARCH = dt.date(2026, 2, 1)
AFTER_MARCH = dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def _pristine_registry() -> Iterator[None]:
    # Tests register profiles; put the shipped catalog back whatever they did.
    saved = dict(catalog._REGISTRY)
    yield
    catalog._REGISTRY.clear()
    catalog._REGISTRY.update(saved)


def test_the_shipped_models_and_snapshots() -> None:
    hosted = [p for p in catalog.models() if not p.open_weights]
    names = [p.name for p in hosted]
    assert names[:2] == ["sora-2", "sora-2-pro"]
    assert set(names) == {
        "sora-2",
        "sora-2-pro",
        "sora-2-2025-10-06",
        "sora-2-pro-2025-10-06",
        "sora-2-2025-12-08",
    }
    for profile in hosted:
        assert profile.audio and profile.image_input
        assert profile.retired_on == dt.date(2026, 9, 24)
    assert catalog.get_profile("sora-2-2025-12-08").snapshot_of == "sora-2"  # type: ignore[union-attr]


def test_what_sora_2_and_sora_2_pro_render() -> None:
    sora2 = catalog.get_profile("sora-2")
    pro = catalog.get_profile("sora-2-pro")
    assert sora2 is not None and pro is not None
    assert sora2.sizes_on(AFTER_MARCH) == ("1280x720", "720x1280")
    assert pro.sizes_on(BEFORE_MARCH) == ("1280x720", "720x1280", "1792x1024", "1024x1792")
    assert pro.sizes_on(AFTER_MARCH)[-2:] == ("1920x1080", "1080x1920")
    assert sora2.seconds_on(BEFORE_MARCH) == ("4", "8", "12")
    assert sora2.seconds_on(AFTER_MARCH) == ("4", "8", "12", "16", "20")


def test_snapshots_keep_the_abilities_they_shipped_with() -> None:
    snapshot = catalog.get_profile("sora-2-pro-2025-10-06")
    assert snapshot is not None
    assert snapshot.seconds_on(AFTER_MARCH) == ("4", "8", "12")
    assert "1920x1080" not in snapshot.sizes_on(AFTER_MARCH)
    assert snapshot.price("1920x1080") is None


def test_a_size_the_model_cannot_render_names_the_model_that_can() -> None:
    with pytest.raises(CatalogError) as caught:
        catalog.check_request("sora-2", size="1792x1024", on=AFTER_MARCH)
    assert str(caught.value) == ("sora-2 renders 1280x720 or 720x1280; 1792x1024 needs sora-2-pro.")
    assert caught.value.param == "size"


def test_a_duration_a_snapshot_lacks_names_the_aliases_that_have_it() -> None:
    with pytest.raises(CatalogError) as caught:
        catalog.check_request("sora-2-2025-10-06", seconds=16, on=AFTER_MARCH)
    assert str(caught.value) == (
        "sora-2-2025-10-06 renders 4, 8 or 12 seconds; 16 seconds needs sora-2 or sora-2-pro."
    )
    assert caught.value.param == "seconds"


def test_an_addition_requested_before_its_day_says_when_it_arrives() -> None:
    with pytest.raises(CatalogError, match="1920x1080 is available from 2026-03-01"):
        catalog.check_request("sora-2-pro", size="1920x1080", on=BEFORE_MARCH)
    assert catalog.check_request("sora-2-pro", size="1920x1080", on=AFTER_MARCH) is not None


def test_a_value_no_model_offers_says_so() -> None:
    with pytest.raises(CatalogError, match="25 seconds is not offered by any model the catalog"):
        catalog.check_request("sora-2", seconds="25")


def test_a_refusal_names_a_model_the_server_in_use_serves_that_would_take_it() -> None:
    # No hosted model renders 7 s, but LTX-2 does: named where the server serves it.
    with pytest.raises(CatalogError, match=r"7 seconds needs LTX-2 or HunyuanVideo-1\.5"):
        catalog.check_request("sora-2", seconds="7", served=["sora-2", "LTX-2", "HunyuanVideo-1.5"])
    with pytest.raises(CatalogError, match="7 seconds is not offered by any model this server"):
        catalog.check_request("sora-2", seconds="7", served=["sora-2", "sora-2-pro"])


def test_a_valid_request_returns_its_profile_and_sizes_are_read_loosely() -> None:
    profile = catalog.check_request("sora-2", size=" 1280X720 ", seconds=8, has_reference=True)
    assert profile is not None and profile.name == "sora-2"


def test_an_unknown_model_is_allowed_with_an_unknown_cost() -> None:
    assert catalog.check_request("veo-3.1", size="1920x1080", seconds=7) is None
    assert catalog.estimate_cost("veo-3.1", "1920x1080", 8) is None


@pytest.mark.parametrize(("size", "seconds"), [("1280 by 720", 8), ("1280x720", "eight")])
def test_malformed_values_are_refused_even_for_unknown_models(size: str, seconds: object) -> None:
    with pytest.raises(CatalogError, match=r"like 1280x720|whole number like 8"):
        catalog.check_request("veo-3.1", size=size, seconds=seconds)  # type: ignore[arg-type]


@pytest.mark.parametrize(("seconds"), [0, 8.5, True, "-4"])
def test_seconds_must_be_a_positive_whole_number(seconds: object) -> None:
    with pytest.raises(CatalogError, match="whole number like 8") as caught:
        catalog.check_request("sora-2", seconds=seconds)  # type: ignore[arg-type]
    assert caught.value.param == "seconds"


def test_costs_by_size_and_duration() -> None:
    assert catalog.estimate_cost("sora-2", "1280x720", 8) == pytest.approx(0.8)
    assert catalog.estimate_cost("sora-2-pro", "1792x1024", "12") == pytest.approx(6.0)
    assert catalog.estimate_cost("sora-2-pro", "720x1280", 4) == pytest.approx(1.2)
    # A size the model does not price has an unknown cost, never zero.
    assert catalog.estimate_cost("sora-2", "1792x1024", 4) is None
    unconfirmed = catalog.get_profile("sora-2-pro").price("1920x1080")  # type: ignore[union-attr]
    assert unconfirmed is not None and not unconfirmed.confirmed


def test_retirement_on_api_openai_com() -> None:
    sora2 = catalog.get_profile("sora-2")
    assert sora2 is not None
    assert not sora2.retired(dt.date(2026, 9, 23))
    assert sora2.retired(dt.date(2026, 9, 24))


def test_a_model_without_image_input_refuses_a_reference() -> None:
    catalog.register(
        ModelProfile(name="text-only", sizes=("1280x720",), seconds=(4,), image_input=False)
    )
    with pytest.raises(
        CatalogError,
        match="text-only takes no input_reference image; an input_reference needs sora-2 or",
    ):
        catalog.check_request("text-only", has_reference=True)


def test_users_register_their_own_profiles() -> None:
    veo = ModelProfile(
        name="veo-3.1",
        sizes=("1280x720", "1920x1080"),
        seconds=(4, 6, 8),
        prices={"1920x1080": Price(per_second=0.4)},
        notes="Behind our gateway.",
    )
    assert catalog.register(veo) is veo
    assert veo.seconds == ("4", "6", "8")
    assert catalog.estimate_cost("veo-3.1", "1920x1080", 8) == pytest.approx(3.2)
    with pytest.raises(CatalogError, match=r"veo-3\.1 renders 1280x720 or 1920x1080"):
        catalog.check_request("veo-3.1", size="720x1280")
    assert catalog.models()[-1] is veo
    catalog.unregister("veo-3.1")
    assert catalog.get_profile("veo-3.1") is None


def test_replacing_a_profile_needs_replace_and_unregister_restores_a_builtin() -> None:
    wider = catalog.get_profile("sora-2").model_copy(  # type: ignore[union-attr]
        update={"sizes": ("1280x720", "720x1280", "1792x1024")}
    )
    with pytest.raises(CatalogError, match="pass replace=True"):
        catalog.register(wider)
    catalog.register(wider, replace=True)
    assert catalog.check_request("sora-2", size="1792x1024") is wider
    catalog.unregister("sora-2")
    with pytest.raises(CatalogError, match="needs sora-2-pro"):
        catalog.check_request("sora-2", size="1792x1024")


def test_a_profile_must_be_consistent() -> None:
    with pytest.raises(ValidationError, match="should be width x height"):
        ModelProfile(name="bad", sizes=("hd",), seconds=(4,))
    with pytest.raises(ValidationError, match="prices given for sizes bad does not render"):
        ModelProfile(
            name="bad", sizes=("1280x720",), seconds=(4,), prices={"720x1280": Price(per_second=1)}
        )
    with pytest.raises(ValidationError):
        Price(per_second=-1)


def test_a_reference_image_must_match_the_size_and_be_a_supported_type() -> None:
    catalog.check_reference("1280x720", "image/png", 1280, 720)
    with pytest.raises(CatalogError, match="resize or crop it to exactly 1280x720") as caught:
        catalog.check_reference("1280x720", "image/jpeg", 720, 1280)
    assert caught.value.param == "input_reference"
    with pytest.raises(CatalogError, match="not image/gif; convert"):
        catalog.check_reference("1280x720", "image/gif", 1280, 720)


def test_the_catalog_imports_nothing_of_the_api_layer() -> None:
    import subprocess
    import sys

    probe = "import sys, sora_nb.catalog; print('sora_nb.api' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
