"""Routing rules: which agency a PAKN goes to, and who may see its status."""
from __future__ import annotations

import hmac
import re
from collections.abc import Iterable

from routing.catalogue import OUT_OF_SCOPE_PROCEDURE, Catalogue


def choose_agency(catalogue: Catalogue, procedure_id: str | None,
                  named_agencies: Iterable[str] = ()) -> str | None:
    """The first agency the citizen named that can handle the procedure, else its default.

    Returns None for khiếu nại / tố cáo (out of PAKN scope) and for unknown procedures.
    """
    if not procedure_id or procedure_id == OUT_OF_SCOPE_PROCEDURE:
        return None
    procedure = catalogue.procedures.get(procedure_id)
    if procedure is None:
        return None
    for agency_id in named_agencies:
        if catalogue.can_handle(agency_id, procedure_id):
            return agency_id
    return procedure.default_agency


# Agencies with one id for many commune-level units: the case's ward says which unit handles it.
COMMUNE_LEVEL_UNITS = {"ubnd_xa": "UBND", "cong_an": "Công an"}


def handling_unit(catalogue: Catalogue, agency_id: str | None, ward: str | None) -> str:
    """'UBND phường Cầu Giấy' for a ubnd_xa case in that ward; the agency's name otherwise."""
    if agency_id in COMMUNE_LEVEL_UNITS and ward:
        labels = {w.label for w in catalogue.wards}
        if ward in labels:
            return f"{COMMUNE_LEVEL_UNITS[agency_id]} {ward}"
    return catalogue.agency_name(agency_id)


def phone_digits_match(phone: str | None, digits: str) -> bool:
    """The status lookup's proof (public site and chat): the last four digits of the case's phone
    number, compared in constant time; no phone (or no case) costs the same and never matches."""
    expected = re.sub(r"\D", "", phone or "")[-4:] or "----"
    return hmac.compare_digest(expected.encode(), digits.encode())
