"""Parsing the ways people write a shot: prose, labelled clauses, the cookbook layout, shots."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sora_nb.prompt import Camera, parse, render

RUNNER = (
    "Medium shot of a runner on a foggy morning trail; natural camera shake; warm sunrise light "
    "filtering through trees; soft footsteps and birdsong."
)


def test_free_prose_fills_subject_action_setting_camera_light_and_sound() -> None:
    p = parse(RUNNER)
    assert p.prose == RUNNER  # the user's words, verbatim
    assert p.subject == "a runner"
    assert p.action == ["running"]
    assert p.scene.setting == "a foggy morning trail"
    assert p.scene.time_of_day == "morning"
    assert p.scene.weather == "fog"
    assert p.camera.framing == "medium"
    assert p.camera.movement == "handheld"
    assert p.lighting.key == "warm sunrise light filtering through trees"
    assert p.lighting.sources == ["sun"]
    assert p.audio.effects == ["soft footsteps"]
    assert p.audio.ambience == ["birdsong"]


def test_shot_blocks_on_one_line_become_two_shots_each_with_its_own_camera() -> None:
    p = parse(
        "Shot 1: Wide establishing shot of a harbour at dawn, slow push-in. / "
        "Shot 2: Close-up of the keeper's hands coiling rope, handheld."
    )
    assert len(p.shots) == 2
    assert p.shots[0].camera.framing == "wide"
    assert p.shots[0].camera.movement == "push-in"
    assert p.shots[1].camera.framing == "close-up"
    assert p.shots[1].camera.movement == "handheld"
    assert p.shots[1].action == ["coiling rope"]
    assert p.scene.time_of_day == "dawn"


def test_shot_blocks_on_separate_lines_keep_durations() -> None:
    p = parse(
        "Shot 1 (4 s): A kettle on a stove, static shot.\nShot 2 (0-2.5 s): Steam rises, tilt up"
    )
    assert [s.seconds for s in p.shots] == [4.0, 2.5]
    assert p.shots[0].camera.movement == "static"
    assert p.shots[1].camera.movement == "tilt"


def test_paragraphs_under_a_shots_heading_are_one_shot_each() -> None:
    p = parse("Shots:\nAerial view of a glacier.\n\nClose-up of ice cracking, 100 mm lens.")
    assert [s.description for s in p.shots] == [
        "Aerial view of a glacier.",
        "Close-up of ice cracking, 100 mm lens.",
    ]
    assert p.shots[0].camera.framing == "aerial"
    assert p.shots[1].camera.lens_mm == 100.0


def test_labelled_clauses_set_fields_and_win_over_prose() -> None:
    p = parse(
        "A chef plates a dessert in a tiny kitchen, close-up.\n"
        "Camera: medium close-up, low angle, slow dolly in, 50mm, f/2, shallow depth of field\n"
        "Lighting: soft window light from the left with warm practicals\n"
        "Mood: intimate\n"
        "Avoid: text on screen; logos"
    )
    assert p.camera == Camera(
        framing="medium-close-up",
        angle="low",
        movement="push-in",
        lens_mm=50.0,
        aperture=2.0,
        depth_of_field="shallow",
    )
    assert p.lighting.key == "soft window light from the left with warm practicals"
    assert p.lighting.quality == "soft"
    assert p.lighting.direction == "side"
    assert p.lighting.sources == ["window", "practicals"]
    assert p.mood == "intimate"
    assert p.avoid == ["text on screen", "logos"]
    assert p.subject == "A chef"


def test_cookbook_layout() -> None:
    text = """In a 1970s kitchen, a grandmother rolls dough at a flour-dusted table.

Cinematography:
Camera shot: wide establishing, eye level
Lens: 32mm spherical prime; deep focus
Lighting + palette: soft window light with warm lamp fill; palette: amber, cream, walnut brown
Mood: nostalgic, tender

Actions:
- She presses the dough flat with both palms.
- She looks up and smiles at the camera.

Dialogue:
- Grandmother: "Again, but slower this time."
- Child: "Like this?"

