"""The domain catalogue: procedure groups, agencies, wards, and which agency handles what."""
from __future__ import annotations

from dataclasses import dataclass, field

OUT_OF_SCOPE_PROCEDURE = "khieu_nai_to_cao"
FOCAL_POINT_AGENCY = "van_phong_ubnd"


@dataclass(frozen=True)
class Procedure:
    id: str
    name: str
    covers: str
    default_agency: str | None


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    level: str
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ward:
    type: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.type} {self.name}"


@dataclass(frozen=True)
class StepLimit:
    id: str
    working_days: int | None
    source: str


@dataclass(frozen=True)
class ProcedureGuide:
    """What a citizen asking about a procedure group is told: where it is filed, its legal time
    limit and its fee, each a line of text (None where the catalogue has no honest single line)."""
    where_to_file: str | None = None
    time_limit: str | None = None
    fee: str | None = None


@dataclass(frozen=True)
class HelpDesk:
    """A place the bot sends citizens to: the hotline, the citizen reception for khiếu nại / tố
    cáo, the national public-service portal. Empty fields are left out of replies."""
    name: str
    phone: str = ""
    address: str = ""
    hours: str = ""
    link: str = ""


@dataclass(frozen=True)
class Catalogue:
    procedures: dict[str, Procedure]
    agencies: dict[str, Agency]
    wards: tuple[Ward, ...]
    competence: dict[str, frozenset[str]] = field(default_factory=dict)
    steps: dict[str, StepLimit] = field(default_factory=dict)
    guides: dict[str, ProcedureGuide] = field(default_factory=dict)  # procedure id -> guide
    help_desks: dict[str, HelpDesk] = field(default_factory=dict)  # hotline, complaints, portal

    def can_handle(self, agency_id: str, procedure_id: str) -> bool:
        return procedure_id in self.competence.get(agency_id, frozenset())

    def procedure_name(self, procedure_id: str | None) -> str:
        procedure = self.procedures.get(procedure_id or "")
        return procedure.name if procedure else ""

    def agency_name(self, agency_id: str | None) -> str:
        agency = self.agencies.get(agency_id or "")
        return agency.name if agency else ""
