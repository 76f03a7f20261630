"""Monthly, quarterly and yearly figures per agency and procedure group, and per scoring unit (a
ward's People's Committee, a ward's police, a city agency), for the city's reports and ranking.

For the cases received in a period: how many were accepted (rejected and redirected ones are
counted apart, as not accepted), answered on time, answered late, overdue and still
unanswered, the on-time rate, the average handling time in working days (receipt to answer, on the
calendar kept in the database) and the SIPAS satisfaction per criterion.

The deadline outcomes use the dashboard's definitions (storage.console_queries: AWAITING_ANSWER,
NOT_HANDLED, the "answer" deadline) and satisfaction is shaped like storage.queries.survey_averages,
so a report over all time gives the dashboard's numbers (a test holds both together).
Counting happens in SQL, once per (agency, ward, procedure); the report's lines and the units of
the ranking are both added up from those rows, so a chart and a table of one page never disagree.
Only the working-day durations are computed in Python.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from routing.calendar import VIETNAM, WorkingCalendar
from routing.ranking import Unit, scoring_unit
from storage.console_queries import AWAITING_ANSWER, NOT_HANDLED
from storage.orm import case_deadlines, cases, survey_answers

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# What a line of the report adds up: one agency's cases of one procedure group (an unclassified
# case has procedure "" and a case not yet forwarded agency ""), an agency's total, the city's.
LINE, AGENCY_TOTAL, CITY_TOTAL = "line", "agency_total", "city_total"


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year in Hà Nội time; `end` is exclusive."""

    kind: str  # month | quarter | year
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Period":
        """'2026-11' (month), '2026-Q4' (quarter) or '2026' (year). Raises ValueError."""
        match = re.fullmatch(r"(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])))?", text.strip())
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"not a period: {text!r}")
        year = int(match.group(1))
        if not match.group(2) and not match.group(3):
            return cls("year", year, 1)
        if match.group(3):
            return cls("quarter", year, int(match.group(3)))
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"not a month: {text!r}")
        return cls("month", year, month)

    @property
    def key(self) -> str:
        if self.kind == "year":
            return str(self.year)
        return f"{self.year}-{self.number:02d}" if self.kind == "month" else f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"Năm {self.year}"
        if self.kind == "month":
            return f"Tháng {self.number:02d}/{self.year}"
        return f"Quý {ROMAN[self.number]}/{self.year}"

    @property
    def first_day(self) -> date:
        if self.kind == "year":
            return date(self.year, 1, 1)
        return date(self.year, self.number if self.kind == "month" else 3 * self.number - 2, 1)

    @property
    def next_first_day(self) -> date:
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        index = self.first_day.month - 1 + months
        return date(self.year + index // 12, index % 12 + 1, 1)

    @property
    def start(self) -> datetime:
        return _local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        return _local_midnight(self.next_first_day)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, VIETNAM).astimezone(timezone.utc)


