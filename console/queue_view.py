"""The work queue page's parts: the filter a request asks for, and the choices a person may pick
from (only what they can see: a ward officer's lists hold their own agency and ward)."""
from __future__ import annotations

from typing import Any

from flask import request

from console import texts as T
from console.form_text import query_day
from routing.catalogue import Catalogue
from storage.console_queries import CaseFilter, Scope
from storage.work_queue import QueueFilter

FILTER_KEYS = ("agency_id", "procedure_id", "channel", "ward", "overdue", "date_from", "date_to",
               "q", "assignee", "closed", "sort")


def queue_filter() -> QueueFilter:
    args = request.args
    base = CaseFilter(agency_id=args.get("agency_id", ""), procedure_id=args.get("procedure_id", ""),
                      channel=args.get("channel", ""), ward=args.get("ward", ""),
                      overdue=args.get("overdue") == "1", date_from=query_day(args.get("date_from")),
                      date_to=query_day(args.get("date_to")), q=args.get("q", "").strip()[:200])
    return QueueFilter.build(base, args.getlist("status"), args.get("assignee", ""),
                             args.get("closed") == "1", args.get("sort", "urgency"))


def kept_arguments() -> dict[str, Any]:
    """The query string minus the page, for the pager's links (statuses stay a list)."""
    kept: dict[str, Any] = {k: request.args[k] for k in FILTER_KEYS if request.args.get(k)}
    statuses = [s for s in request.args.getlist("status") if s]
    if statuses:
        kept["status"] = statuses
    return kept


def filter_choices(catalogue: Catalogue, scope: Scope) -> dict[str, Any]:
    """Agencies and wards a person can see cases of; every status and channel."""
    agencies = list(catalogue.agencies.values())
    wards = [w.label for w in catalogue.wards]
    if scope.agency_id is not None:
        agencies = [a for a in agencies if a.id == scope.agency_id]
    if scope.ward is not None:
        wards = [scope.ward]
    return {"agencies": agencies, "wards": wards, "statuses": T.STATUS_NAMES,
            "channels": T.CHANNEL_NAMES}

