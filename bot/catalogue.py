"""Load the domain catalogue (procedures, agencies, wards, calendar, deadlines) from YAML."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from routing.calendar import WorkingCalendar
from routing.catalogue import Agency, Catalogue, Procedure, StepLimit, Ward
from routing.deadlines import DeadlinePolicy


def _read(directory: Path, name: str) -> dict[str, Any]:
    return yaml.safe_load((directory / name).read_text(encoding="utf-8")) or {}


def load_catalogue(directory: Path) -> Catalogue:
    procedures = {p["id"]: Procedure(p["id"], p["name"], p.get("covers", ""), p.get("default_agency"))
                  for p in _read(directory, "procedures.yaml")["procedures"]}
    agencies = {a["id"]: Agency(a["id"], a["name"], a["level"], tuple(a.get("mentions", [])))
                for a in _read(directory, "agencies.yaml")["agencies"]}
    wards = tuple(Ward(u["type"], u["name"]) for u in _read(directory, "wards.yaml")["units"])
    competence = {agency: frozenset(procs)
                  for agency, procs in _read(directory, "competence.yaml")["competence"].items()}
    steps = {s["id"]: StepLimit(s["id"], s.get("working_days"), s.get("source", ""))
             for s in _read(directory, "deadlines.yaml")["steps"]}
    return Catalogue(procedures, agencies, wards, competence, steps)


def load_ward_aliases(directory: Path) -> dict[str, str]:
    path = directory / "ward_aliases.yaml"
    return (_read(directory, path.name).get("aliases") or {}) if path.exists() else {}


def _dates(entries: list[dict[str, Any]]) -> set[date]:
    days: set[date] = set()
    for entry in entries or []:
        if "date" in entry:
            days.add(entry["date"])
        else:
            day = entry["from"]
            while day <= entry["to"]:
                days.add(day)
                day += timedelta(days=1)
    return days


def load_calendar(directory: Path) -> WorkingCalendar:
    data = _read(directory, "calendar.yaml")
    return WorkingCalendar(frozenset(_dates(data.get("days_off", []))),
                           frozenset(_dates(data.get("working_saturdays", []))))


def deadline_policy(catalogue: Catalogue, per_procedure: dict[str, dict[str, int]]) -> DeadlinePolicy:
    steps = {s.id: s.working_days for s in catalogue.steps.values() if s.working_days is not None}
    return DeadlinePolicy(steps=steps, per_procedure=per_procedure)
