"""Every lint rule, table-driven: one prompt that triggers it and one that does not."""

from __future__ import annotations

import importlib

import pytest

from sora_nb.prompt import DialogueLine, LintIssue, Prompt, Shot, lint, parse
from sora_nb.prompt.lint import MAX_PROMPT_CHARS, REAL_PEOPLE, RULES

LONG_DIALOGUE = Prompt(
    subject="two friends on a bench",
    dialogue=[
        DialogueLine(
            speaker="Ana", line="I kept every letter you sent me from the coast that year"
        ),
        DialogueLine(speaker="Ben", line="Then you know why I never came back to the city at all"),
    ],
)
SHORT_DIALOGUE = Prompt(
    subject="two friends on a bench",
    dialogue=[
        DialogueLine(speaker="Ana", line="You came."),
        DialogueLine(speaker="Ben", line="Yes."),
    ],
)

# (code, prompt that triggers it, prompt that does not, clip seconds)
CASES: list[tuple[str, Prompt | str, Prompt | str, float | None]] = [
    (
        "one-move-per-shot",
        "Wide shot of a dancer on a stage, slow push-in, then pans left to the band.",
        "Wide shot of a dancer on a stage, slow push-in, handheld.",
        None,
    ),
    (
        "one-action-per-shot",
        "Shot 1: A cat on a sill.\nActions:\n- walks to the window\n- opens the curtain",
        "Shot 1: A cat on a sill.\nActions:\n- takes four steps to the window, pauses",
        None,
    ),
    ("dialogue-too-long", LONG_DIALOGUE, SHORT_DIALOGUE, 4),
    ("parameter-in-prose", "A fox in the snow, in 4K.", "A fox in the snow, 35mm.", None),
    (
        "parameter-in-prose",
        "A fox in the snow, 20 seconds long.",
        "A fox waits for 3 seconds.",
        None,
    ),
    ("parameter-in-prose", "A vertical video of a fox.", "A fox on a vertical cliff face.", None),
    (
        "parameter-in-prose",
        "A fox at dusk, vertical.",
        "A fox climbs, vertical cliffs behind.",
        None,
    ),
    (
        "contradiction",
        "A city street at night under the midday sun.",
        "A city street at night.",
        None,
    ),
    (
        "contradiction",
        "Close-up of a face, shallow depth of field, deep focus.",
        "Close-up of a face, shallow depth of field.",
        None,
    ),
    (
        "contradiction",
        "Clear skies over a harbour in heavy rain.",
        "Heavy rain over a harbour.",
        None,
    ),
    ("too-many-characters", "Five dancers spin in a circle.", "Two dancers spin in a circle.", 4),
    ("too-long", "A cat. " * 5000, "A cat.", None),
    ("empty", "", "A cat.", None),
    (
        "shots-overrun",
        "Shot 1 (4 s): a door opens.\nShot 2 (4 s): a cat walks in.",
        "Shot 1 (2 s): a door opens.\nShot 2 (2 s): a cat walks in.",
        4,
    ),
    ("guardrail-real-person", "Taylor Swift walks a dog.", "A young singer walks a dog.", None),
    (
        "guardrail-copyrighted-character",
        "Spider-Man swings over a rooftop.",
        "A masked acrobat swings over a rooftop.",
        None,
    ),
    ("palette-size", "Palette: amber, teal", "Palette: amber, teal, rust", None),
    ("palette-size", "Palette: " + ", ".join(["red"] * 6), "Palette: amber, teal, rust", None),
    (
        "guardrail-copyrighted-music",
        "Music: a song by Queen",
        "Music: a slow piano waltz",
        None,
    ),
]


def _codes(prompt: Prompt | str, seconds: float | None) -> list[str]:
    return [issue.code for issue in lint(prompt, seconds=seconds)]


@pytest.mark.parametrize(("code", "bad", "good", "seconds"), CASES, ids=[c[0] for c in CASES])
def test_rule_triggers_on_one_prompt_and_not_the_other(
    code: str, bad: Prompt | str, good: Prompt | str, seconds: float | None
) -> None:
    assert code in _codes(bad, seconds)
    assert code not in _codes(good, seconds)


