"""Routing rules: which agency a PAKN goes to."""
from __future__ import annotations

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
