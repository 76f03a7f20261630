"""Rule-based entity extraction shared by every NLU backend.

Wards, agencies, phone numbers, tracking codes and dossier codes follow closed lists and formats, so
rules beat a statistical tagger here and give both backends the same entities.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from routing.catalogue import Catalogue
from routing.text import fold, nfc

EXTRACTOR = "PaknRuleExtractor"
CASE_CODE = re.compile(r"\bpakn[\s\-_]?(\d{4})[\s\-_]?(\d{6})\b", re.IGNORECASE)
DOSSIER_CODE = re.compile(r"\b\d{3}\.\d{2}\.\d{2}\.h\d{2}-\d{6}-\d{4}\b", re.IGNORECASE)
PHONE = re.compile(r"(?<![\d\w])(?:\+?84|0)[\s.\-]?\(?\d\)?(?:[\s.\-]?\d){8,9}(?![\d])")
MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
WARD_PREFIX = r"(?:(?:phuong|xa|quan|huyen|thi xa|thi tran|p|q|h|tx)\.?\s*)"
# Unit names that are also common street or place names: only matched after a prefix.
NEEDS_PREFIX = frozenset({
    "lang", "tran phu", "hong ha", "binh minh", "thuan an", "kim lien", "bach mai", "giang vo",
    "dinh cong", "tuong mai", "hoang mai", "lien minh", "quang minh", "hung dao", "yen so",
    "tay mo", "dai mo", "phu dien", "hoa phu", "dan hoa", "tam hung", "hong van", "phuc loi",
    "ngoc ha", "nghia do", "cua nam", "dong da", "kim anh", "minh chau", "phu luong",
})


# Words that turn a following unit name into an ordinary phrase ("yêu cầu giấy tờ").
NOT_A_PLACE_BEFORE = {"cau giay": ("yeu",)}


# Eleven-digit mobile numbers moved to ten digits in 2018 (Bộ TT&TT); many people still write the old ones.
OLD_MOBILE_PREFIXES = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037",
    "0168": "038", "0169": "039",  # Viettel
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",  # MobiFone
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",  # VinaPhone
    "0186": "056", "0188": "058", "0199": "059",  # Vietnamobile, Gmobile
}


def normalize_phone(raw: str) -> str | None:
    """Digits with a leading 0 ('+84 912.345.678' -> '0912345678'; the old '01689 123 456' ->
    '0389123456'), or None if not a VN number."""
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("84"):
        digits = "0" + digits[2:]
    if len(digits) == 11 and digits[:4] in OLD_MOBILE_PREFIXES:
        digits = OLD_MOBILE_PREFIXES[digits[:4]] + digits[4:]
    if len(digits) == 10 and digits.startswith(MOBILE_PREFIXES):
        return digits
    if len(digits) == 11 and digits.startswith("02"):
        return digits
    return None


@dataclass(frozen=True)
class _Pattern:
    regexes: tuple[re.Pattern[str], ...]  # each captures the folded alternative as group "name"
    values: dict[str, str]  # folded alternative -> canonical value

    def finditer(self, folded: str):  # type: ignore[no-untyped-def]
        for regex in self.regexes:
            yield from regex.finditer(folded)


class EntityExtractor:
    """Finds ward, agency, phone, case_code and dossier_code entities in Rasa's entity shape."""

    def __init__(self, catalogue: Catalogue, ward_aliases: dict[str, str] | None = None,
                 agency_phrases: dict[str, str] | None = None) -> None:
        self._ward_aliases = ward_aliases
        self._agency_phrases = agency_phrases
        self.use_catalogue(catalogue)

    def use_catalogue(self, catalogue: Catalogue) -> None:
        """(Re)build the patterns, e.g. after an admin added an agency and its mentions."""
        ward_aliases, agency_phrases = self._ward_aliases, self._agency_phrases
        wards: dict[str, str] = {}
        accented: dict[str, str] = {}  # folded unit name -> name with its diacritics
        for ward in catalogue.wards:
            wards[fold(ward.name)] = ward.label
            accented[fold(ward.name)] = nfc(ward.name).lower()
        for alias, label in (ward_aliases or {}).items():
            wards[_alias_key(alias)] = label
        phrases = {fold(p): agency.id for agency in catalogue.agencies.values() for p in agency.mentions}
        phrases.update({fold(p): a for p, a in (agency_phrases or {}).items()})
        # Each attribute is swapped whole: a parse running meanwhile sees the old or the new one.
        self._accented = accented
        self._wards = _alternation(wards, NEEDS_PREFIX)
        self._agencies = _alternation(phrases)

    def extract(self, text: str) -> list[dict[str, object]]:
        text = nfc(text)
        folded = fold(text)
        if len(folded) != len(text):  # offsets would not line up; match on the folded text only
            text = folded
        found: list[dict[str, object]] = []
        for match in CASE_CODE.finditer(text):
            value = f"PAKN-{match.group(1)}-{match.group(2)}"
            found.append(_entity("case_code", value, match.start(), match.end(), text))
        for match in DOSSIER_CODE.finditer(text):
            found.append(_entity("dossier_code", match.group(0).upper(), match.start(), match.end(), text))
        for match in PHONE.finditer(text):
            phone = normalize_phone(match.group(0))
            if phone:
                found.append(_entity("phone", phone, match.start(), match.end(), text))
        for match in self._wards.finditer(folded):
            if self._is_place(text, folded, match):
                found.append(_entity("ward", self._wards.values[match.group("name")],
                                     match.start(), match.end(), text))
        for match in self._agencies.finditer(folded):
            found.append(_entity("agency", self._agencies.values[match.group("name")],
                                 match.start(), match.end(), text))
        found.sort(key=lambda e: (e["start"], -int(e["end"])))  # type: ignore[call-overload]
        return _drop_overlaps(found)

    def _is_place(self, text: str, folded: str, match: re.Match[str]) -> bool:
        """Reject "bộ để" for Bồ Đề: written with diacritics, the name must carry the right ones."""
        start, end = match.span("name")
        written = text[start:end]
        key = match.group("name")
        before = folded[:start].split()[-1:] if start else []
        if before and before[0] in NOT_A_PLACE_BEFORE.get(key, ()):
            return False
        if written.lower() == key:  # typed without diacritics: the folded match is all we have
            return True
        return self._accented.get(key, written.lower()) == written.lower()


