"""Helpers shared by the console's pages: template globals, running a staff action safely."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable

from flask import flash
from flask_wtf.csrf import generate_csrf

from console import texts as T
from console.deps import components
from routing.calendar import VIETNAM
from routing.case_rules import (
    PublicationNotReviewed,
    PublicationRequired,
    SameUnit,
    UnknownWard,
    WardRequired,
)
from routing.model import DomainError, InvalidTransition, MissingContactData, UnknownCase
from routing.rules import handling_unit
from routing.services import UnknownAgency, UnknownProcedure

logger = logging.getLogger(__name__)


def format_time(moment: datetime | None, with_time: bool = True) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(VIETNAM)
    return local.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def format_number(value: float | int | None, decimals: int | None = None, empty: str = "—") -> str:
    """A number the Vietnamese way: 1.234 and 87,5 (dot for thousands, comma for decimals)."""
    if value is None:
        return empty
    if decimals is None:
        decimals = 0 if isinstance(value, int) else 1
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def template_helpers() -> dict[str, Any]:
    catalogue = components().ctx.catalogue
    return {
        "T": T, "csrf_token": generate_csrf, "fmt": format_time, "num": format_number,
        "status_name": lambda s: T.STATUS_NAMES.get(str(getattr(s, "value", s)), str(s)),
        "channel_name": lambda c: T.CHANNEL_NAMES.get(c, c),
        "agency_name": lambda a: catalogue.agency_name(a) or "—",
        # 'UBND phường Cầu Giấy' rather than 'UBND xã, phường (126 đơn vị) · phường Cầu Giấy'
        "unit_name": lambda a, w=None: handling_unit(catalogue, a, w) or "—",
        "procedure_name": lambda p: catalogue.procedure_name(p) or "Chưa phân loại",
        "role_name": lambda r: T.ROLE_NAMES.get(r, r),
    }


class MissingInput(DomainError):
    """A required field of a form is empty or invalid; the message is Vietnamese, shown as is."""


def domain_error_message(error: DomainError, code: str = "") -> str:
    """A Vietnamese sentence for a domain error (services speak English to logs)."""
    if isinstance(error, MissingInput):
        return str(error)
    if isinstance(error, InvalidTransition):
        return T.INVALID_TRANSITION.format(code=code, current=T.STATUS_NAMES[error.current.value],
                                           target=T.STATUS_NAMES[error.target.value])
    if isinstance(error, UnknownCase):
        return T.UNKNOWN_CASE.format(code=code or error)
    if isinstance(error, UnknownAgency):
        return T.UNKNOWN_AGENCY
    if isinstance(error, UnknownProcedure):
        return T.UNKNOWN_PROCEDURE
    if isinstance(error, MissingContactData):
        return T.MISSING_CONTACT.format(missing=error)
    return _case_rule_message(error, code) or T.DOMAIN_ERROR.format(error=error)


def _case_rule_message(error: DomainError, code: str) -> str | None:
    """Who handles a case and its publication (routing.case_rules), in Vietnamese."""
    catalogue = components().ctx.catalogue
    if isinstance(error, WardRequired):
        return T.WARD_REQUIRED.format(code=code, agency=catalogue.agency_name(error.agency_id))
    if isinstance(error, UnknownWard):
        return T.UNKNOWN_WARD
    if isinstance(error, SameUnit):
        unit = handling_unit(catalogue, error.agency_id, error.ward)
        return T.SAME_UNIT.format(code=code, unit=unit)
    if isinstance(error, PublicationRequired):
        return T.PUBLICATION_REQUIRED.format(code=code)
    if isinstance(error, PublicationNotReviewed):
        return T.PUBLICATION_NEEDS_REVIEW.format(code=code)
    return None


def run_in_uow(work: Callable[[Any], Any], code: str = "",
               keep: Callable[[Any], bool] = lambda result: True) -> tuple[bool, Any]:
    """Run `work(uow)` in one unit of work and commit; a domain error becomes a flash message.

    Returns (done, what work returned). Outbox rows written by `work` are sent right away. When
    `keep(result)` is false the work is rolled back instead (a dry run, e.g. for a preview).
    """
    pakn = components()
    try:
        result = pakn.uow().run(work, keep)
    except DomainError as error:
        logger.info("console action refused on %s: %s", code, error)
        flash(domain_error_message(error, code), "error")
        return False, None
    if keep(result):
        pakn.dispatcher.wakeup.set()
    return True, result