Background Sound:
Radio murmur, rain on the window, a kettle starting to whistle.
"""
    p = parse(text)
    assert p.prose == "In a 1970s kitchen, a grandmother rolls dough at a flour-dusted table."
    assert p.camera.framing == "wide"
    assert p.camera.angle == "eye-level"
    assert p.camera.lens_mm == 32.0
    assert p.camera.depth_of_field == "deep"
    assert p.lighting.key == "soft window light with warm lamp fill"
    assert p.palette == ["amber", "cream", "walnut brown"]
    assert p.mood == "nostalgic, tender"
    assert p.action == [
        "She presses the dough flat with both palms.",
        "She looks up and smiles at the camera.",
    ]
    assert [(d.speaker, d.line) for d in p.dialogue] == [
        ("Grandmother", "Again, but slower this time."),
        ("Child", "Like this?"),
    ]
    assert "Radio murmur" in p.audio.ambience
    assert "rain on the window" in p.audio.ambience
    assert "a kettle starting to whistle" in p.audio.effects


def test_vocabulary_words_map_to_slugs() -> None:
    assert parse("Camera movement: dolly in").camera.movement == "push-in"
    assert parse("Camera movement: arc").camera.movement == "orbit"
    assert parse("Time of day: sunset").scene.time_of_day == "golden-hour"
    assert parse("Time of day: neon night").scene.time_of_day == "night"


def test_free_text_beyond_the_vocabulary_is_kept() -> None:
    p = parse("Camera movement: a lazy figure-eight around the dancers")
    assert p.camera.movement == "a lazy figure-eight around the dancers"


def test_empty_text_is_an_empty_prompt() -> None:
    p = parse("")
    assert p.prose is None
    assert p.resolved_shots()[0].camera == Camera()


def test_labels_inline_after_a_sentence_are_clauses() -> None:
    p = parse("A heron waits in the reeds. Camera: static, 200mm. Lighting: soft dawn haze.")
    assert p.prose == "A heron waits in the reeds."
    assert p.camera.movement == "static"
    assert p.camera.lens_mm == 200.0
    assert p.lighting.key == "soft dawn haze."
    assert p.subject == "A heron"
    assert p.action == ["waits"]
    assert p.scene.setting == "the reeds"


def test_a_timed_shot_list_becomes_shots_with_durations() -> None:
    p = parse("0.00–2.40 s: 32 mm, slow dolly left along the pier\n2.40–4.00 s: close-up, static")
    assert [s.seconds for s in p.shots] == pytest.approx([2.4, 1.6])
    assert p.shots[0].camera.lens_mm == 32.0
    assert p.shots[0].camera.movement == "truck"
    assert p.shots[1].camera.movement == "static"


def test_camera_words_the_fields_cannot_hold_are_kept_as_notes() -> None:
    p = parse("Lens: 32mm spherical prime; deep focus\nFiltration: Black Pro-Mist 1/4")
    assert p.camera.lens_mm == 32.0
    assert p.camera.depth_of_field == "deep"
    assert p.camera.notes == "spherical prime; Black Pro-Mist 1/4"
    q = parse("Camera: 35mm, anamorphic 2x squeeze, slow push-in")
    assert q.camera.notes == "anamorphic 2x squeeze"
    r = parse("Camera: slow push-in with gentle parallax; 35 mm virtual lens")
    assert r.camera.notes == "gentle parallax; virtual lens"
    assert "Camera notes: anamorphic 2x squeeze" in q.render()


def test_labels_in_a_shot_belong_to_that_shot() -> None:
    p = parse(
        "Style: anime\n\nShots:\n\nShot 1 (3 s): A paper boat in a gutter.\n"
        "Framing: extreme close-up\nKey light: streetlamp\n\nShot 2: The boat drifts away.\n"
        "Camera movement: crane up"
    )
    assert p.style == "anime"
    assert p.shots[0].camera.framing == "extreme-close-up"
    assert p.shots[0].lighting.key == "streetlamp"
    assert p.shots[1].camera.movement == "crane"
    assert p.camera.framing is None and p.lighting.key is None


def test_dialogue_without_a_speaker_and_continued_lines() -> None:
    p = parse('Dialogue:\n- "Is anyone there?"\nMara: Wait.\nI heard something.')
    assert [(d.speaker, d.line) for d in p.dialogue] == [
        ("Narrator", "Is anyone there?"),
        ("Mara", "Wait. I heard something."),
    ]


def test_parse_refuses_what_is_not_text() -> None:
    with pytest.raises(TypeError, match="not bytes"):
        parse(b"A cat")  # type: ignore[arg-type]


def test_a_place_named_first_is_the_setting() -> None:
    p = parse("In a 1970s kitchen, a grandmother rolls dough at a flour-dusted table.")
    assert p.scene.setting == "a 1970s kitchen"
    assert p.subject == "a grandmother"
    assert p.action == ["rolls dough"]


def test_a_long_head_is_no_subject_rather_than_a_wrong_one() -> None:
    p = parse("A very old and extremely tired grey fisherman from the northern coast mends nets")
    assert p.subject is None
    assert p.action == ["mends nets"]
    assert p.prose is not None and p.prose.startswith("A very old")  # still sent verbatim


def test_a_clause_on_a_shot_line_is_read_as_a_clause() -> None:
    p = parse("Shot 1: Camera: close-up, static\nShot 2: Lens: 0 mm")
    assert p.shots[0].camera.framing == "close-up"
    assert p.shots[0].camera.movement == "static"
    assert p.shots[0].description is None
    assert p.shots[1].camera.lens_mm is None  # a zero focal length is not a lens


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_parse_reads_any_text_and_its_render_is_stable(text: str) -> None:
    once = parse(render(parse(text)))
    assert parse(render(once)) == once


def test_a_paragraph_after_numbered_shots_speaks_for_the_whole_prompt() -> None:
    p = parse("Shot 1: A door opens.\nShot 2: A cat walks in.\n\nEverything is bathed in fog.")
    assert [s.description for s in p.shots] == ["A door opens.", "A cat walks in."]
    assert p.prose == "Everything is bathed in fog."
    assert p.scene.weather == "fog"
