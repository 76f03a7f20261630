"""The hand-off to the national PAKN system (Hệ thống PAKN of the Cổng dịch vụ công quốc gia).

No public API or field specification exists for provincial systems (issue 19): staff key a case
in on the national portal (or link out to its form) and record here the code the portal gave it,
and the national status as they read it there. Everything that is not verified is configuration
(`national:` in config.yaml, read once into `NationalConfig`): the export's field names, the unit
and lĩnh vực codes, the status names and what they mean here, the code pattern, attachment limits.

The port (`NationalGateway`) is what a real connection (LGSP/NDXP, with certificates) will
implement once access exists; until then the gateways are 'disabled' and 'export' (outbox.national)
and a fake for tests.
"""
from __future__ import annotations

import abc
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from routing.model import DomainError

GATEWAY_KINDS = ("disabled", "export", "lgsp")
# The national form's fields, in its order (names in the file come from configuration).
EXPORT_FIELDS = ("case_code", "national_code", "submitter_type", "locality", "receiving_unit",
                 "field", "name", "address", "phone", "email", "title", "content", "attachments")
ATTACHMENT_SEPARATOR = " | "


class NationalCodeInvalid(DomainError):
    """The text does not look like a national PAKN code (the configured pattern)."""


class NationalCodeTaken(DomainError):
    """Another case already carries this national code."""

    def __init__(self, national_code: str, other_case: str) -> None:
        super().__init__(f"national code already on {other_case}")
        self.national_code = national_code
        self.other_case = other_case


class NationalLinkInvalid(DomainError):
    """The link is not an http(s) address of an allowed host."""


class NationalStatusMissing(DomainError):
    """Neither a national status nor an answer was given."""


class NationalStatusTooLong(DomainError):
    """A national status longer than its column (an answer pasted into the status, most likely)."""


class NationalNotAvailable(DomainError):
    """The configured gateway cannot do this (disabled, or a real connection not set up)."""


