"""Use cases on PAKN cases. Every entry point (webhook, console, scheduler, CLI) calls these."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from routing.calendar import WorkingCalendar
from routing.catalogue import FOCAL_POINT_AGENCY, OUT_OF_SCOPE_PROCEDURE, Catalogue
from routing.deadlines import DeadlinePolicy
from routing.model import (Case, CaseEvent, CaseStatus, Conversation, MissingContactData,
                           UnknownCase)
from routing.ports import AbstractUnitOfWork, Notifier
from routing.rules import choose_agency

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseContext:
    """The rules a case is filed and handled under."""

    catalogue: Catalogue
    calendar: WorkingCalendar
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


def file_case(uow: AbstractUnitOfWork, ctx: CaseContext, conversation: Conversation,
              form: IntakeForm, now: datetime, actor: str = "bot") -> Case:
    """File a PAKN: allocate a tracking code, route it, set the answer deadline.

    Raises:
        MissingContactData: name, address or phone is empty (NĐ 20/2008 Art. 7).
        ValueError: the procedure is out of PAKN scope (khiếu nại, tố cáo) or unknown.
    """
    missing = [name for name, value in (("name", form.citizen_name), ("phone", form.citizen_phone),
                                        ("address", form.citizen_address)) if not value.strip()]
    if missing:
        raise MissingContactData(", ".join(missing))
    if form.procedure_id is not None and (form.procedure_id == OUT_OF_SCOPE_PROCEDURE
                                          or form.procedure_id not in ctx.catalogue.procedures):
        raise ValueError(f"not a PAKN procedure group: {form.procedure_id}")
    agency_id = (choose_agency(ctx.catalogue, form.procedure_id, form.named_agencies)
                 if form.procedure_id else FOCAL_POINT_AGENCY)
    case = Case(code=uow.cases.next_code(now.year), channel=conversation.channel,
                sender_id=conversation.sender_id, text=form.text, procedure_id=form.procedure_id,
                agency_id=agency_id, citizen_name=form.citizen_name.strip(),
                citizen_phone=form.citizen_phone, citizen_address=form.citizen_address.strip(),
                received_at=now, ward=form.ward, conversation_id=conversation.id)
    case.due_at = ctx.policy.answer_due_at(ctx.calendar, now, form.procedure_id)
    uow.cases.add(case)
    case.events.append(CaseEvent(now, actor, "status", None, CaseStatus.RECEIVED.value,
                                 note=f"channel={conversation.channel}"))
    if form.procedure_id:
        case.transition_to(CaseStatus.CLASSIFIED, now, actor,
                           note=f"procedure={form.procedure_id} agency={agency_id}")
    logger.info("filed case %s procedure=%s agency=%s", case.code, form.procedure_id, agency_id)
    return case


def lookup_case(uow: AbstractUnitOfWork, code: str) -> Case:
    """Raises UnknownCase when no case has this code."""
    case = uow.cases.get(code.upper())
    if case is None:
        raise UnknownCase(code)
    return case


def change_status(uow: AbstractUnitOfWork, notifier: Notifier, code: str, target: CaseStatus,
                  actor: str, now: datetime, note: str = "") -> Case:
    """Apply a status transition and tell the citizen.

    Raises:
        UnknownCase, InvalidTransition.
    """
    case = lookup_case(uow, code)
    event = case.transition_to(target, now, actor, note)
    notifier.case_changed(uow, case, event, now)
    return case
