"""No import cycles: no module of sora_nb imports, through any chain of imports, a module that
imports it back, counting imports made inside functions and under ``TYPE_CHECKING`` (a loop
closed inside a function still ties the two modules together: neither can be understood, moved
or tested without the other)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.layers.imports import cycles


def _found(package: Path | None = None) -> list[str]:
    return sorted(str(c) for c in (cycles() if package is None else cycles(package)))


def test_no_module_imports_itself_round_a_loop() -> None:
    found = _found()
    assert found == [], "import cycles (each 'A -> B (line N)': line N of A imports B):\n" + (
        "\n".join(found)
    )


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (
            "\n\ndef _peek() -> object:\n"
            "    from sora_nb.catalog import cards\n\n"
            "    return cards\n",
            "inside a function",
        ),
        (
            "\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
            "    from sora_nb.catalog.cards import MARCH_2026\n",
            "under TYPE_CHECKING",
        ),
        ("\nfrom . import cards\n", "relative, at module level"),
    ],
)
def test_a_loop_added_to_a_copy_of_the_package_fails(
    package_copy: Path, code: str, kind: str
) -> None:
    # catalog.cards imports catalog.profile; profile importing cards back closes a loop.
    assert _found(package_copy) == []
    profile = package_copy / "catalog" / "profile.py"
    profile.write_text(profile.read_text(encoding="utf-8") + code, encoding="utf-8")
    found = _found(package_copy)
    lines = len(profile.read_text(encoding="utf-8").splitlines())
    assert len(found) == 1, (kind, found)
    assert found[0].startswith("sora_nb.catalog.cards -> sora_nb.catalog.profile (line "), kind
    line = int(found[0].rsplit("(line ", 1)[1].rstrip(")"))
    assert lines - 3 <= line <= lines, (kind, found[0])