@dataclass
class Figures:
    """One line of the report: an agency and a procedure group (and a ward: see `by_unit`);
    `level` says whether it is a line (procedure '' = not classified) or a total (procedure '' =
    all of them). `received` counts accepted cases only; rejected and redirected ones are
    `not_accepted`."""

    agency_id: str
    procedure_id: str
    received: int = 0
    not_accepted: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    handling_days: list[int] = field(default_factory=list)
    scores: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    level: str = LINE
    ward: str = ""

    @property
    def answered(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        """The dashboard's rate: on time / (on time + late + overdue), in %."""
        decided = self.on_time + self.late + self.overdue
        return round(100 * self.on_time / decided, 1) if decided else None

    @property
    def average_handling_days(self) -> float | None:
        return round(sum(self.handling_days) / len(self.handling_days), 1) if self.handling_days else None

    def satisfaction(self, criterion: str) -> float | None:
        total, count = self.scores.get(criterion, (0, 0))
        return round(total / count, 2) if count else None

    @property
    def overall_satisfaction(self) -> float | None:
        """Every criterion together (1-5), weighted by answers, as routing.ranking weighs them."""
        count = self.satisfaction_answers
        return round(sum(total for total, _ in self.scores.values()) / count, 2) if count else None

    @property
    def satisfaction_answers(self) -> int:
        return sum(count for _, count in self.scores.values())

    def criterion_rows(self) -> list[dict[str, Any]]:
        """This line's ratings shaped like storage.queries.survey_averages (for the ranking)."""
        return [{"agency_id": self.agency_id, "criterion": c, "average": round(t / n, 2), "answers": n}
                for c, (t, n) in sorted(self.scores.items()) if n]

    def absorb(self, other: "Figures") -> None:
        self.received += other.received
        self.not_accepted += other.not_accepted
        self.on_time += other.on_time
        self.late += other.late
        self.overdue += other.overdue
        self.handling_days.extend(other.handling_days)
        for criterion, (total, count) in other.scores.items():
            self.scores[criterion][0] += total
            self.scores[criterion][1] += count


def _in_period(start: datetime | None, end: datetime | None,
               scope: sa.ColumnElement[bool] | None) -> list[sa.ColumnElement[bool]]:
    where = [] if scope is None else [scope]
    if start is not None:
        where.append(cases.c.received_at >= start)
    if end is not None:
        where.append(cases.c.received_at < end)
    return where


Fine = dict[tuple[str, str, str], Figures]  # (agency, ward, procedure) -> figures


def fine_figures(session: Session, calendar: WorkingCalendar, start: datetime | None,
                 end: datetime | None, now: datetime,
                 scope: sa.ColumnElement[bool] | None = None) -> Fine:
    """Figures per (agency, ward, procedure) for the cases received in [start, end) (None:
    unbounded); with `scope` (a clause on cases: a staff member's scope), only for those cases.
    `by_procedure` and `by_unit` add them up for the report and for the ranking."""
    lines: Fine = {}

    def line(agency: str | None, ward: str | None, procedure: str | None) -> Figures:
        key = (agency or "", ward or "", procedure or "")
        return lines.setdefault(key, Figures(key[0], key[2], ward=key[1]))

    period = _in_period(start, end, scope)
    groups = (cases.c.agency_id, cases.c.ward, cases.c.procedure_id)
    refused = cases.c.status.in_(NOT_HANDLED)
    received = (sa.select(*groups, sa.func.sum(sa.case((refused, 0), else_=1)),
                          sa.func.sum(sa.case((refused, 1), else_=0)))
                .where(*period).group_by(*groups))
    for agency, ward, procedure, accepted, refused_count in session.execute(received):
        target = line(agency, ward, procedure)
        target.received, target.not_accepted = int(accepted or 0), int(refused_count or 0)

    d = case_deadlines
    met_on_time = sa.and_(d.c.met_at.is_not(None), d.c.met_at <= d.c.due_at)
    met_late = sa.and_(d.c.met_at.is_not(None), d.c.met_at > d.c.due_at)
    open_overdue = sa.and_(d.c.met_at.is_(None), d.c.due_at < now, cases.c.status.in_(AWAITING_ANSWER))
    answer_join = cases.join(d, sa.and_(d.c.case_id == cases.c.id, d.c.step == "answer"))
    handled = [cases.c.status.not_in(NOT_HANDLED), *period]
    outcomes = (sa.select(*groups,
                          sa.func.sum(sa.case((met_on_time, 1), else_=0)),
                          sa.func.sum(sa.case((met_late, 1), else_=0)),
                          sa.func.sum(sa.case((open_overdue, 1), else_=0)))
                .select_from(answer_join).where(*handled).group_by(*groups))
    for agency, ward, procedure, on_time, late, overdue in session.execute(outcomes):
        target = line(agency, ward, procedure)
        target.on_time, target.late, target.overdue = int(on_time or 0), int(late or 0), int(overdue or 0)

    durations = (sa.select(*groups, cases.c.received_at, d.c.met_at)
                 .select_from(answer_join).where(d.c.met_at.is_not(None), *handled))
    for agency, ward, procedure, received_at, met_at in session.execute(durations):
        days = calendar.working_days_between(received_at.astimezone(VIETNAM).date(),
                                             met_at.astimezone(VIETNAM).date())
        line(agency, ward, procedure).handling_days.append(max(days, 0))

    s = survey_answers
    ratings = (sa.select(s.c.agency_id, cases.c.ward, cases.c.procedure_id, s.c.criterion,
                         sa.func.sum(s.c.score), sa.func.count())
               .select_from(s.join(cases, cases.c.code == s.c.case_code)).where(*period)
               .group_by(s.c.agency_id, cases.c.ward, cases.c.procedure_id, s.c.criterion))
    for agency, ward, procedure, criterion, total, count in session.execute(ratings):
        line(agency, ward, procedure).scores[criterion] = [int(total), int(count)]
    return lines


def by_procedure(fine: Fine) -> dict[tuple[str, str], Figures]:
    """The report's lines: (agency, procedure), every ward together."""
    lines: dict[tuple[str, str], Figures] = {}
    for (agency, _, procedure), row in sorted(fine.items()):
        lines.setdefault((agency, procedure), Figures(agency, procedure)).absorb(row)
    return lines


def by_unit(fine: Fine) -> dict[Unit, Figures]:
    """One total per scoring unit (routing.ranking.scoring_unit): a ward's People's Committee
    and a ward's police each on their own, a city agency as a whole."""
    units: dict[Unit, Figures] = {}
    for (agency, ward, _), row in sorted(fine.items()):
        unit = scoring_unit(agency, ward)
        units.setdefault(unit, Figures(unit[0], "", level=AGENCY_TOTAL, ward=unit[1])).absorb(row)
    return units


def figures(session: Session, calendar: WorkingCalendar, start: datetime | None,
            end: datetime | None, now: datetime,
            scope: sa.ColumnElement[bool] | None = None) -> dict[tuple[str, str], Figures]:
    """Figures per (agency, procedure) for the cases received in [start, end) (None: unbounded);
    with `scope`, only for the cases it selects."""
    return by_procedure(fine_figures(session, calendar, start, end, now, scope))


def report_lines(lines: dict[tuple[str, str], Figures], city_total: bool = True) -> list[Figures]:
    """Each agency's procedures, then the agency's total; cases with no agency yet after the
    agencies; then the city total (left out for one agency's report: it would repeat the agency's)."""
    by_agency: dict[str, list[Figures]] = defaultdict(list)
    for (agency, _), figures_ in sorted(lines.items(), key=lambda item: (item[0][0] == "", item[0])):
        by_agency[agency].append(figures_)
    result: list[Figures] = []
    city = Figures("", "", level=CITY_TOTAL)
    for agency, rows in by_agency.items():
        total = Figures(agency, "", level=AGENCY_TOTAL)
        for row in rows:
            total.absorb(row)
        result.extend(rows)
        result.append(total)
        city.absorb(total)
    if city_total:
        result.append(city)
    return result


def agency_totals(lines: dict[tuple[str, str], Figures]) -> list[Figures]:
    totals: dict[str, Figures] = {}
    for (agency, _), row in sorted(lines.items()):
        totals.setdefault(agency, Figures(agency, "", level=AGENCY_TOTAL)).absorb(row)
    return list(totals.values())


def period_report(session: Session, calendar: WorkingCalendar, period: Period,
                  now: datetime) -> list[Figures]:
    return report_lines(figures(session, calendar, period.start, period.end, now))
