"""The module map stays true: the folders are the layers, imports point inward, and no module
imports itself back through others (no cycle, at any depth, counting imports inside functions)."""
from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Each layer and the layers it may import (its own modules always). This is the README's map:
# channels -> intake -> routing <- storage; outbox sends what intake and services queued; console and
# bot (the composition root) sit on top; nothing imports bot but its own entry points.
# `settings` (every setting's type and default, standard library only) is a leaf any layer but the
# domain may read its own section from.
LAYERS: dict[str, set[str]] = {
    "settings": set(),
    "routing": set(),
    "channels": {"settings"},
    "storage": {"routing", "settings"},
    "nlu": {"routing", "storage", "settings"},  # storage for the review queue and training jobs only
    "outbox": {"routing", "storage", "channels", "settings"},
    "intake": {"routing", "storage", "nlu", "channels", "settings"},
    "console": {"routing", "storage", "nlu", "channels", "intake", "outbox", "settings"},
    "bot": {"routing", "storage", "nlu", "channels", "intake", "outbox", "console", "settings"},
}
OURS = set(LAYERS) | {"bench", "tests"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """Our modules that `path` imports, anywhere in the file (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name in known and name.split(".")[0] in OURS}


def source_files() -> list[Path]:
    return [path for layer in LAYERS for path in (ROOT / layer).rglob("*.py")
            if "migrations" not in path.parts]


def import_graph() -> dict[str, set[str]]:
    files = source_files()
    known = {module_name(path) for path in files}
    return {module_name(path): imported_modules(path, known) - {module_name(path)} for path in files}


def test_the_layers_form_a_dag_as_declared() -> None:
    tuple(TopologicalSorter(LAYERS).static_order())  # raises CycleError if the declared map has one


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_a_layer_imports_only_the_layers_below_it(layer: str) -> None:
    offenders = {module: sorted({name for name in imported
                                 if name.split(".")[0] not in LAYERS[layer] | {layer}})
                 for module, imported in import_graph().items() if module.split(".")[0] == layer}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_module_imports_itself_back() -> None:
    """A package's __init__ importing its submodules is not a cycle; anything else is."""
    graph = {module: {name for name in imported if not module.startswith(name + ".")}
             for module, imported in import_graph().items()}
    try:
        tuple(TopologicalSorter(graph).static_order())  # a generator: consumed, or it checks nothing
    except CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


def test_nothing_outside_bot_imports_the_composition_root() -> None:
    outside = {module: sorted(name for name in imported if name.split(".")[0] == "bot")
               for module, imported in import_graph().items() if not module.startswith("bot")}
    assert {k: v for k, v in outside.items() if v} == {}


def test_production_code_never_reads_the_tests_folder() -> None:
    """A path into tests/ in code (not a comment naming a test) would make a deployment need it."""
    readers = []
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and (node.value == "tests" or node.value.startswith("tests/")):
                readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_routing_uses_the_standard_library_only() -> None:
    third_party = {"flask", "sqlalchemy", "requests", "yaml", "telegram", "sklearn", "numpy"}
    for path in (ROOT / "routing").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.module.split(".")[0] for n in ast.walk(tree)
                 if isinstance(n, ast.ImportFrom) and n.module}
        names |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                  for a in n.names}
        assert not names & third_party, path