def normalize_status(text: str) -> str:
    """The form a national status is compared in: NFC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def clean_text(text: str | None) -> str:
    """NFC, no control characters, no surrounding space: what is stored of what staff pasted."""
    text = unicodedata.normalize("NFC", text or "")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C").strip()


@dataclass(frozen=True)
class NationalConfig:
    """`national:` of the settings (settings.NationalSettings holds every default), checked once
    at start."""

    gateway: str
    code_pattern: str
    link_template: str  # e.g. 'https://dichvucong.gov.vn/p/phananhkiennghi/...{code}'
    link_hosts: tuple[str, ...]
    entry_required_since: str  # ISO date: older cases are not listed as still to enter
    submitter_type: str
    locality: str
    unit_codes: Mapping[str, str]  # agency id (or "id|ward") -> the unit's national code
    field_codes: Mapping[str, str]  # procedure id -> lĩnh vực code
    statuses: Mapping[str, str]  # national status -> our status
    field_names: Mapping[str, str]  # EXPORT_FIELDS key -> column name
    title_limit: int
    attachment_max_count: int
    attachment_max_bytes: int
    lgsp: Mapping[str, Any] = field(default_factory=dict)  # the real connection's slot (unused yet)

    @classmethod
    def from_settings(cls, s: Mapping[str, Any]) -> "NationalConfig":
        """From config.yaml's shape of the section (settings.to_dict(settings.national)).

        Raises ValueError (re.error) for an unknown gateway, a broken pattern or date."""
        config = cls(
            gateway=str(s["gateway"]), code_pattern=str(s["code_pattern"]),
            link_template=str(s["link_template"]),
            link_hosts=tuple(str(h).lower() for h in s["link_hosts"]),
            entry_required_since=str(s["entry_required_since"]),
            submitter_type=str(s["submitter_type"]), locality=str(s["locality"]),
            unit_codes={str(k): str(v) for k, v in s["unit_codes"].items()},
            field_codes={str(k): str(v) for k, v in s["field_codes"].items()},
            statuses={str(k): str(v) for k, v in s["statuses"].items()},
            field_names={str(k): str(v) for k, v in s["fields"].items()},
            title_limit=int(s["title_limit"]),
            attachment_max_count=int(s["attachments"]["max_count"]),
            attachment_max_bytes=int(s["attachments"]["max_bytes"]), lgsp=dict(s["lgsp"]))
        if config.gateway not in GATEWAY_KINDS:
            raise ValueError(f"national.gateway must be one of {GATEWAY_KINDS}, not {config.gateway!r}")
        re.compile(config.code_pattern)  # a broken pattern stops the start, not a staff action
        if config.entry_required_since:
            date.fromisoformat(config.entry_required_since)  # ValueError: not YYYY-MM-DD
        return config

    def column(self, key: str) -> str:
        """The name a field has in the export file."""
        return self.field_names.get(key, key)

    def our_status(self, national_status: str | None) -> str | None:
        """Our status value a national status means, or None when the table does not know it."""
        if not national_status:
            return None
        wanted = normalize_status(national_status)
        return next((ours for theirs, ours in self.statuses.items()
                     if normalize_status(theirs) == wanted), None)

    def national_names(self, our_status: str) -> list[str]:
        """The national statuses that mean `our_status` here (the table read the other way)."""
        return [theirs for theirs, ours in self.statuses.items() if ours == our_status]

    def is_unmapped(self, national_status: str | None) -> bool:
        """A national status is stored even when the table lacks it; staff are shown this flag."""
        return bool(national_status) and self.our_status(national_status) is None

    def check_code(self, text: str) -> str:
        """The national code as stored (NFC, trimmed). Raises NationalCodeInvalid."""
        code = clean_text(text)
        if not code or len(code) > 64 or not re.fullmatch(self.code_pattern, code):
            raise NationalCodeInvalid(code)
        return code

    def link_for(self, code: str, pasted: str = "") -> str | None:
        """The pasted link (checked), else the configured template filled in, else None."""
        link = clean_text(pasted)
        if link:
            match = re.fullmatch(r"https?://([^/\s:?#]+)(:\d+)?([/?#]\S*)?", link)
            host = match.group(1).lower() if match else ""
            allowed = not self.link_hosts or any(host == h or host.endswith("." + h)
                                                 for h in self.link_hosts)
            if not match or not allowed or len(link) > 512:
                raise NationalLinkInvalid(link)
            return link
        if self.link_template:
            return self.link_template.format(code=quote(code, safe=""))
        return None

    def unit_code(self, agency_id: str | None, ward: str | None) -> str | None:
        if not agency_id:
            return None
        return self.unit_codes.get(f"{agency_id}|{ward}") or self.unit_codes.get(agency_id)


@dataclass(frozen=True)
class Attachment:
    label: str  # 'hình ảnh: anh-1.jpg'
    size: int | None = None


@dataclass(frozen=True)
class NationalRecord:
    """One case in the national form's fields (values, not yet named for a file)."""

    case_code: str
    national_code: str
    submitter_type: str
    locality: str
    receiving_unit: str
    field: str
    name: str
    address: str
    phone: str
    email: str
    title: str
    content: str
    attachments: tuple[Attachment, ...] = ()
    attachments_left_out: int = 0  # over the configured count or size: attached by hand

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {key: getattr(self, key) for key in EXPORT_FIELDS}
        values["attachments"] = [a.label for a in self.attachments]
        return values


@dataclass(frozen=True)
class Submission:
    """What the national system answered to a submission."""

    case_code: str
    national_code: str
    status: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    mimetype: str
    filename: str


class NationalGateway(abc.ABC):
    """The national PAKN system as pakn-bot can reach it."""

    kind: str = "disabled"
    automatic: bool = False  # True: it submits cases and reads statuses itself
    exports: bool = False  # True: it writes files in the national form's fields for staff

    def submit(self, record: NationalRecord) -> Submission:
        """Enter the case nationally; submitting the same case again returns the same code."""
        raise NationalNotAvailable(self.kind)

    def fetch_status(self, national_code: str) -> str | None:
        """The national status, raw, or None when the system has no such case."""
        raise NationalNotAvailable(self.kind)

    def export(self, records: Sequence[NationalRecord], fmt: str, separator: str = ";") -> ExportFile:
        """A CSV or JSON file of the records for staff to key in."""
        raise NationalNotAvailable(self.kind)
