"""Rules on who handles a case (agency and ward) and on its publication, as plain functions.

routing/services.py applies them inside its use cases; the console asks them what to offer.
"""
from __future__ import annotations

from typing import Any

from routing.catalogue import Catalogue
from routing.model import Case, CaseStatus, DomainError
from routing.rules import COMMUNE_LEVEL_UNITS

COMMUNE_LEVEL = "commune"


class UnknownAgency(DomainError):
    pass


class UnknownWard(DomainError):
    pass


class WardRequired(DomainError):
    """A commune-level agency (UBND xã, phường) is 126 units: without a ward nobody sees the case."""

    def __init__(self, agency_id: str) -> None:
        super().__init__(f"{agency_id} needs the case's ward")
        self.agency_id = agency_id


class SameUnit(DomainError):
    """A transfer to the unit that already handles the case changes nothing."""

    def __init__(self, code: str, agency_id: str | None, ward: str | None) -> None:
        super().__init__(f"case {code} is already with {agency_id} ({ward or 'no ward'})")
        self.agency_id = agency_id
        self.ward = ward


class PublicationNotReviewed(DomainError):
    """The citizen did not consent to publication and staff have not reviewed the masking."""


class PublicationRequired(DomainError):
    """The citizen consented to publication: publish the result, or record why not, before closing."""


def needs_ward(catalogue: Catalogue, agency_id: str | None) -> bool:
    """True for an agency id that stands for many commune-level units (level `commune`).

    Commune-level police share the city police's id (`cong_an`, level `city`): a police case
    without a ward stays with the city police, so it is not required there.
    """
    agency = catalogue.agencies.get(agency_id or "")
    return agency is not None and agency.level == COMMUNE_LEVEL


def plan_assignment(case: Case, catalogue: Catalogue, agency_id: str | None, ward: str | None,
                    transfer: bool = False) -> dict[str, Any]:
    """Check giving `case` to `agency_id` (None: its agency) in `ward` (None: its ward).

    Returns the timeline data of the change: `agency_id`, `ward` (when the case has one after
    it), `from_agency` / `from_ward` when they change. The case itself is not changed.

    Raises:
        UnknownAgency, UnknownWard; WardRequired for a commune-level agency and no ward;
        SameUnit for a transfer to the unit that has the case (same agency; for an agency with
        one unit per ward, same ward too).
    """
    target = agency_id or case.agency_id
    if target not in catalogue.agencies:
        raise UnknownAgency(target)
    ward = (ward or "").strip() or None
    if ward is not None and ward not in {w.label for w in catalogue.wards}:
        raise UnknownWard(ward)
    new_ward = ward or case.ward
    if transfer and target == case.agency_id and (target not in COMMUNE_LEVEL_UNITS
                                                  or new_ward == case.ward):
        raise SameUnit(case.code, case.agency_id, case.ward)
    if needs_ward(catalogue, target) and not new_ward:
        raise WardRequired(target)
    data: dict[str, Any] = {"agency_id": target}
    if case.agency_id != target:
        data["from_agency"] = case.agency_id
    if new_ward != case.ward:
        data["from_ward"] = case.ward
    if new_ward:
        data["ward"] = new_ward
    return data


def needs_masking_review(case: Case) -> bool:
    """Without the citizen's consent, staff review the masked text before anything is published."""
    return not case.publish_consent and case.masking_reviewed_at is None


def publication_pending(case: Case) -> bool:
    """An answered case whose citizen consented to publication (NĐ 20/2008 Art. 19), unpublished.

    Without consent the official reply to the citizen is the publication (Art. 19.3); with it,
    the result goes on the public site before the case is closed, unless staff record why not.
    """
    return CaseStatus(case.status) == CaseStatus.ANSWERED and bool(case.publish_consent)