UNIT_TYPES = ("quận ", "huyện ", "thị xã ", "thị trấn ", "phường ", "xã ")


def _alias_key(alias: str) -> str:
    """'quận Nam Từ Liêm' -> 'nam tu liem'; 'Quán Thánh' stays 'quan thanh' (a name, not 'quận')."""
    lowered = nfc(alias).lower()
    for unit_type in UNIT_TYPES:
        if lowered.startswith(unit_type):
            lowered = lowered[len(unit_type):]
            break
    return fold(lowered)


def _alternation(values: dict[str, str], needs_prefix: frozenset[str] | None = None) -> _Pattern:
    """Longest-first alternations; names in `needs_prefix` only match after a ward prefix."""
    names = sorted(values, key=len, reverse=True)
    regexes = []
    if needs_prefix is None:
        regexes.append(rf"(?P<name>{'|'.join(map(re.escape, names))})")
    else:
        loose = [re.escape(n) for n in names if n not in needs_prefix]
        strict = [re.escape(n) for n in names if n in needs_prefix]
        regexes.append(rf"{WARD_PREFIX}?(?P<name>{'|'.join(loose)})")
        if strict:
            # ... or after "ở"/"tại" ("nhà tôi ở Tây Mỗ"), which is not part of the entity.
            regexes.append(rf"(?:{WARD_PREFIX}|(?<=\bo )|(?<=\btai ))(?P<name>{'|'.join(strict)})")
    return _Pattern(tuple(re.compile(rf"(?<![\w]){r}(?![\w])") for r in regexes), values)


def _entity(name: str, value: str, start: int, end: int, text: str) -> dict[str, object]:
    return {"entity": name, "value": value, "start": start, "end": end,
            "confidence_entity": 1.0, "extractor": EXTRACTOR, "text": text[start:end]}


def _drop_overlaps(entities: list[dict[str, object]]) -> list[dict[str, object]]:
    """Keep the first (longest) of overlapping entities of one type; types may overlap
    ("công an phường Thanh Xuân" is both an agency and a ward)."""
    kept: list[dict[str, object]] = []
    last_end: dict[object, int] = {}
    for entity in entities:
        if int(entity["start"]) < last_end.get(entity["entity"], -1):  # type: ignore[call-overload]
            continue
        kept.append(entity)
        last_end[entity["entity"]] = int(entity["end"])  # type: ignore[call-overload]
    return kept
