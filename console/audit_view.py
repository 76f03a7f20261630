"""The audit log as staff read it: Vietnamese action and target names, details as labelled values
(agency and procedure ids by name, yes/no, JSON with Vietnamese letters, never \\u escapes)."""
from __future__ import annotations

import json
from typing import Any

from console import texts as T
from console.deps import components


def action_name(action: str) -> str:
    if action in T.AUDIT_ACTIONS:
        return T.AUDIT_ACTIONS[action]
    if action.startswith("case_") and action[5:] in T.ACTION_LABELS:
        return T.AUDIT_CASE_ACTION.format(action=T.ACTION_LABELS[action[5:]])
    return action


def _value(key: str, value: Any) -> str:
    catalogue = components().ctx.catalogue
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return T.YES if value else T.NO
    if key in ("agency_id", "agency", "default_agency"):
        return catalogue.agency_name(value) or str(value)
    if key == "procedure_id":
        return catalogue.procedure_name(value) or str(value)
    if key == "role":
        return T.ROLE_NAMES.get(value, value)
    if key == "level":
        return T.LEVEL_NAMES.get(value, value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def details(row: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs of an audit row's details, in the order they were recorded."""
    found = row.get("details") or {}
    if isinstance(found, str):  # a driver that hands JSON back as text
        found = json.loads(found)
    if not isinstance(found, dict):
        return [("", json.dumps(found, ensure_ascii=False))]
    return [(T.AUDIT_FIELDS.get(key) or str(key), _value(key, value)) for key, value in found.items()]


def audit_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of storage.console_queries.recent_audit with what the page shows."""
    return [{**row, "action_name": action_name(row["action"]),
             "target_name": T.AUDIT_TARGETS.get(row["target_type"], row["target_type"]),
             "detail_pairs": details(row)} for row in rows]
