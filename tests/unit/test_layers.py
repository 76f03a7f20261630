"""The module map stays true: inner layers never import outer ones."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

OURS = {"routing", "storage", "channels", "bot", "console", "bench", "tests"}
ALLOWED = {
    "routing": {"routing"},
    "storage": {"routing", "storage"},
    "channels": {"channels"},
    "bot": {"bot", "routing", "storage", "channels", "console"},
    "console": {"console", "bot", "routing", "storage", "channels"},
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_inward(layer: str) -> None:
    offenders = {str(path.relative_to(ROOT)): sorted(imports_of(path) - ALLOWED[layer])
                 for path in (ROOT / layer).rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_routing_uses_the_standard_library_only() -> None:
    third_party = {"flask", "sqlalchemy", "requests", "yaml", "telegram", "sklearn", "numpy"}
    for path in (ROOT / "routing").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.module.split(".")[0] for n in ast.walk(tree)
                 if isinstance(n, ast.ImportFrom) and n.module}
        names |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                  for a in n.names}
        assert not names & third_party, path
