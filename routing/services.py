"""Use cases on PAKN cases. Every entry point (webhook, console, scheduler, CLI) calls these."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# The domain errors of these use cases are raised from case_rules; callers catch them from here.
from routing.case_rules import PublicationNotReviewed as PublicationNotReviewed
from routing.case_rules import PublicationRequired as PublicationRequired
from routing.case_rules import SameUnit as SameUnit
from routing.case_rules import UnknownAgency as UnknownAgency
from routing.case_rules import UnknownWard as UnknownWard
from routing.case_rules import WardRequired as WardRequired
from routing.case_rules import needs_masking_review, plan_assignment, publication_pending
from routing.catalogue import FOCAL_POINT_AGENCY, OUT_OF_SCOPE_PROCEDURE, Catalogue
from routing.deadlines import ANSWER, FORWARD, DeadlinePolicy, recompute
from routing.limits import ContactTooLong, too_long
from routing.model import (
    Case,
    CaseEvent,
    CaseStatus,
    Conversation,
    DomainError,
    LabelledExample,
    MissingContactData,
    StaffNotification,
    SurveyAnswer,
    UnknownCase,
)
from routing.ports import AbstractUnitOfWork, Notifier
from routing.rules import choose_agency

logger = logging.getLogger(__name__)


class UnknownProcedure(DomainError):
    pass


@dataclass(frozen=True)
class CaseContext:
    """The rules a case is filed and handled under (the calendar comes from the database)."""

    catalogue: Catalogue
    policy: DeadlinePolicy


@dataclass(frozen=True)
class IntakeForm:
    text: str
    procedure_id: str | None  # None: the citizen could not say; the focal point classifies
    citizen_name: str
    citizen_phone: str
    citizen_address: str
    ward: str | None = None
    named_agencies: tuple[str, ...] = field(default_factory=tuple)
    publish_consent: bool = False  # the citizen agreed to publication after masking
    attachments: tuple[dict[str, Any], ...] = ()  # {type, url | file_id}: photos, files, places
    # Contact fields kept as the citizen typed them after the bot asked twice: staff check them.
    to_check: tuple[str, ...] = ()


def file_case(uow: AbstractUnitOfWork, ctx: CaseContext, conversation: Conversation | None,
              form: IntakeForm, now: datetime, actor: str = "bot", channel: str | None = None,
              sender_id: str = "") -> Case:
    """File a PAKN: allocate a tracking code, route it, plan its deadlines.

    Raises:
        MissingContactData: name, address or phone is empty (NĐ 20/2008 Art. 7).
        ContactTooLong: name, phone or address is longer than routing.limits allows.
        UnknownProcedure: the procedure is out of PAKN scope (khiếu nại, tố cáo) or unknown.
    """
    missing = [name for name, value in (("họ tên", form.citizen_name),
                                        ("số điện thoại", form.citizen_phone),
                                        ("địa chỉ", form.citizen_address)) if not value.strip()]
    if missing:
        raise MissingContactData(", ".join(missing))
    over = too_long(form.citizen_name, form.citizen_phone, form.citizen_address)
    if over is not None:
        raise ContactTooLong(*over)
    _check_procedure(ctx, form.procedure_id)
    agency_id = (choose_agency(ctx.catalogue, form.procedure_id, form.named_agencies)
                 if form.procedure_id else FOCAL_POINT_AGENCY)
    case = Case(code=uow.cases.next_code(now.year),
                channel=conversation.channel if conversation else (channel or "hotline"),
                sender_id=conversation.sender_id if conversation else sender_id,
                text=form.text, procedure_id=form.procedure_id, agency_id=agency_id,
                citizen_name=form.citizen_name.strip(), citizen_phone=form.citizen_phone,
                citizen_address=form.citizen_address.strip(), received_at=now, ward=form.ward,
                conversation_id=conversation.id if conversation else None)
    case.publish_consent = form.publish_consent
    case.deadlines = ctx.policy.plan(uow.calendar.load(), case)
    case.due_at = case.deadline(ANSWER).due_at  # type: ignore[union-attr]
    uow.cases.add(case)
    received: dict[str, Any] = {"channel": case.channel}
    if form.attachments:
        received["attachments"] = list(form.attachments)
    if form.to_check:
        received["to_check"] = list(form.to_check)
    case.events.append(CaseEvent(now, actor, "status", None, CaseStatus.RECEIVED.value,
                                 data=received))
    if form.procedure_id:
        case.transition_to(CaseStatus.CLASSIFIED, now, actor,
                           data={"procedure_id": form.procedure_id, "agency_id": agency_id})
    logger.info("filed case %s procedure=%s agency=%s", case.code, form.procedure_id, agency_id)
    return case


def _check_procedure(ctx: CaseContext, procedure_id: str | None) -> None:
    if procedure_id is not None and (procedure_id == OUT_OF_SCOPE_PROCEDURE
                                     or procedure_id not in ctx.catalogue.procedures):
        raise UnknownProcedure(f"not a PAKN procedure group: {procedure_id}")


def lookup_case(uow: AbstractUnitOfWork, code: str) -> Case:
    """Raises UnknownCase when no case has this code."""
    case = uow.cases.get(code.strip().upper())
    if case is None:
        raise UnknownCase(code)
    return case


def change_status(uow: AbstractUnitOfWork, notifier: Notifier, code: str, target: CaseStatus,
                  actor: str, now: datetime, note: str = "", *, citizen_message: str = "",
                  data: dict[str, Any] | None = None) -> Case:
    """Apply a status transition and tell the citizen.

    `note` is internal (the staff timeline only); `citizen_message`, when given, is added to what
    the citizen is told, and so is a `reason` in `data`.

    Raises:
        UnknownCase, InvalidTransition.
    """
    case = lookup_case(uow, code)
    event = case.transition_to(target, now, actor, note, data=data,
                               citizen_message=citizen_message.strip())
    notifier.case_changed(uow, case, event, now)
    return case


def _met(case: Case, step: str, now: datetime) -> None:
    deadline = case.deadline(step)
    if deadline is not None and deadline.met_at is None:
        deadline.met_at = now


def forward_case(uow: AbstractUnitOfWork, notifier: Notifier, ctx: CaseContext, code: str,
                 actor: str, now: datetime, agency_id: str | None = None, note: str = "",
                 ward: str | None = None, *, citizen_message: str = "") -> Case:
    """Send a classified case to the competent agency (its current one unless `agency_id`).

    Raises:
        UnknownCase, UnknownAgency, UnknownWard, InvalidTransition; WardRequired when the agency
        is commune-level and the case has no ward.
    """
    case = lookup_case(uow, code)
    data = plan_assignment(case, ctx.catalogue, agency_id, ward)
    data.pop("from_agency", None)  # a first forwarding, not a transfer
    event = case.transition_to(CaseStatus.FORWARDED, now, actor, note, data=data,
                               citizen_message=citizen_message.strip())
    case.agency_id, case.ward = data["agency_id"], data.get("ward")
    _met(case, FORWARD, now)
    notifier.case_changed(uow, case, event, now)
    return case


def transfer_case(uow: AbstractUnitOfWork, notifier: Notifier, ctx: CaseContext, code: str,
                  agency_id: str, reason: str, actor: str, now: datetime,
                  ward: str | None = None, *, note: str = "", citizen_message: str = "") -> Case:
    """Move a case to another agency (or ward), with the reason on the timeline and told to the
    citizen (`note` stays internal).

    Raises:
        DomainError without a reason; SameUnit when the case already is with that unit; the
        errors of forward_case.
    """
    if not reason.strip():
        raise DomainError("a transfer needs a reason")
    case = lookup_case(uow, code)
    data = plan_assignment(case, ctx.catalogue, agency_id, ward, transfer=True)
    data.setdefault("from_agency", data["agency_id"])
    data["reason"] = reason.strip()
    event = case.transition_to(CaseStatus.FORWARDED, now, actor, note, data=data,
                               citizen_message=citizen_message.strip())
    case.agency_id, case.ward = data["agency_id"], data.get("ward")
    notifier.case_changed(uow, case, event, now)
    return case


def reclassify_case(uow: AbstractUnitOfWork, ctx: CaseContext, code: str, procedure_id: str,
                    actor: str, now: datetime, note: str = "") -> Case:
    """Staff correct the procedure group; the agency follows unless the current one is competent.

    The corrected text is kept as a labelled example for retraining the NLU.
    """
    _check_procedure(ctx, procedure_id)
    case = lookup_case(uow, code)
    previous = case.procedure_id
    case.procedure_id = procedure_id
    if not (case.agency_id and ctx.catalogue.can_handle(case.agency_id, procedure_id)):
        case.agency_id = choose_agency(ctx.catalogue, procedure_id)
    if CaseStatus(case.status) == CaseStatus.RECEIVED:
        case.transition_to(CaseStatus.CLASSIFIED, now, actor, note)
    case.record(now, actor, "reclassified", note,
                data={"from_procedure": previous, "procedure_id": procedure_id,
                      "agency_id": case.agency_id})
    uow.examples.add(LabelledExample(case.text, procedure_id, case.agency_id, "reclassification",
                                     now, actor, case.code, previous))
    return case


def start_handling(uow: AbstractUnitOfWork, notifier: Notifier, code: str, actor: str,
                   now: datetime, note: str = "", *, citizen_message: str = "") -> Case:
    return change_status(uow, notifier, code, CaseStatus.IN_PROGRESS, actor, now, note,
                         citizen_message=citizen_message)


def answer_case(uow: AbstractUnitOfWork, notifier: Notifier, code: str, answer: str, actor: str,
                now: datetime, *, note: str = "") -> Case:
    """Record the agency's official reply; it reaches the citizen in full (`note` stays internal)."""
    if not answer.strip():
        raise DomainError("the answer is empty")
    case = lookup_case(uow, code)
    case.answer = answer.strip()
    event = case.transition_to(CaseStatus.ANSWERED, now, actor, note)
    _met(case, ANSWER, now)
    notifier.case_changed(uow, case, event, now)
    return case


