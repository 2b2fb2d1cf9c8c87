"""Layers with no exceptions: every module of sora_nb imports only from its own layer and the
layers below it (the table in docs/architecture.md), at module level and inside functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.layers.imports import (
    ARCHITECTURE,
    PACKAGE,
    imports_of,
    layer_of,
    layer_table,
    module_name,
    violations,
)


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    found = violations()
    assert not found, "upward imports:\n" + "\n".join(str(v) for v in found)


def test_every_module_has_a_layer_in_the_table() -> None:
    table = layer_table(ARCHITECTURE.read_text(encoding="utf-8"))
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path, PACKAGE), table)  # raises KeyError naming the module
    assert table["sora_nb.prompt"] < table["sora_nb.api"] < table["sora_nb.runs"]
    assert table["sora_nb.runs"] < table["sora_nb.research"] < table["sora_nb.notebook.functions"]
    assert table["sora_nb.notebook.widgets"] < table["sora_nb.notebook.functions"]
    assert table["sora_nb"] == max(table.values())


def _add(path: Path, code: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + code, encoding="utf-8")


def test_an_upward_import_inside_a_function_fails_the_check(package_copy: Path) -> None:
    architecture = package_copy.parent / "docs" / "architecture.md"
    assert violations(package_copy, architecture) == []
    _add(
        package_copy / "runs" / "take.py",
        "\n\ndef _peek() -> object:\n"
        "    from sora_nb.research.results import take_record\n\n"
        "    return take_record\n",
    )
    found = violations(package_copy, architecture)
    assert [str(v) for v in found] == [
        f"sora_nb.runs.take (layer 4) imports sora_nb.research.results (layer 5) at line "
        f"{found[0].found.line}"
    ]


@pytest.mark.parametrize(
    ("where", "code", "reached"),
    [
        # The three reaches this test was written against, put back one at a time.
        ("api/client.py", "from sora_nb import __version__\n", "sora_nb"),
        (
            "notebook/widgets/studio.py",
            "from sora_nb.notebook import functions\n",
            "sora_nb.notebook",
        ),
        (
            "notebook/functions/__init__.py",
            "import sora_nb.notebook.magics\n",
            "sora_nb.notebook.magics",
        ),
        # A relative import, a TYPE_CHECKING one, and importlib with a literal name.
        ("prompt/model.py", "from ..runs import take\n", "sora_nb.runs.take"),
        (
            "media.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import sora_nb.api.client\n",
            "sora_nb.api.client",
        ),
        (
            "catalog/__init__.py",
            "import importlib\nimportlib.import_module('sora_nb.runs')\n",
            "sora_nb.runs",
        ),
    ],
)
def test_each_kind_of_upward_import_is_caught(
    package_copy: Path, where: str, code: str, reached: str
) -> None:
    _add(package_copy / where, "\n" + code)
    found = violations(package_copy, package_copy.parent / "docs" / "architecture.md")
    assert len(found) == 1, [str(v) for v in found]
    assert found[0].found.imported.startswith(reached)


def test_imports_of_reads_relative_and_function_level_imports(tmp_path: Path) -> None:
    package = tmp_path / "sora_nb"
    (package / "runs").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "runs" / "__init__.py").write_text("")
    (package / "runs" / "take.py").write_text("")
    (package / "runs" / "grid.py").write_text(
        "from . import take\nfrom .take import Take\n\ndef f():\n    import sora_nb.runs.take\n"
    )
    found = [(i.imported, i.line) for i in imports_of(package / "runs" / "grid.py", package)]
    assert found == [("sora_nb.runs.take", 1), ("sora_nb.runs.take", 2), ("sora_nb.runs.take", 5)]


def test_above_the_server_only_connection_imports_it() -> None:
    # The runs and notebook layers reach the bundled server through sora_nb.connection (its
    # apps, a local model's options and rules), so one module knows how the server is built.
    table = layer_table(ARCHITECTURE.read_text(encoding="utf-8"))
    above = table["sora_nb.connection"]
    reaches = [
        f"{imp.importer} imports {imp.imported} at line {imp.line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for imp in imports_of(path, PACKAGE)
        if imp.imported.startswith("sora_nb.server") and layer_of(imp.importer, table) > above
    ]
    assert reaches == [], "reach the server through sora_nb.connection:\n" + "\n".join(reaches)
