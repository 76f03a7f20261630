"""The conversation's memory, typed: the draft PAKN with the evidence of each contact slot, and what
the states outside a draft remember (the case a survey or a dispute is about, the code a lookup
waits digits for, a link request, the buttons last shown).

It is stored in the `conversations.slots` JSON column as `{"v": 2, ...}`; a row written before the
version key (a flat dict of string keys) still loads. Only the dialogue (intake/dialogue*.py) builds
and changes it; everyone else sends the dialogue an event.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

VERSION = 2
CONTACT_SLOTS = ("name", "phone", "address")
# Where a contact value came from: the answer to its own question, a value given while another
# question was open (confirmed by the citizen before it is kept), read by the extractor from a
# message that was not an answer (e.g. the description), a correction, the raw text kept for staff.
ASKED, OUT_OF_TURN, EXTRACTED, CORRECTED, KEPT = "asked", "out_of_turn", "extracted", "corrected", "kept"


@dataclass
class Evidence:
    """One contact slot: its value and how the bot came to it."""

    value: str | None = None
    source: str = ""
    refusals: int = 0  # answers to its question that could not be read
    unverified: bool = False  # kept as typed after two refusals: staff check it

    def take(self, value: str, source: str) -> None:
        self.value, self.source, self.refusals, self.unverified = value, source, 0, False

    def clear(self) -> None:
        self.value, self.source, self.refusals, self.unverified = None, "", 0, False

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", 0, False)}


@dataclass
class Pending:
    """Contact values found out of turn, waiting for the citizen's yes ('…, đúng không?')."""

    values: dict[str, str]
    source: str = OUT_OF_TURN
    leftover: str = ""  # the rest of that message, offered to add to the description