def publish_case(uow: AbstractUnitOfWork, notifier: Notifier, code: str, actor: str,
                 now: datetime, note: str = "", *, citizen_message: str = "") -> Case:
    case = change_status(uow, notifier, code, CaseStatus.PUBLISHED, actor, now, note,
                         citizen_message=citizen_message)
    _met(case, "publish_result", now)
    return case


def close_case(uow: AbstractUnitOfWork, notifier: Notifier, code: str, actor: str, now: datetime,
               note: str = "", unpublished_reason: str = "", *, citizen_message: str = "") -> Case:
    """End the handling. A consented, answered case is published first, or staff say why not.

    Raises:
        UnknownCase, InvalidTransition; PublicationRequired (see case_rules.publication_pending).
    """
    case = lookup_case(uow, code)
    data = None
    if publication_pending(case):
        if not unpublished_reason.strip():
            raise PublicationRequired(f"case {case.code}: publish the result or say why not")
        data = {"unpublished_reason": unpublished_reason.strip()}
    event = case.transition_to(CaseStatus.CLOSED, now, actor, note, data=data,
                               citizen_message=citizen_message.strip())
    case.closed_at = now
    notifier.case_changed(uow, case, event, now)
    return case


def reopen_case(uow: AbstractUnitOfWork, notifier: Notifier, ctx: CaseContext, code: str,
                reason: str, actor: str, now: datetime, *, note: str = "",
                citizen_message: str = "") -> Case:
    """The citizen disputes the answer: a new answer deadline counts from now. The reason is
    told to the citizen; `note` stays internal."""
    case = lookup_case(uow, code)
    event = case.transition_to(CaseStatus.REOPENED, now, actor, note, data={"reason": reason.strip()},
                               citizen_message=citizen_message.strip())
    case.deadlines = [d for d in case.deadlines if d.step != ANSWER]
    case.deadlines.append(ctx.policy.reopened_answer(uow.calendar.load(), case, now))
    case.due_at = case.deadline(ANSWER).due_at  # type: ignore[union-attr]
    case.closed_at = None
    case.survey_started_at = None
    notifier.case_changed(uow, case, event, now)
    return case


