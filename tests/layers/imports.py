"""Read the layer table of docs/architecture.md and every import in sora_nb (with ``ast``: module
level, inside functions, under ``TYPE_CHECKING``, relative ones and ``importlib.import_module``
with a literal name), and list the imports that reach up a layer."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "sora_nb"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
#: A row of the layer table: | rank | `module`, `module` (notes) | may import |.
ROW = re.compile(r"^\|\s*(\d+)\s*\|(?P<modules>[^|]*)\|")


@dataclass(frozen=True)
class Import:
    """One import statement: who imports what, and where in the file."""

    importer: str
    imported: str
    line: int


@dataclass(frozen=True)
class Violation:
    """An import of a module from a higher layer than the importer's."""

    found: Import
    importer_layer: int
    imported_layer: int

    def __str__(self) -> str:
        return (
            f"{self.found.importer} (layer {self.importer_layer}) imports "
            f"{self.found.imported} (layer {self.imported_layer}) at line {self.found.line}"
        )


def layer_table(text: str) -> dict[str, int]:
    """Module name (or package prefix) -> layer rank, from the architecture document's table."""
    table: dict[str, int] = {}
    for line in text.splitlines():
        match = ROW.match(line.strip())
        if match is None:
            continue
        rank = int(match.group(1))
        for name in re.findall(r"`(sora_nb[\w.]*)`", match.group("modules")):
            if name in table:
                raise ValueError(f"{name} is listed in two layers of the table")
            table[name] = rank
    if not table:
        raise ValueError("no layer table found (rows like | 0 | `sora_nb.prompt` | ... |)")
    return table


def layer_of(module: str, table: dict[str, int]) -> int:
    """The rank of the longest table entry that is ``module`` or a package holding it."""
    best = None
    for name, rank in table.items():
        if (module == name or module.startswith(name + ".")) and (
            best is None or len(name) > len(best[0])
        ):
            best = (name, rank)
    if best is None:
        raise KeyError(f"{module} is in no layer of the table; add it to docs/architecture.md")
    return best[1]


def module_name(path: Path, package: Path) -> str:
    """``sora_nb/runs/take.py`` -> ``sora_nb.runs.take``; a package's __init__ -> the package."""
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str, package: Path) -> bool:
    base = package.parent.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports_of(path: Path, package: Path) -> list[Import]:
    """Every import of a sora_nb module in the file at ``path``, wherever it stands."""
    importer = module_name(path, package)
    is_package = path.name == "__init__.py"
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = importer.split(".")
                if not is_package:
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                names.append(candidate if _is_module(candidate, package) else base)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        for name in names:
            if name == package.name or name.startswith(package.name + "."):
                found.append(Import(importer, name, getattr(node, "lineno", 0)))
    return found


def violations(package: Path = PACKAGE, architecture: Path = ARCHITECTURE) -> list[Violation]:
    """Every import in ``package`` of a module from a layer above the importer's."""
    table = layer_table(architecture.read_text(encoding="utf-8"))
    found: list[Violation] = []
    for path in sorted(package.rglob("*.py")):
        for imp in imports_of(path, package):
            mine, theirs = layer_of(imp.importer, table), layer_of(imp.imported, table)
            if theirs > mine:
                found.append(Violation(imp, mine, theirs))
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, dict[str, int]]:
    """Module -> the sora_nb modules it imports, each with the line of its first import there
    (every import counts: module level, inside functions, under ``TYPE_CHECKING``)."""
    graph: dict[str, dict[str, int]] = {}
    for path in sorted(package.rglob("*.py")):
        if "static" in path.relative_to(package).parts:
            continue
        edges = graph.setdefault(module_name(path, package), {})
        for imp in imports_of(path, package):
            if imp.imported != imp.importer:
                edges.setdefault(imp.imported, imp.line)
    return graph


def _strongly_connected(graph: dict[str, dict[str, int]]) -> list[set[str]]:
    """Tarjan's strongly connected components with more than one module, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, {}))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


@dataclass(frozen=True)
class Cycle:
    """Modules that import each other round a loop, with one loop through them spelled out."""

    modules: frozenset[str]
    path: tuple[tuple[str, int], ...]

    def __str__(self) -> str:
        steps = " -> ".join(f"{module} (line {line})" for module, line in self.path)
        return f"{self.path[-1][0]} -> {steps}"


def _loop(component: set[str], graph: dict[str, dict[str, int]]) -> tuple[tuple[str, int], ...]:
    """The shortest loop from the component's first module back to it (breadth first)."""
    start = min(component)
    came_from: dict[str, tuple[str, int]] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child, line in sorted(graph[node].items()):
            if child == start:
                path = [(start, line)]
                while node != start:
                    parent, parent_line = came_from[node]
                    path.insert(0, (node, parent_line))
                    node = parent
                return tuple(path)
            if child in component and child not in came_from:
                came_from[child] = (node, line)
                queue.append(child)
    raise AssertionError(f"no loop through {start}")  # pragma: no cover - a component has one


def cycles(package: Path = PACKAGE) -> list[Cycle]:
    """Every set of sora_nb modules that import one another round a loop."""
    graph = import_graph(package)
    return [
        Cycle(frozenset(component), _loop(component, graph))
        for component in _strongly_connected(graph)
    ]
