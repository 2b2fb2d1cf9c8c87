"""{name} filled from a namespace, {{ and }} as escapes, clear errors."""

from __future__ import annotations

import pytest

from sora_nb.prompt import InterpolationError, interpolate


def test_names_are_filled_and_double_braces_are_literal() -> None:
    text = "A {animal} at {time}; write {{json}} and }} as text"
    assert interpolate(text, {"animal": "fox", "time": 7}) == (
        "A fox at 7; write {json} and } as text"
    )


def test_text_without_braces_is_unchanged() -> None:
    assert interpolate("Wide shot of a harbour.", {}) == "Wide shot of a harbour."


def test_missing_variables_are_all_named() -> None:
    with pytest.raises(InterpolationError) as info:
        interpolate("A {animal} in {place} at {animal_time} and {place}", {"animal": "fox"})
    assert info.value.missing == ("place", "animal_time")
    message = str(info.value)
    assert "{place}" in message and "{animal_time}" in message
    assert "{{place}}" in message  # says how to keep the braces


def test_a_stray_brace_says_where_it_is_and_how_to_escape_it() -> None:
    with pytest.raises(InterpolationError, match=r"line 2, column 3.*write \{\{"):
        interpolate("ok\nab{ not closed", {})
    with pytest.raises(InterpolationError, match=r"'\}' at line 1, column 2"):
        interpolate("a} b", {})


def test_a_non_name_in_braces_is_refused_with_the_escape() -> None:
    with pytest.raises(InterpolationError, match=r"not a variable name.*\{\{x\.y\}\}"):
        interpolate("a {x.y} b", {"x": 1})