@dataclass
class Draft:
    text: str = ""
    procedure: str | None = None
    agency: str | None = None
    ward: str | None = None
    ward_from_address: bool = False
    named_agencies: list[str] = field(default_factory=list)
    name: Evidence = field(default_factory=Evidence)
    phone: Evidence = field(default_factory=Evidence)
    address: Evidence = field(default_factory=Evidence)
    publish_consent: bool | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    options: list[str] = field(default_factory=list)  # procedure groups offered
    asked_again: bool = False  # the group menu was shown twice
    editing: bool = False  # the description is being corrected
    messages: int = 1  # citizen messages that went into the description
    contact_turns: int = 0  # answers to contact questions taken so far
    staff_notes: list[str] = field(default_factory=list)  # kept for staff, never published
    pending: Pending | None = None
    turns: int = 0  # citizen messages answered after the first description: cancelling asks first
    cancel_asked: bool = False  # 'Ông/Bà có muốn hủy phản ánh đang soạn không?' is open
    procedure_chosen: bool = False  # the citizen picked the group: a reclassification keeps it
    classified: str = ""  # the description text the procedure group was last read from
    # Two problems in one message (intake.dialogue_split): offered while the citizen chooses, with
    # the contact details read meanwhile; those the citizen chose to file separately.
    problems: list[dict[str, str]] = field(default_factory=list)
    found: dict[str, str] = field(default_factory=dict)
    others: list[dict[str, Any]] = field(default_factory=list)

    def slot(self, name: str) -> Evidence:
        assert name in CONTACT_SLOTS, name
        return getattr(self, name)  # type: ignore[no-any-return]

    def value(self, name: str) -> str | None:
        return self.slot(name).value

    def unverified(self) -> list[str]:
        return [s for s in CONTACT_SLOTS if self.slot(s).unverified]

    def flat(self) -> dict[str, Any]:
        """The draft as plain values (what filing a case and a test read); empty ones left out."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Evidence):
                value = value.value
            internal = f.name in ("pending", "messages", "contact_turns", "turns", "cancel_asked",
                                  "procedure_chosen", "classified", "problems", "found", "others")
            if internal or value in (None, "", [], False) and not (
                    f.name == "publish_consent" and value is False):
                continue
            out[f.name] = value
        if self.unverified():
            out["unverified"] = self.unverified()
        return out

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Evidence):
                value = value.to_json() or None
            elif isinstance(value, Pending):
                value = dict(value.__dict__)
            if value in (None, "", [], {}, False) and not (
                    f.name == "publish_consent" and value is False):
                continue
            out[f.name] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Draft":
        draft = cls()
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name in CONTACT_SLOTS:
                value = Evidence(**value) if isinstance(value, dict) else Evidence(value, ASKED)
            elif f.name == "pending":
                value = Pending(**value) if value else None
            setattr(draft, f.name, value)
        return draft


@dataclass
class Memory:
    """Everything a conversation remembers between two messages."""

    draft: Draft | None = None
    case_code: str | None = None  # the case a survey, a dispute or an information request is about
    survey_index: int = 0
    lookup_code: str | None = None  # a case code waiting for the last four digits of its phone
    menu: list[list[str]] = field(default_factory=list)  # buttons last shown (a typed '2' means one)
    waiting_told: bool = False  # told once that a staff member will answer
    link: dict[str, Any] | None = None  # a hotline case staff ask to link to this chat
    link_queue: list[dict[str, Any]] = field(default_factory=list)
    link_hinted: bool = False
    resume: dict[str, Any] | None = None  # {"state", "memory"}: where to go back after a question
    filed_code: str | None = None  # the case the last confirmation filed
    info_case: str | None = None  # staff asked for more information on this case: messages go there
    undo: dict[str, Any] | None = None  # {"state", "memory"} of a draft the citizen cancelled
    held: str = ""  # a message at rest the bot did not understand: maybe a description's first piece
    name_asked: bool = False  # staff took over a web chat with no name: the next message may be it

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"v": VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Draft):
                value = value.to_json()
            if value in (None, "", [], False, 0) and f.name != "draft":
                continue
            if value is None:
                continue
            out[f.name] = value
        return out

    @classmethod
    def load(cls, data: "dict[str, Any] | Memory | None") -> "Memory":
        if isinstance(data, Memory):
            return cls.load(data.to_json())  # a copy: a step never changes its input
        data = dict(data or {})
        if data.get("v") != VERSION:
            return _legacy(data)
        memory = cls()
        for f in fields(cls):
            if f.name in data:
                value = data[f.name]
                setattr(memory, f.name, Draft.from_json(value) if f.name == "draft" else value)
        return memory

    def flat(self) -> dict[str, Any]:
        """Draft values, or the case code / survey index outside a draft (for tests and logs)."""
        out = self.draft.flat() if self.draft else {}
        for key, value in (("case_code", self.case_code), ("code", self.lookup_code),
                           ("index", self.survey_index if self.case_code else None)):
            if value is not None:
                out[key] = value
        return out


_LEGACY_MEMORY = {"case_code": "case_code", "index": "survey_index", "code": "lookup_code",
                  "_menu": "menu", "waiting_told": "waiting_told", "link": "link",
                  "link_queue": "link_queue", "link_hinted": "link_hinted"}
_LEGACY_DRAFT = {"text", "procedure", "agency", "ward", "ward_from_address", "named_agencies", "name",
                 "phone", "address", "publish_consent", "attachments", "options", "asked_again",
                 "editing"}


def _legacy(data: dict[str, Any]) -> Memory:
    """A row written before the version key: string slot keys, refusals and unverified lists."""
    memory = Memory()
    for key, name in _LEGACY_MEMORY.items():
        if key in data and data[key] is not None:
            setattr(memory, name, data[key])
    if "resume" in data and data["resume"]:
        resume = data["resume"]
        memory.resume = {"state": resume.get("state", "idle"),
                         "memory": _legacy(dict(resume.get("slots") or {})).to_json()}
    values = {k: v for k, v in data.items() if k in _LEGACY_DRAFT}
    if values:
        draft = Draft.from_json({k: v for k, v in values.items() if v is not None})
        for slot, count in (data.get("refusals") or {}).items():
            if slot in CONTACT_SLOTS:
                draft.slot(slot).refusals = int(count)
        for slot in data.get("unverified") or ():
            if slot in CONTACT_SLOTS:
                draft.slot(slot).unverified = True
                draft.slot(slot).source = KEPT
        memory.draft = draft
    return memory
