"""Every action written to the audit log has a Vietnamese name on the audit page (no raw ids)."""
from __future__ import annotations

import ast

from console.texts import AUDIT_ACTIONS
from tests.conftest import ROOT

# Where the action is among the positional arguments of each audit-writing call: the console helpers,
# the staff service (uow first) and the repository method (`uow.staff.record_audit`, no uow).
ACTION_ARGUMENT = {"audit": 1, "audited": 0, "record_audit": 4, ".record_audit": 3}


def audited_actions() -> set[str]:
    actions: set[str] = set()
    for folder in ("console", "storage", "bot", "intake", "nlu"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.id if isinstance(node.func, ast.Name) else "." + getattr(node.func, "attr", "")
                position = ACTION_ARGUMENT.get(name, ACTION_ARGUMENT.get(name.lstrip(".")))
                if position is None or len(node.args) <= position:
                    continue
                action = node.args[position]
                if isinstance(action, ast.Constant) and isinstance(action.value, str):
                    actions.add(action.value)
    return actions


def test_every_audited_action_has_a_vietnamese_name() -> None:
    actions = audited_actions()
    assert {"hotline_intake", "case_assign"} <= actions and len(actions) > 10  # the scan sees the calls
    unnamed = sorted(a for a in actions if a not in AUDIT_ACTIONS and not a.startswith("case_"))
    assert unnamed == []
