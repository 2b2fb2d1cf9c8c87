"""The ladder: variants of one prompt, strictly longer rung by rung, keeping the key clauses."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sora_nb.prompt import Prompt, ladder, lint, parse, render, word_count
from sora_nb.prompt.ladder import _WORDS, BASE, PRIORITY, estimate_tokens
from tests.prompt.strategies import PROSE_BITS, prompts, words

RUNNER = (
    "Medium shot of a runner on a foggy morning trail; natural camera shake; warm sunrise light "
    "filtering through trees; soft footsteps and birdsong."
)
KITCHEN = """In a small kitchen, a grandmother rolls dough at a flour-dusted table.

Style: 1970s film
Mood: nostalgic

Cinematography:
Framing: wide
Camera movement: slow push-in
Lens: 32 mm
Key light: soft window light
Palette: amber, cream, walnut brown

Actions:
- She presses the dough flat.

Dialogue:
- Grandmother: "Again, slower."

Background Sound:
Ambience: rain on the window
"""


def test_three_rungs_named_short_medium_long_and_strictly_longer() -> None:
    rungs = ladder(parse(KITCHEN))
    assert [r.level for r in rungs] == ["short", "medium", "long"]
    words = [r.words for r in rungs]
    assert words == sorted(set(words))  # strictly increasing
    assert all(r.words == word_count(r.text) for r in rungs)
    assert all(r.tokens == estimate_tokens(r.text) > 0 for r in rungs)


def test_short_keeps_subject_action_setting_and_long_keeps_everything() -> None:
    rungs = ladder(parse(KITCHEN))
    short, medium, long = rungs
    assert short.kept == ["subject", "action", "setting"]
    assert "a grandmother rolls dough" in short.text
    assert "She presses the dough flat." in short.text
    for dropped in ("Framing", "Palette", "Dialogue", "Ambience", "Style"):
        assert dropped not in short.text
    # Medium keeps the higher-priority half of the other nine clauses, in PRIORITY order.
    assert medium.kept == [
        "subject", "action", "setting", "framing", "style", "movement", "lighting"
    ]  # fmt: skip
    assert medium.dropped == ["mood", "lens", "palette", "dialogue", "sound"]
    assert "Framing: Wide shot" in medium.text and "Palette" not in medium.text
    assert long.dropped == []
    assert long.prompt == parse(KITCHEN)


def test_prose_is_cut_clause_by_clause_never_reworded() -> None:
    short, medium, long = ladder(RUNNER)
    assert short.text == "Medium shot of a runner on a foggy morning trail."
    assert medium.text == (
        "Medium shot of a runner on a foggy morning trail; natural camera shake; warm sunrise "
        "light filtering through trees."
    )
    assert long.text == RUNNER


def test_any_number_of_levels() -> None:
    rungs = ladder(parse(KITCHEN), levels=5)
    assert [r.level for r in rungs] == ["L1", "L2", "L3", "L4", "L5"]
    kept = [len(r.kept) for r in rungs]
    assert kept == sorted(set(kept))


def test_a_prompt_too_small_for_the_rungs_gives_fewer_but_keeps_the_longest() -> None:
    rungs = ladder(Prompt(subject="a cat", style="anime"), levels=3)
    assert [r.level for r in rungs] == ["short", "long"]
    assert rungs[-1].text == "Style: anime\nSubject: a cat"


@pytest.mark.parametrize("levels", [0, -1, 2.5, True])
def test_levels_must_be_a_positive_whole_number(levels: object) -> None:
    with pytest.raises(ValueError, match="levels is a whole number"):
        ladder(parse(KITCHEN), levels=levels)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(prompts)
def test_every_rung_is_a_valid_prompt_and_strictly_longer(p: Prompt) -> None:
    rungs = ladder(p, levels=4)
    assert rungs[-1].prompt == p
    for lower, upper in itertools.pairwise(rungs):
        assert lower.words < upper.words
        assert set(lower.kept) <= set(upper.kept)
    for rung in rungs:
        # Every rung keeps whichever of subject, action and setting the prompt has.
        assert set(BASE) & set(rung.dropped) == set()
        assert rung.kept == [c for c in PRIORITY if c in rung.kept]  # priority order
        if rung is not rungs[-1]:
            assert rung.prompt == parse(rung.text)  # a rung is a prompt in its own right
    if render(p):
        assert rungs[0].words > 0
        assert not [i for r in rungs for i in lint(r.prompt) if i.code in {"empty", "too-long"}]


# -- a brief in the user's own words ---------------------------------------------------------

BUBBLES = (
    "A golden retriever puppy chases soap bubbles across a sunlit backyard lawn; slow dolly in "
    "at ground level. Soft backlight through the bubbles, shallow depth of field. Warm summer "
    "afternoon, joyful mood. sound: bubbles popping, a dog barking"
)
BRIEF_BITS = [
    *PROSE_BITS,
    "slow dolly in at ground level",
    "sound: bubbles popping, a dog barking",
    "Camera: slow dolly in",
    "Lighting: soft backlight from the low sun",
    "Light direction: back",
    "warm summer afternoon, joyful mood",
    "Palette: amber, teal",
    "Style: 1970s film",
    'Grandmother: "Again, slower."',
    "the baker's apprentice doesn't look up",
]
_SEPARATORS = ["; ", ". ", ".\n", "\n\n", "! ", ", "]


@st.composite
def briefs(draw: st.DrawFn) -> str:
    """Briefs as people type them: clauses, labelled lines and sentences, any separators."""
    bits = draw(st.lists(st.sampled_from(BRIEF_BITS) | words(6), min_size=1, max_size=8))
    text = bits[0]
    for bit in bits[1:]:
        text += draw(st.sampled_from(_SEPARATORS)) + bit
    return text + draw(st.sampled_from(["", ".", "!", "\n"]))


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    rest = iter(long)
    return all(word in rest for word in short)


def test_the_longest_rung_of_a_brief_is_the_brief_and_shorter_rungs_only_leave_clauses_out() -> (
    None
):
    rungs = ladder(BUBBLES)
    assert rungs[-1].text == BUBBLES
    assert [r.level for r in rungs] == ["short", "medium", "long"]
    assert rungs[0].text == (
        "A golden retriever puppy chases soap bubbles across a sunlit backyard lawn"
    )
    for rung in rungs:
        for invented in ("Push-in", "Light direction", "Ambience", "Background Sound"):
            assert invented not in rung.text


@settings(max_examples=150, deadline=None)
@given(briefs(), st.integers(min_value=1, max_value=5))
def test_every_rung_of_a_brief_is_the_briefs_own_words_in_order(brief: str, levels: int) -> None:
    rungs = ladder(brief, levels=levels)
    assert rungs[-1].text == brief
    brief_words = _WORDS.findall(brief)
    for lower, upper in itertools.pairwise(rungs):
        assert lower.words < upper.words
    for rung in rungs:
        assert _is_subsequence(_WORDS.findall(rung.text), brief_words), rung.text


@settings(max_examples=60, deadline=None)
@given(prompts)
def test_a_structured_prompt_reads_the_same_in_every_rung_it_appears_in(p: Prompt) -> None:
    rungs = ladder(p, levels=4)
    longest = _WORDS.findall(rungs[-1].text)
    for rung in rungs:
        assert _is_subsequence(_WORDS.findall(rung.text), longest), rung.text


@settings(max_examples=150, deadline=None)
@given(briefs(), st.integers(min_value=2, max_value=5))
def test_a_parsed_brief_reads_the_same_in_every_rung_it_appears_in(brief: str, levels: int) -> None:
    rungs = ladder(parse(brief), levels=levels)
    longest = _WORDS.findall(rungs[-1].text)
    for rung in rungs:
        assert _is_subsequence(_WORDS.findall(rung.text), longest), rung.text
