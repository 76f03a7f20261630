"""Scheduled work: due-soon reminders, overdue escalation, the daily digest, surveys.

Each job computes what is due from the database and marks what it did (reminded_at,
escalated_at, a unique dedupe key, survey_started_at), so a restart or a missed run neither
skips nor repeats anything. `now` is always passed in.
"""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

from routing.calendar import VIETNAM
from routing.catalogue import FOCAL_POINT_AGENCY
from routing.deadlines import DeadlinePolicy, is_due_soon, is_overdue
from routing.model import CaseStatus, StaffNotification
from routing import staff_mail
from routing.catalogue import Catalogue
from routing.ports import AbstractUnitOfWork, MailError, Notifier, StaffEmail, StaffMailer
from routing.ranking import Unit, scoring_unit
from routing.rules import handling_unit

logger = logging.getLogger(__name__)
DIGEST_CODES = 30  # case codes listed per digest; the counts are complete
EMAIL_WINDOW = timedelta(days=2)  # an alert the mail server refused that long is not sent late


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
    """One digest per handling unit per day (each ward's committee and police on their own, as
    they are scored): open cases, due soon and overdue, with the codes of the latter two."""
    calendar = uow.calendar.load()
    day = now.astimezone(VIETNAM).date().isoformat()
    open_count: Counter[Unit] = Counter()
    due_soon: dict[Unit, list[str]] = defaultdict(list)
    overdue: dict[Unit, list[str]] = defaultdict(list)
    for case in uow.cases.open_cases():
        unit = scoring_unit(case.agency_id or FOCAL_POINT_AGENCY, case.ward)
        open_count[unit] += 1
        steps = [d for d in case.deadlines if d.met_at is None]
        if any(is_overdue(d, now) for d in steps):
            overdue[unit].append(case.code)
        elif any(is_due_soon(d, calendar, now, policy.remind_working_days_before) for d in steps):
            due_soon[unit].append(case.code)
    sent = 0
    for agency, ward in sorted(open_count):
        key = f"digest:{agency}:{ward}:{day}" if ward else f"digest:{agency}:{day}"
        notification = StaffNotification(agency, "digest", now, key, ward=ward or None, data={
            "day": day, "open": open_count[agency, ward], "due_soon": len(due_soon[agency, ward]),
            "overdue": len(overdue[agency, ward]),
            "overdue_codes": overdue[agency, ward][:DIGEST_CODES],
            "due_soon_codes": due_soon[agency, ward][:DIGEST_CODES]})
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


def email_staff(uow: AbstractUnitOfWork, mailer: StaffMailer, catalogue: Catalogue, base_url: str,
                now: datetime) -> int:
    """E-mail the digests and overdue escalations not e-mailed yet to the staff they concern (one
    alert per person listing every new overdue case); how many e-mails went out.

    Everything is read first and the notifications are marked only after sending, so the
    transaction writes nothing while the mail server is talked to. A notification whose e-mail
    failed for any recipient stays unmarked and is tried again on the next run.
    """
    def unit(agency_id: str | None, ward: str | None) -> str:
        return handling_unit(catalogue, agency_id, ward) or catalogue.agency_name(agency_id) or ""

    pending = uow.staff_notifications.pending_emails(now - EMAIL_WINDOW)
    plan: list[tuple[StaffEmail, list[int]]] = []
    overdue: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for item in pending:
        for person in uow.staff_notifications.recipients(item["id"]):
            if item["kind"] == "overdue":
                overdue.setdefault(person["id"], (person, []))[1].append(item)
            else:
                plan.append((staff_mail.digest(person, item, base_url, unit), [item["id"]]))
    for person, items in overdue.values():
        plan.append((staff_mail.overdue_alert(person, items, base_url, unit),
                     [i["id"] for i in items]))
    failed: set[int] = set()
    sent = 0
    for email, ids in plan:
        try:
            mailer.send(email)
            sent += 1
        except MailError as error:
            logger.warning("staff e-mail not sent (%s); notifications %s wait", error, ids)
            failed.update(ids)
    uow.staff_notifications.mark_emailed([i["id"] for i in pending if i["id"] not in failed], now)
    logger.info("staff e-mail at %s: %d sent, %d notifications wait", now.isoformat(), sent,
                len(failed))
    return sent
