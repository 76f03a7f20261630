"""The parse result every backend produces: Rasa's shape plus the PAKN labels.

Backends return raw Rasa-shaped dicts over their training intents (`phan_anh__<procedure>`,
`tra_cuu`, ...). `interpret` turns that into the label contract: intent, procedure, agency, and
applies the confidence threshold in this one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nlu.short_replies import is_short_reply
from routing.catalogue import OUT_OF_SCOPE_PROCEDURE, Catalogue
from routing.rules import choose_agency

PAKN_PREFIX = "phan_anh__"
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "ngoai_pham_vi"  # trained so that chit-chat has somewhere to go
CONTACT_INTENT = "cung_cap_thong_tin"  # a message that only gives name, phone or address
# A question about a procedure (papers, where, how long, fee); its group is the best phan_anh__ label
# of `procedure_ranking`, while `procedure` stays None: it is not a PAKN.
QUESTION_INTENT = "hoi_thu_tuc"
INTENTS = ("phan_anh", "tra_cuu", "gap_can_bo", "chao_hoi", "cam_on", "huy_bo", CONTACT_INTENT,
           QUESTION_INTENT, FALLBACK)


@dataclass(frozen=True)
class ParseResult:
    text: str
    intent: str
    confidence: float
    procedure: str | None
    agency: str | None
    entities: list[dict[str, Any]]
    intent_ranking: list[dict[str, Any]]
    procedure_ranking: list[tuple[str, float]] = field(default_factory=list)
    backend: str = ""
    # Issue 14: whether the text is a PAKN, decided apart from its group. A PAKN whose group is
    # below the threshold has intent nlu_fallback with is_pakn True (the dialogue offers the three
    # likeliest groups); a short reply ("ok", "xac nhan", a number, a name) is never a PAKN.
    is_pakn: bool = False
    pakn_confidence: float = 0.0

    def top_two(self) -> list[dict[str, Any]]:
        """The two best labels with their confidences, as stored with a message for review."""
        return [{"name": r["name"], "confidence": round(float(r["confidence"]), 4)}
                for r in self.intent_ranking[:2]]

    @property
    def margin(self) -> float | None:
        """How far the best label is ahead of the second (None with a single label)."""
        ranking = self.top_two()
        return round(ranking[0]["confidence"] - ranking[1]["confidence"], 4) if len(ranking) == 2 else None

    def entity(self, name: str) -> str | None:
        for entity in self.entities:
            if entity["entity"] == name:
                return str(entity["value"])
        return None

    def entity_values(self, name: str) -> list[str]:
        return [str(e["value"]) for e in self.entities if e["entity"] == name]

    def to_rasa(self) -> dict[str, Any]:
        """Rasa's /model/parse shape, with the PAKN labels alongside."""
        return {"text": self.text, "intent": {"name": self.intent, "confidence": self.confidence},
                "entities": self.entities, "intent_ranking": self.intent_ranking,
                "procedure": self.procedure, "agency": self.agency}


def split_label(label: str) -> tuple[str, str | None]:
    """'phan_anh__dat_dai' -> ('phan_anh', 'dat_dai'); other labels have no procedure."""
    if label.startswith(PAKN_PREFIX):
        return "phan_anh", label[len(PAKN_PREFIX):]
    if label == OUT_OF_SCOPE_INTENT:
        return FALLBACK, None
    return label, None


PAKN_DECISION = 0.5  # P(PAKN) from which a text is taken as a PAKN
# An agency named in the text that cannot handle the best group moves the decision to the best
# group it can handle among the next ones, when that group has at least this share of the best's
# probability ("gọi phòng xuất nhập cảnh" is about a passport, not the online portal).
NAMED_AGENCY_SHARE = 0.35
NAMED_AGENCY_CANDIDATES = 3


def interpret(raw: dict[str, Any], catalogue: Catalogue, threshold: float, backend: str,
              entities: list[dict[str, Any]]) -> ParseResult:
    """Apply the threshold and the label rules to a backend's raw parse."""
    ranking = [r for r in raw.get("intent_ranking", []) if r["name"] != FALLBACK]
    if not ranking and raw.get("intent", {}).get("name"):
        ranking = [raw["intent"]]
    text = raw.get("text", "")
    pakn_ranking = [r for r in ranking if r["name"].startswith(PAKN_PREFIX)]
    others = [r for r in ranking if not r["name"].startswith(PAKN_PREFIX)]
    pakn_confidence = float(raw.get("pakn_confidence", sum(float(r["confidence"]) for r in pakn_ranking)))
    if is_short_reply(text):
        pakn_confidence, pakn_ranking = 0.0, []
    named = named_agencies(catalogue, entities)
    pakn_ranking = _named_agency_first(catalogue, pakn_ranking, named)
    if "pakn_confidence" in raw:  # a model with a PAKN head: decide PAKN first, then the group
        is_pakn = bool(pakn_ranking) and pakn_confidence >= PAKN_DECISION
        top = (pakn_ranking if is_pakn else others or [{"name": FALLBACK, "confidence": 0.0}])[0]
    else:
        best_pakn = max((float(r["confidence"]) for r in pakn_ranking), default=-1.0)
        best_other = max((float(r["confidence"]) for r in others), default=-1.0)
        is_pakn = bool(pakn_ranking) and best_pakn >= best_other
        top = (pakn_ranking if is_pakn else others or [{"name": FALLBACK, "confidence": 0.0}])[0]
    confidence = float(top["confidence"])
    intent, procedure = split_label(top["name"])
    procedure_ranking = [(split_label(r["name"])[1] or "", float(r["confidence"])) for r in pakn_ranking]
    if confidence < threshold:
        intent, procedure = FALLBACK, None
    agency = None
    if intent == "phan_anh" and procedure != OUT_OF_SCOPE_PROCEDURE:
        agency = choose_agency(catalogue, procedure, named)
    return ParseResult(text=text, intent=intent, confidence=confidence,
                       procedure=procedure, agency=agency, entities=entities,
                       intent_ranking=ranking, procedure_ranking=procedure_ranking,
                       backend=backend, is_pakn=is_pakn, pakn_confidence=round(pakn_confidence, 4))


def named_agencies(catalogue: Catalogue, entities: list[dict[str, Any]]) -> list[str]:
    """Agencies the text names, the most specific first: "lên phường hỏi thì bảo lên BHXH" names
    the ward's People's Committee (12 groups) and BHXH (2 groups); BHXH is the one meant."""
    found = list(dict.fromkeys(str(e["value"]) for e in entities if e["entity"] == "agency"))
    return sorted(found, key=lambda a: len(catalogue.competence.get(a, ())) or 99)


def _named_agency_first(catalogue: Catalogue, ranking: list[dict[str, Any]],
                        named: list[str]) -> list[dict[str, Any]]:
    """Move up the best group a specifically named agency handles when the best group is not one
    of its (see NAMED_AGENCY_SHARE). The ward's People's Committee handles a dozen groups and says
    little about the group, so it does not count here."""
    specific = [a for a in named if 0 < len(catalogue.competence.get(a, ())) <= 7]
    if not ranking or not specific:
        return ranking
    def handled(row: dict[str, Any]) -> bool:
        procedure = split_label(row["name"])[1] or ""
        return any(catalogue.can_handle(a, procedure) for a in specific)
    if handled(ranking[0]):
        return ranking
    best = float(ranking[0]["confidence"])
    for row in ranking[1:NAMED_AGENCY_CANDIDATES]:
        if handled(row) and float(row["confidence"]) >= NAMED_AGENCY_SHARE * best:
            return [row] + [r for r in ranking if r is not row]
    return ranking
