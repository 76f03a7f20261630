"""The parse result every backend produces: Rasa's shape plus the PAKN labels.

Backends return raw Rasa-shaped dicts over their training intents (`phan_anh__<procedure>`,
`tra_cuu`, ...). `interpret` turns that into the label contract: intent, procedure, agency, and
applies the confidence threshold in this one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


def interpret(raw: dict[str, Any], catalogue: Catalogue, threshold: float, backend: str,
              entities: list[dict[str, Any]]) -> ParseResult:
    """Apply the threshold and the label rules to a backend's raw parse."""
    ranking = [r for r in raw.get("intent_ranking", []) if r["name"] != FALLBACK]
    if not ranking and raw.get("intent", {}).get("name"):
        ranking = [raw["intent"]]
    top: dict[str, Any] = ranking[0] if ranking else {"name": FALLBACK, "confidence": 0.0}
    confidence = float(top["confidence"])
    intent, procedure = split_label(top["name"])
    procedure_ranking = [(split_label(r["name"])[1] or "", float(r["confidence"]))
                         for r in ranking if r["name"].startswith(PAKN_PREFIX)]
    if confidence < threshold:
        intent, procedure = FALLBACK, None
    agency = None
    if intent == "phan_anh" and procedure != OUT_OF_SCOPE_PROCEDURE:
        named = [str(e["value"]) for e in entities if e["entity"] == "agency"]
        agency = choose_agency(catalogue, procedure, named)
    return ParseResult(text=raw.get("text", ""), intent=intent, confidence=confidence,
                       procedure=procedure, agency=agency, entities=entities,
                       intent_ranking=ranking, procedure_ranking=procedure_ranking,
                       backend=backend)
