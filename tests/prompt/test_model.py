"""The Prompt object: vocabulary slugs and labels, free text, shots inheriting the rest."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sora_nb.prompt import (
    FRAMING,
    MOVEMENT,
    Camera,
    Lighting,
    Prompt,
    Shot,
    Vocabulary,
    lookup,
    parse,
    render,
)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("dolly in", ("movement", "push-in")),
        ("slow push", ("movement", "push-in")),
        ("push-in", ("movement", "push-in")),
        ("Push-in (dolly in)", ("movement", "push-in")),
        ("arc", ("movement", "orbit")),
        ("orbit", ("movement", "orbit")),
        ("camera shake", ("movement", "handheld")),
        ("golden hour", ("time_of_day", "golden-hour")),
        ("sunset", ("time_of_day", "golden-hour")),
        ("neon night", ("time_of_day", "night")),
        ("Medium close-up", ("framing", "medium-close-up")),
        ("MCU", ("framing", "medium-close-up")),
        ("worm's eye view", ("angle", "low")),
        ("a beautiful angle", None),
    ],
)
def test_lookup_maps_common_words_to_slugs(words: str, expected: tuple[str, str] | None) -> None:
    assert lookup(words) == expected


def test_lookup_in_one_vocabulary_and_a_clear_error_for_an_unknown_one() -> None:
    assert lookup("handheld", "rig") == ("rig", "handheld")
    with pytest.raises(KeyError, match="no vocabulary named 'lens'; use one of: framing"):
        lookup("35mm", "lens")


def test_every_slug_has_a_human_label_used_when_rendering() -> None:
    assert FRAMING.label("medium-close-up") == "Medium close-up"
    assert MOVEMENT.label("push-in") == "Push-in (dolly in)"
    assert "Camera movement: Push-in (dolly in)" in render(
        Prompt(camera=Camera(movement="push-in"))
    )


def test_fields_store_slugs_and_keep_free_text() -> None:
    camera = Camera(framing="Medium close-up", movement="dolly in", rig="gimbal")
    assert (camera.framing, camera.movement, camera.rig) == (
        "medium-close-up",
        "push-in",
        "steadicam",
    )
    assert Camera(movement="a slow figure-eight").movement == "a slow figure-eight"
    camera.movement = "arc"  # assignment is validated too
    assert camera.movement == "orbit"


def test_a_vocabulary_can_grow() -> None:
    vocab = Vocabulary("movement-test")
    vocab.add("whip-pan", "Whip pan", ["whip pan", "swish pan"])
    assert vocab.lookup("swish pan") == "whip-pan"
    assert [slug for slug, _ in vocab.scan("a fast swish-pan to the door")] == ["whip-pan"]
    vocab.add("whip-pan", aliases=["flick pan"])  # extending keeps the old words
    assert vocab.lookup("flick pan") == vocab.lookup("whip pan") == "whip-pan"
    with pytest.raises(ValueError, match="non-empty slug"):
        vocab.add("  ")


def test_growing_a_builtin_vocabulary_reaches_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse("A snail crosses a leaf, snorricam.").camera.movement is None
    monkeypatch.setattr(MOVEMENT, "terms", dict(MOVEMENT.terms))
    monkeypatch.setattr(MOVEMENT, "_index", dict(MOVEMENT._index))
    monkeypatch.setattr(MOVEMENT, "_scannable", set(MOVEMENT._scannable))
    MOVEMENT.add("snorricam", "Snorricam (body mount)", ["snorricam"])
    assert parse("A snail crosses a leaf, snorricam.").camera.movement == "snorricam"
    MOVEMENT._pattern = MOVEMENT._first_words = MOVEMENT._words = None
    MOVEMENT.version += 1


def test_shots_inherit_what_they_leave_unset() -> None:
    p = Prompt(
        action=["walks"],
        camera=Camera(framing="wide", lens_mm=35, movement="static"),
        lighting=Lighting(key="soft window light", sources=["window"]),
        shots=[
            Shot(camera=Camera(framing="close-up"), seconds=2),
            Shot(action=["turns"], lighting=Lighting(key="neon")),
        ],
    )
    first, second = p.resolved_shots()
    assert first.camera == Camera(framing="close-up", lens_mm=35, movement="static")
    assert first.action == ["walks"] and first.lighting.key == "soft window light"
    assert first.seconds == 2
    assert second.camera.framing == "wide"
    assert second.action == ["turns"]
    assert second.lighting == Lighting(key="neon", sources=["window"])
    assert p.shots[0].camera.lens_mm is None  # the Prompt itself is unchanged


def test_a_prompt_without_shots_is_one_shot() -> None:
    p = parse("Close-up of a kettle, slow push-in.")
    [shot] = p.resolved_shots()
    assert shot.description == p.prose
    assert shot.camera.movement == "push-in"


def test_parse_and_render_are_methods_too() -> None:
    p = Prompt.parse("Subject: a heron\nMood: calm")
    assert p.render() == str(p) == "Subject: a heron\nMood: calm"


def test_invalid_values_are_refused_with_the_field_named() -> None:
    with pytest.raises(ValidationError, match="lens_mm"):
        Camera(lens_mm=0)
    with pytest.raises(ValidationError, match="seconds"):
        Shot(seconds=-1)
    with pytest.raises(ValidationError, match="extra"):
        Prompt(colour="red")  # type: ignore[call-arg]
