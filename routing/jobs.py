"""Scheduled work: due-soon reminders, overdue escalation, the daily digest, surveys.

Each job computes what is due from the database and marks what it did (reminded_at,
escalated_at, a unique dedupe key, survey_started_at), so a restart or a missed run neither
skips nor repeats anything. `now` is always passed in.
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timezone

from routing.calendar import VIETNAM
from routing.catalogue import FOCAL_POINT_AGENCY
from routing.deadlines import DeadlinePolicy, is_due_soon, is_overdue
from routing.model import CaseStatus, StaffNotification
from routing.ports import AbstractUnitOfWork, Notifier

logger = logging.getLogger(__name__)


def send_due_reminders(uow: AbstractUnitOfWork, policy: DeadlinePolicy, now: datetime) -> int:
    """Remind the assigned agency once per step that is due within the configured working days."""
    calendar = uow.calendar.load()
    sent = 0
    for case in uow.cases.open_cases():
        for deadline in case.deadlines:
            if deadline.reminded_at is None and is_due_soon(
                    deadline, calendar, now, policy.remind_working_days_before):
                notification = StaffNotification(
                    case.agency_id or FOCAL_POINT_AGENCY, "due_soon", now,
                    f"due_soon:{case.code}:{deadline.step}:{_utc(deadline.due_at)}",
                    case.code, case.ward, {"step": deadline.step, "due_at": _utc(deadline.due_at)})
                sent += uow.staff_notifications.add_once(notification)
                deadline.reminded_at = now
    return sent


def escalate_overdue(uow: AbstractUnitOfWork, now: datetime) -> int:
    """Tell the focal point (Văn phòng UBND) once about every overdue step."""
    sent = 0
    for case in uow.cases.open_cases():
        for deadline in case.deadlines:
            if deadline.escalated_at is None and is_overdue(deadline, now):
                notification = StaffNotification(
                    FOCAL_POINT_AGENCY, "overdue", now,
                    f"overdue:{case.code}:{deadline.step}:{_utc(deadline.due_at)}",
                    case.code, case.ward,
                    {"step": deadline.step, "due_at": _utc(deadline.due_at),
                     "agency_id": case.agency_id})
                sent += uow.staff_notifications.add_once(notification)
                deadline.escalated_at = now
    return sent


def _utc(moment: datetime) -> str:
    """A due time as it is keyed: in UTC, whatever zone the deadline was computed in, so that a job
    run on a just-planned deadline (Hà Nội time) and one run on it read back from the database
    (UTC) write the same dedupe key."""
    return moment.astimezone(timezone.utc).isoformat()


def send_daily_digest(uow: AbstractUnitOfWork, policy: DeadlinePolicy, now: datetime) -> int:
    """One digest per agency per day: open cases, due soon, overdue."""
    calendar = uow.calendar.load()
    day = now.astimezone(VIETNAM).date().isoformat()
    open_count: Counter[str] = Counter()
    due_soon: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    for case in uow.cases.open_cases():
        agency = case.agency_id or FOCAL_POINT_AGENCY
        open_count[agency] += 1
        steps = [d for d in case.deadlines if d.met_at is None]
        due_soon[agency] += any(is_due_soon(d, calendar, now, policy.remind_working_days_before)
                                for d in steps)
        overdue[agency] += any(is_overdue(d, now) for d in steps)
    sent = 0
    for agency in sorted(open_count):
        notification = StaffNotification(agency, "digest", now, f"digest:{agency}:{day}", data={
            "day": day, "open": open_count[agency], "due_soon": due_soon[agency],
            "overdue": overdue[agency]})
        sent += uow.staff_notifications.add_once(notification)
    return sent


def start_surveys(uow: AbstractUnitOfWork, notifier: Notifier, now: datetime) -> int:
    """Ask the SIPAS survey after closure, when the citizen is not in the middle of something."""
    started = 0
    for case in uow.cases.closed_without_survey():
        if CaseStatus(case.status) != CaseStatus.CLOSED:
            continue
        if notifier.ask_survey(uow, case, now):
            case.survey_started_at = now
            started += 1
    return started
