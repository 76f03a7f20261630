"""Load the domain catalogue (procedures, agencies, wards, calendar, deadlines) from YAML."""
from __future__ import annotations

import logging
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa
import yaml

from routing.calendar import WorkingCalendar
from routing.catalogue import Agency, Catalogue, HelpDesk, Procedure, ProcedureGuide, StepLimit, Ward
from routing.deadlines import DeadlinePolicy
from settings import DeadlineSettings
from storage.data_documents import WorkingCopy
from storage.orm import agencies, procedures

logger = logging.getLogger(__name__)


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
    deadlines = _read(directory, "deadlines.yaml")
    steps = {s["id"]: StepLimit(s["id"], s.get("working_days"), s.get("source", ""))
             for s in deadlines["steps"]}
    guides = _guides(_read(directory, "procedures.yaml")["procedures"],
                     deadlines.get("procedure_time_limits") or [])
    return Catalogue(procedures, agencies, wards, competence, steps, guides, load_help_desks(directory))


def _guides(procedures: list[dict[str, Any]], limits: list[dict[str, Any]]) -> dict[str, ProcedureGuide]:
    """Where to file and the fee (procedures.yaml), the legal time limit (deadlines.yaml)."""
    time_limits = {str(row["procedure"]): row.get("text") for row in limits}
    return {p["id"]: ProcedureGuide(p.get("where_to_file"), time_limits.get(p["id"]), p.get("fee"))
            for p in procedures}


def load_help_desks(directory: Path) -> dict[str, HelpDesk]:
    """help_desks.yaml (hotline, citizen reception, portal); none when the file is absent."""
    if not (directory / "help_desks.yaml").exists():
        return {}
    desks = _read(directory, "help_desks.yaml").get("help_desks") or {}
    return {key: HelpDesk(str(d.get("name") or ""), str(d.get("phone") or ""),
                          str(d.get("address") or ""), str(d.get("hours") or ""), str(d.get("link") or ""))
            for key, d in desks.items()}


def load_sipas_criteria(directory: Path) -> tuple[tuple[str, str], ...]:
    """(id, statement) of the four SIPAS criteria, in survey order."""
    return tuple((c["id"], c["text"]) for c in _read(directory, "sipas.yaml")["criteria"])


def load_ward_aliases(directory: Path) -> dict[str, str]:
    path = directory / "ward_aliases.yaml"
    return (_read(directory, path.name).get("aliases") or {}) if path.exists() else {}


def _days(entries: list[dict[str, Any]]) -> list[tuple[date, str]]:
    days: list[tuple[date, str]] = []
    for entry in entries or []:
        if "date" in entry:
            days.append((entry["date"], entry.get("reason", "")))
        else:
            day = entry["from"]
            while day <= entry["to"]:
                days.append((day, entry.get("reason", "")))
                day += timedelta(days=1)
    return days


def calendar_entries(directory: Path) -> list[tuple[date, bool, str]]:
    """(day, working, reason) rows: days off (working=False) and make-up working days."""
    data = _read(directory, "calendar.yaml")
    return ([(day, False, reason) for day, reason in _days(data.get("days_off", []))]
            + [(day, True, reason) for day, reason in _days(data.get("working_saturdays", []))])


def load_calendar(directory: Path) -> WorkingCalendar:
    entries = calendar_entries(directory)
    return WorkingCalendar(frozenset(d for d, working, _ in entries if not working),
                           frozenset(d for d, working, _ in entries if working))


def sync_catalogue_rows(connection: sa.Connection, catalogue: Catalogue) -> None:
    """The agencies and procedures tables (which cases reference) as the catalogue has them."""
    existing = set(connection.scalars(sa.select(agencies.c.id)))
    for agency in catalogue.agencies.values():
        values: dict[str, str | None] = {"name": agency.name, "level": agency.level}
        if agency.id in existing:
            connection.execute(agencies.update().where(agencies.c.id == agency.id).values(values))
        else:
            connection.execute(agencies.insert().values(id=agency.id, **values))
    existing = set(connection.scalars(sa.select(procedures.c.id)))
    for procedure in catalogue.procedures.values():
        values = {"name": procedure.name, "default_agency_id": procedure.default_agency}
        if procedure.id in existing:
            connection.execute(procedures.update().where(procedures.c.id == procedure.id).values(values))
        else:
            connection.execute(procedures.insert().values(id=procedure.id, **values))


def deadline_policy(catalogue: Catalogue, settings: DeadlineSettings = DeadlineSettings()) -> DeadlinePolicy:
    """Step limits from deadlines.yaml with their citations, overridden by config.yaml."""
    steps = {s.id: s.working_days for s in catalogue.steps.values() if s.working_days is not None}
    steps.update(settings.steps)
    sources = {s.id: s.source for s in catalogue.steps.values()}
    per_procedure = {group: dict(limits) for group, limits in settings.per_procedure.items()}
    return DeadlinePolicy(steps=steps, per_procedure=per_procedure, sources=sources,
                          remind_working_days_before=settings.remind_working_days_before)


class LiveCatalogue:
    """Keeps the app's one Catalogue object current with the catalogue documents in the database.

    The dialogue, the NLU, routing and the console all hold the same object, so a procedure group
    or an agency an admin adds from the console (on any machine) is seen by every holder in every
    process within the working copy's `check_seconds`, without a restart. Ids are only ever added
    (never renamed or removed), so the dicts are updated in place and a reader never sees one missing.
    """

    def __init__(self, catalogue: Catalogue, copy: WorkingCopy,
                 on_change: Callable[[Catalogue], None] | None = None) -> None:
        self.catalogue = catalogue
        self.copy = copy
        self.on_change = on_change
        self._lock = threading.Lock()

    @property
    def directory(self) -> Path:
        """This process's files of the catalogue (for the loaders that read a directory)."""
        return self.copy.directory

    def refresh_if_changed(self, force: bool = False) -> bool:
        """Reload when the database's catalogue changed; True when something new was loaded."""
        with self._lock:
            if not self.copy.refresh(force):
                return False
            try:
                fresh = load_catalogue(self.copy.directory)
            except (OSError, KeyError, TypeError, yaml.YAMLError) as error:
                logger.error("catalogue revision %s not loaded: %s", self.copy.revision, error)
                return False
            self.catalogue.procedures.update(fresh.procedures)
            self.catalogue.agencies.update(fresh.agencies)
            self.catalogue.competence.update(fresh.competence)
            self.catalogue.steps.update(fresh.steps)
            self.catalogue.guides.update(fresh.guides)  # text only: edits replace, nothing removed
            self.catalogue.help_desks.update(fresh.help_desks)
            logger.info("catalogue reloaded: %d procedures, %d agencies",
                        len(self.catalogue.procedures), len(self.catalogue.agencies))
        if self.on_change is not None:
            self.on_change(self.catalogue)
        return True
