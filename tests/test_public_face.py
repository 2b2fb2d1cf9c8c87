"""The public face: ``sora_nb`` and ``sora_nb.api`` name what they export in one lazy table,
``__all__`` and ``dir()`` list exactly that table, the type checker's imports say the same, and
every sora_nb type a public function returns can be imported from ``sora_nb``."""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import sora_nb
import sora_nb.api

#: Public names a package defines itself rather than in its lazy table.
OWN_NAMES = {"sora_nb": {"__version__", "load_ipython_extension"}, "sora_nb.api": set()}
#: The modules each lazy table names (``from sora_nb import catalog`` names a module).
_LAZY_OF = {sora_nb: set(sora_nb._LAZY.values()), sora_nb.api: set(sora_nb.api._LAZY.values())}


def _type_checking_imports(package: ModuleType) -> dict[str, str]:
    """Name -> module of every import under the package's ``if TYPE_CHECKING:``."""
    tree = ast.parse(Path(str(package.__file__)).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.dump(statement)
                for alias in statement.names:
                    # ``X as X``: what a type checker reads as exported.
                    assert alias.asname == alias.name, f"import {alias.name} as {alias.name}"
                    module = statement.module or ""
                    candidate = f"{module}.{alias.name}"
                    found[alias.name] = candidate if candidate in _LAZY_OF[package] else module
    return found


@pytest.mark.parametrize("package", [sora_nb, sora_nb.api], ids=lambda p: p.__name__)
def test_all_dir_and_the_type_checking_imports_agree(package: ModuleType) -> None:
    lazy: dict[str, str] = package._LAZY
    own = OWN_NAMES[package.__name__]
    assert package.__all__ == sorted([*lazy, *own])
    public = [name for name in dir(package) if not name.startswith("__")]
    assert public == sorted(n for n in package.__all__ if not n.startswith("__"))
    checked = _type_checking_imports(package)
    assert checked == lazy, "the TYPE_CHECKING imports and the lazy table differ"


@pytest.mark.parametrize("package", [sora_nb, sora_nb.api], ids=lambda p: p.__name__)
def test_every_public_name_is_the_object_its_module_defines(package: ModuleType) -> None:
    for name, module_name in package._LAZY.items():
        module = importlib.import_module(module_name)
        expected = module if module_name.rsplit(".", 1)[-1] == name else getattr(module, name)
        assert getattr(package, name) is expected, name


def test_an_unknown_name_is_a_clear_attribute_error() -> None:
    with pytest.raises(AttributeError, match=r"module 'sora_nb' has no attribute 'genrate'"):
        sora_nb.genrate  # noqa: B018
    with pytest.raises(AttributeError, match=r"module 'sora_nb\.api' has no attribute 'Client'"):
        sora_nb.api.Client  # noqa: B018


def test_the_client_is_importable_from_sora_nb_api() -> None:
    from sora_nb.api import SyncVideosClient, VideosClient
    from sora_nb.api.client import VideosClient as defined

    assert VideosClient is defined and SyncVideosClient.__name__ == "SyncVideosClient"


def _classes(hint: Any) -> set[type]:
    found = {hint} if isinstance(hint, type) else set()
    for arg in typing.get_args(hint):
        found |= _classes(arg)
    return found


def _return_classes(func: Any) -> set[type]:
    """The classes in a function's return annotation, TYPE_CHECKING-only names included."""
    module = sys.modules[func.__module__]
    names = dict(vars(module))
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            exec(
                compile(ast.Module(body=node.body, type_ignores=[]), module.__name__, "exec"), names
            )
    return _classes(typing.get_type_hints(func, globalns=names)["return"])


def test_every_sora_nb_type_a_public_function_returns_is_exported() -> None:
    missing = {
        f"{name} returns {cls.__module__}.{cls.__qualname__}"
        for name in sora_nb.__all__
        if inspect.isfunction(func := getattr(sora_nb, name))
        for cls in _return_classes(func)
        if cls.__module__.startswith("sora_nb") and getattr(sora_nb, cls.__name__, None) is not cls
    }
    assert not missing, "export these from sora_nb: " + ", ".join(sorted(missing))
    returned = {
        cls for name in ("generate", "grid") for cls in _return_classes(getattr(sora_nb, name))
    }
    assert {sora_nb.Take, sora_nb.Study} <= returned