def test_every_rule_has_a_case() -> None:
    # A rule added without a row in CASES fails here rather than going untested.
    codes = {c[0] for c in CASES}
    assert len(RULES) == 11  # the eleventh, the cast, needs the characters: its own test below
    assert codes == {
        "one-move-per-shot", "one-action-per-shot", "dialogue-too-long", "parameter-in-prose",
        "contradiction", "too-many-characters", "too-long", "empty", "shots-overrun",
        "guardrail-real-person", "guardrail-copyrighted-character", "guardrail-copyrighted-music",
        "palette-size",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("prompt", "characters", "found"),
    [
        ("Maya walks in the rain.", ["Maya"], []),
        ("MAYA walks; Maya's coat is red.", ["Maya"], []),
        ("A woman walks in the rain.", ["Maya"], ["character-not-named"]),
        ("Mayan ruins at dawn.", ["Maya"], ["character-not-named"]),
        ("Maya greets Theo.", ["Maya", "Theo"], []),
        ("Maya, Theo and Ada.", ["Maya", "Theo", "Ada"], ["too-many-cast"]),
    ],
)
def test_characters_sent_must_be_named_and_two_at_most(
    prompt: str, characters: list[str], found: list[str]
) -> None:
    issues = lint(prompt, characters=characters)
    assert [i.code for i in issues if i.code in ("character-not-named", "too-many-cast")] == found
    for issue in issues:
        if issue.code == "character-not-named":
            assert issue.severity == "warning" and "Write Maya in it, verbatim" in issue.message


def test_messages_say_what_to_do() -> None:
    [issue] = [i for i in lint(LONG_DIALOGUE, seconds=4) if i.code == "dialogue-too-long"]
    assert "25 words" in issue.message and "4 s" in issue.message
    assert "Cut it to about" in issue.message
    [move] = lint("Wide shot, slow push-in then pans left.")
    assert "push-in (dolly in) and pan" in move.message
    assert "keep one" in move.message


def test_too_long_is_an_error_with_the_numbers() -> None:
    [issue] = [i for i in lint("A cat. " * 5000) if i.code == "too-long"]
    assert issue.severity == "error"
    assert f"{MAX_PROMPT_CHARS:,}" in issue.message


def test_issues_in_a_shot_name_the_shot() -> None:
    p = Prompt(
        shots=[Shot(description="A door."), Shot(description="Slow push-in, then pans left.")]
    )
    [issue] = lint(p)
    assert issue.shot == 2
    assert str(issue).startswith("warning: Shot 2: ")


def test_dialogue_fits_a_longer_clip_and_the_assumed_length_is_said() -> None:
    assert "dialogue-too-long" not in _codes(LONG_DIALOGUE, 12)
    [issue] = [i for i in lint(LONG_DIALOGUE) if i.code == "dialogue-too-long"]
    assert "assumed" in issue.message


def test_shot_durations_are_the_clip_length_when_none_is_given() -> None:
    p = parse("Four dancers spin.\nShot 1 (6 s): wide.\nShot 2 (6 s): close-up.")
    assert "too-many-characters" not in _codes(p, None)  # 12 s: up to four characters
    assert "too-many-characters" in _codes(p, 4)


def test_the_guardrail_lists_are_editable(monkeypatch: pytest.MonkeyPatch) -> None:
    # The package re-exports the lint() function under the module's name, so reach the module
    # itself through sys.modules, as `from sora_nb.prompt.lint import REAL_PEOPLE` does.
    module = importlib.import_module("sora_nb.prompt.lint")
    monkeypatch.setattr(module, "REAL_PEOPLE", [*REAL_PEOPLE, "Ada Lovelace"])
    assert "guardrail-real-person" in _codes("Ada Lovelace at a loom.", None)


def test_a_clean_prompt_has_no_issues() -> None:
    assert (
        lint(
            "Medium shot of a runner on a foggy morning trail; natural camera shake; warm sunrise "
            "light filtering through trees; soft footsteps and birdsong.",
            seconds=8,
        )
        == []
    )


def test_bad_seconds_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="seconds is a clip length"):
        lint("A cat.", seconds="soon")


def test_action_beats_of_a_single_clip_are_a_note_and_of_a_shot_a_warning() -> None:
    single = [
        i for i in lint("Actions:\n- steps in\n- looks up") if i.code == "one-action-per-shot"
    ]
    assert [i.severity for i in single] == ["info"]
    shot = lint("Shot 1: a hall.\nActions:\n- steps in\n- looks up\nShot 2: a door.")
    assert [(i.severity, i.shot) for i in shot if i.code == "one-action-per-shot"] == [
        ("warning", 1)
    ]


def test_issue_is_a_value() -> None:
    issue = LintIssue(code="x", severity="info", message="m")
    assert str(issue) == "info: m"


def test_a_contradiction_in_the_whole_prompt_is_said_once_not_per_shot() -> None:
    p = parse("A harbour at night under the midday sun.\nShot 1: boats.\nShot 2: gulls.")
    issues = [i for i in lint(p) if i.code == "contradiction"]
    assert len(issues) == 1 and issues[0].shot is None
    q = parse("A harbour at night.\nShot 1: boats.\nShot 2: gulls in bright midday sun.")
    [issue] = [i for i in lint(q) if i.code == "contradiction"]
    assert issue.shot == 2