def reject_case(uow: AbstractUnitOfWork, notifier: Notifier, code: str, reason: str, actor: str,
                now: datetime, *, note: str = "", citizen_message: str = "") -> Case:
    """Not received (e.g. missing contact data, NĐ 20/2008 Art. 9.1.d(i)); the reason is told."""
    if not reason.strip():
        raise DomainError("a rejection needs a reason")
    return change_status(uow, notifier, code, CaseStatus.REJECTED, actor, now, note,
                         citizen_message=citizen_message, data={"reason": reason.strip()})


def redirect_case(uow: AbstractUnitOfWork, notifier: Notifier, code: str, actor: str,
                  now: datetime, note: str = "", *, citizen_message: str = "") -> Case:
    """A khiếu nại / tố cáo: out of PAKN scope, the citizen is told where to send it."""
    return change_status(uow, notifier, code, CaseStatus.REDIRECTED, actor, now, note,
                         citizen_message=citizen_message)


def record_rating(uow: AbstractUnitOfWork, code: str, criterion: str, score: int,
                  now: datetime) -> bool:
    """Store one SIPAS rating; False when that criterion of that case was already rated."""
    case = lookup_case(uow, code)
    return uow.surveys.add(SurveyAnswer(case.code, case.agency_id, criterion, score, now))


