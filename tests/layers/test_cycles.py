"""No import cycles: no module of sora_nb imports, through any chain of imports, a module that
imports it back, counting imports made inside functions and under ``TYPE_CHECKING`` (a loop
closed inside a function still ties the two modules together: neither can be understood, moved
or tested without the other)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.layers.imports import cycles

#: The bundled server's two loops, untied on the server engineer's branch of issue 21 (the
#: server's state in its own module, a job's records beside the store). Until that branch is
#: merged they are the only ones allowed; once it is, this set must be emptied (the test below
#: fails while it names a loop that is gone).
KNOWN_SERVER_LOOPS: set[frozenset[str]] = {
    frozenset(
        {
            "sora_nb.server.app",
            "sora_nb.server.dialects",
            "sora_nb.server.dialects.litellm",
            "sora_nb.server.endpoints",
            "sora_nb.server.gateway",
        }
    ),
    frozenset(
        {
            "sora_nb.server.chains",
            "sora_nb.server.job_records",
            "sora_nb.server.job_renders",
            "sora_nb.server.jobs",
        }
    ),
}


def _new(package: Path | None = None) -> list[str]:
    found = cycles() if package is None else cycles(package)
    return sorted(str(c) for c in found if c.modules not in KNOWN_SERVER_LOOPS)


def test_no_module_imports_itself_round_a_loop() -> None:
    assert _new() == [], "import cycles (each 'A -> B (line N)': line N of A imports B):\n" + (
        "\n".join(_new())
    )


def test_the_known_server_loops_still_exist() -> None:
    # A loop untied must leave the list, or the list would let it come back unnoticed.
    found = {c.modules for c in cycles()}
    gone = [sorted(loop) for loop in KNOWN_SERVER_LOOPS if loop not in found]
    assert not gone, f"these loops are untied; remove them from KNOWN_SERVER_LOOPS: {gone}"


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
    assert _new(package_copy) == []
    profile = package_copy / "catalog" / "profile.py"
    profile.write_text(profile.read_text(encoding="utf-8") + code, encoding="utf-8")
    found = _new(package_copy)
    lines = len(profile.read_text(encoding="utf-8").splitlines())
    assert len(found) == 1, (kind, found)
    assert found[0].startswith("sora_nb.catalog.cards -> sora_nb.catalog.profile (line "), kind
    line = int(found[0].rsplit("(line ", 1)[1].rstrip(")"))
    assert lines - 3 <= line <= lines, (kind, found[0])
