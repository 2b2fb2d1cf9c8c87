"""parse(render(p)) == p: render writes nothing parse cannot read back."""

from __future__ import annotations

from hypothesis import given, settings

from sora_nb.prompt import Prompt, parse, render
from sora_nb.prompt.parse import enrich
from tests.prompt.strategies import prompts


@settings(max_examples=150, deadline=None)
@given(prompts)
def test_parse_of_render_is_the_prompt(p: Prompt) -> None:
    # A Prompt whose fields already say what its own prose says (enrich fills only unset
    # fields) comes back exactly; render leaves out clauses the prose already states.
    p = enrich(p)
    assert parse(render(p)) == p


@settings(max_examples=100, deadline=None)
@given(prompts)
def test_any_prompt_is_stable_after_one_round(p: Prompt) -> None:
    once = parse(render(p))
    assert parse(render(once)) == once


@settings(max_examples=100, deadline=None)
@given(prompts)
def test_render_keeps_the_prose_verbatim(p: Prompt) -> None:
    if p.prose:
        assert render(p).startswith(p.prose)