def add_citizen_info(uow: AbstractUnitOfWork, code: str, text: str,
                     attachments: tuple[dict[str, Any], ...], now: datetime) -> Case:
    """What the citizen sent after staff asked for more information: on the case's timeline, and a
    notification for the unit handling it (the focal point before the case is forwarded)."""
    case = lookup_case(uow, code)
    case.record(now, "citizen", "citizen_info", text.strip(),
                data={"attachments": list(attachments)} if attachments else None)
    uow.staff_notifications.add_once(StaffNotification(
        case.agency_id or FOCAL_POINT_AGENCY, "citizen_info", now,
        f"citizen_info:{case.code}:{len(case.events)}", case.code, case.ward,
        {"attachments": len(attachments)}))
    return case


def end_info_request(uow: AbstractUnitOfWork, code: str, actor: str, now: datetime) -> Case:
    """The request for information is over: the citizen said they sent it all, or staff closed it."""
    case = lookup_case(uow, code)
    case.record(now, actor, "info_done" if actor == "citizen" else "info_closed")
    return case


def set_calendar_day(uow: AbstractUnitOfWork, day: date, working: bool, reason: str) -> int:
    """Admins extend the calendar; open cases' deadlines are recomputed. Returns how many moved."""
    uow.calendar.set_day(day, working, reason)
    calendar = uow.calendar.load()
    return sum(recompute(case, calendar) for case in uow.cases.open_cases())


# -- publication of results (NĐ 20/2008 Art. 19; personal data masked, domain notes §6.4) --------

def review_publication(uow: AbstractUnitOfWork, code: str, public_text: str,
                       public_answer: str | None, actor: str, now: datetime) -> Case:
    """Staff approve the masked text (and answer) that may be published for this case.

    Raises:
        UnknownCase; DomainError when the public text is empty.
    """
    if not public_text.strip():
        raise DomainError("the public text is empty")
    case = lookup_case(uow, code)
    case.public_text = public_text.strip()
    case.public_answer = (public_answer or "").strip() or None
    case.masking_reviewed_by = actor
    case.masking_reviewed_at = now
    case.record(now, actor, "masking_reviewed")
    return case


def publish_reviewed_case(uow: AbstractUnitOfWork, notifier: Notifier, code: str, actor: str,
                          now: datetime, note: str = "", *, citizen_message: str = "") -> Case:
    """Publish an answered case's result: only with consent or after masking review.

    With consent and no review yet, the text and answer are masked automatically.

    Raises:
        UnknownCase, PublicationNotReviewed, InvalidTransition.
    """
    from routing.masking import mask

    case = lookup_case(uow, code)
    if needs_masking_review(case):
        raise PublicationNotReviewed(code)
    known = (case.citizen_name, case.citizen_address, case.citizen_phone)
    if not case.public_text:
        case.public_text = mask(case.text, known)
    if not case.public_answer and case.answer:
        case.public_answer = mask(case.answer, known)
    case = publish_case(uow, notifier, code, actor, now, note, citizen_message=citizen_message)
    case.published_at = now
    return case
