"""Legal time limits in working days, configurable per procedure group and per step.

Each case keeps one deadline per step, with the citation it came from:
* classify_and_forward: forward to the competent agency (NĐ 20/2008 Art. 9.1.d), from receipt;
* answer: the date the citizen is told; classify_and_forward + handle_conduct, from receipt
  (or handle_conduct from a reopening);
* publish_result: publish status and result, from receipt.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from routing.calendar import VIETNAM, WorkingCalendar
from routing.model import Case, CaseDeadline

FORWARD, ANSWER, PUBLISH = "classify_and_forward", "answer", "publish_result"
ANSWER_STEPS = ("classify_and_forward", "handle_conduct")


@dataclass(frozen=True)
class DeadlinePolicy:
    steps: dict[str, int]
    per_procedure: dict[str, dict[str, int]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    remind_working_days_before: int = 1

    def limit(self, step: str, procedure_id: str | None = None) -> int:
        override = self.per_procedure.get(procedure_id or "", {})
        return int(override.get(step, self.steps[step]))

    def answer_days(self, procedure_id: str | None) -> int:
        return sum(self.limit(step, procedure_id) for step in ANSWER_STEPS)

    def answer_due_at(self, calendar: WorkingCalendar, received_at: datetime,
                      procedure_id: str | None) -> datetime:
        return calendar.due_at(received_at, self.answer_days(procedure_id))

    def source(self, *steps: str) -> str:
        return "; ".join(self.sources.get(step, step) for step in steps)

    def plan(self, calendar: WorkingCalendar, case: Case) -> list[CaseDeadline]:
        """The deadlines of a newly filed case."""
        start, procedure = case.received_at, case.procedure_id
        plan = [(FORWARD, self.limit(FORWARD, procedure), self.source(FORWARD)),
                (ANSWER, self.answer_days(procedure), self.source(*ANSWER_STEPS))]
        if PUBLISH in self.steps:
            plan.append((PUBLISH, self.limit(PUBLISH, procedure), self.source(PUBLISH)))
        return [CaseDeadline(step, start, days, calendar.due_at(start, days), source)
                for step, days, source in plan]

    def reopened_answer(self, calendar: WorkingCalendar, case: Case, now: datetime) -> CaseDeadline:
        days = self.limit("handle_conduct", case.procedure_id)
        return CaseDeadline(ANSWER, now, days, calendar.due_at(now, days),
                            self.source("handle_conduct"))


def recompute(case: Case, calendar: WorkingCalendar) -> bool:
    """Recompute open deadlines after a calendar change; True when any due date moved."""
    moved = False
    for deadline in case.deadlines:
        if deadline.met_at is None:
            due = calendar.due_at(deadline.starts_at, deadline.working_days)
            if due != deadline.due_at:
                deadline.due_at, moved = due, True
    answer = case.deadline(ANSWER)
    if answer is not None:
        case.due_at = answer.due_at
    return moved


def is_due_soon(deadline: CaseDeadline, calendar: WorkingCalendar, now: datetime,
                working_days_before: int) -> bool:
    if deadline.met_at is not None or now >= deadline.due_at:
        return False
    today = now.astimezone(VIETNAM).date()
    due_day = deadline.due_at.astimezone(VIETNAM).date()
    return calendar.working_days_between(today, due_day) <= working_days_before


def is_overdue(deadline: CaseDeadline, now: datetime) -> bool:
    return deadline.met_at is None and now > deadline.due_at
