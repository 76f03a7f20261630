"""Personal data that only its context or its spelling gives away (issue 17), for routing.masking.

- residence: once a clause says where someone lives ("nhà tôi ở", "địa chỉ", "[họ tên] ở", or a
  house number already masked), a bare house number ("ở 12 Trần Duy Hưng") and alley numbers
  ("ngõ 5", "ngách 3", "hẻm 7") are hidden; residential groups ("tổ 5", "tổ dân phố 5", "cụm 3")
  are hidden everywhere. An alley named in a complaint about the street itself ("đèn đường ngõ 12
  hỏng") is where the problem is, not where someone lives: it stays, so the public can read it.
- birth dates: a full date (day, month, four-digit year) after "sinh", "ngày sinh", "ns" or "DOB",
  or one before 2000 that no document cue ("quyết định", "cấp ngày", ...) introduces. Dates without
  a year ("ngày 15/3 tôi nộp hồ sơ"), procedure dates of 2000 or later, "sinh năm 2020" and law
  years ("Luật 2024") stay: they say when something happened to the case, not who the person is.
- passports: one letter and seven digits ("C1234567"), in capitals anywhere or after "hộ chiếu".
- e-mails written to dodge filters: "pham (at) gmail (dot) com", "pham a còng gmail chấm com".
- phone numbers read out in words: "không chín một hai ..." (nine or more digits, mixed with
  figures or not), with or without diacritics.

Every pattern runs on the folded text (lowercase, no diacritics, same length as the text), so each
is covered with and without diacritics, and replaces the same span in the text as written.
Standard library only.
"""
from __future__ import annotations

import re
from routing.text import fold

# Placeholders; routing.masking re-exports them.
PHONE = "[số điện thoại]"
EMAIL = "[email]"
HOUSE = "[số nhà]"
NUMBER = "[dãy số]"
NAME = "[họ tên]"
ALLEY = "[số ngõ]"
GROUP = "[số tổ]"
BIRTH_DATE = "[ngày sinh]"
PASSPORT = "[số hộ chiếu]"

_N = r"\d{1,4}[a-z]?(?:/\d{1,4}[a-z]?)*"  # 12, 12a, 12/3, 5b/2a (folded: lowercase)
_CLAUSE_END = re.compile(r"[.!?;\n](?!\d)")

# -- residence -----------------------------------------------------------------------------------

_PERSON = r"(?:toi|em|minh|chung toi|gia dinh toi|gia dinh em|con toi|bo toi|me toi|ong|ba|anh|chi)"
RESIDENCE_CUE = re.compile(
    r"(?<![\w])(?:nha " + _PERSON + r"|" + _PERSON + r"\s+(?:dang\s+|hien\s+|hien dang\s+|van\s+)?"
    r"(?:o|song|cu tru|thuong tru|tam tru)|dia chi|d/c|dc\s*:|thuong tru|tam tru|cu tru|tru tai|"
    r"song tai|hktt|noi o|que quan)(?![\w])"
    r"|\[ho ten\]\s*,?\s*(?:o|tai|song)(?![\w])|\[so nha\]")
_BEFORE_BARE_HOUSE = re.compile(r"(?<![\w])(?:o|tai|dia chi|d/c|dc|tru|la|so|so nha)\s*[:,]?\s*$")
_UNITS = re.compile(r"^\s*(?:tang|lau|nam|thang|ngay|tuoi|nguoi|lan|km|m|met|gio|phut|tieng|"
                    r"nhan khau|the he|con|chau|cai|chiec|can|phong|dong|trieu|nghin|%)(?![\w])")
_BARE_HOUSE = re.compile(rf"(?<![\w/\[]){_N}(?![\w/])")
_ALLEY_NUMBER = re.compile(rf"(?<![\w])(ngo|ngach|hem|kiet|xom|doi|to)\s+(?:so\s+)?({_N})(?![\w/])")
# Residential groups are a few dozen households: hidden wherever they are written with their
# diacritics or in full ("tổ 5", "tổ dân phố 5", "TDP 5", "cụm 3"); a plain "to 5" only next to "cum".
_GROUP_NUMBER = re.compile(rf"(?<![\w])(to dan pho|tdp|cum|to(?=\s+(?:so\s+)?{_N}\s*,?\s+cum\b))"
                           rf"\s+(?:so\s+)?({_N})(?![\w/])")


def _clause_before(folded: str, start: int) -> str:
    window = folded[max(0, start - 120):start]
    ends = list(_CLAUSE_END.finditer(window))
    return window[ends[-1].end():] if ends else window


def _in_residence(folded: str, start: int) -> bool:
    return bool(RESIDENCE_CUE.search(_clause_before(folded, start)))


def _mask_bare_houses(text: str) -> str:
    folded = fold(text)
    spans = []
    for match in _BARE_HOUSE.finditer(folded):
        before = folded[max(0, match.start() - 12):match.start()]
        if not _BEFORE_BARE_HOUSE.search(before) or _UNITS.match(folded[match.end():]):
            continue
        if not re.match(r"^,?\s+[^\W\d_]", folded[match.end():]):
            continue  # "tôi ở 12." is not an address
        if _in_residence(folded, match.start()):
            spans.append((match.start(), match.end(), HOUSE))
    return _replace(text, spans)


def _mask_alleys(text: str) -> str:
    folded = fold(text)
    spans = [(m.start(2), m.end(2), GROUP) for m in _GROUP_NUMBER.finditer(folded)]
    for match in _ALLEY_NUMBER.finditer(folded):
        kind = match.group(1)
        if any(start <= match.start(2) < end for start, end, _ in spans) or _UNITS.match(folded[match.end():]):
            continue
        if kind == "to" and text[match.start(1):match.end(1)].lower() == "tổ":
            spans.append((match.start(2), match.end(2), GROUP))  # "tổ 5": written as a group
        elif _in_residence(folded, match.start()):
            spans.append((match.start(2), match.end(2), GROUP if kind in ("to", "xom", "doi") else ALLEY))
    return _replace(text, spans)


def mask_residence(text: str) -> str:
    """Bare house numbers and alley numbers where someone lives; residential groups anywhere."""
    return _mask_alleys(_mask_bare_houses(text))


# -- birth dates, passports ----------------------------------------------------------------------

_DATE = re.compile(r"(?<![\d/.\-])(\d{1,2})\s?([/.\-])\s?(\d{1,2})\s?\2\s?(\d{4})(?![\d/\-]|\.\d)"
                   r"|(?<![\w])(?:ngay\s+)?(\d{1,2})\s+thang\s+(\d{1,2})\s*,?\s+nam\s+(\d{4})(?![\w])")
BIRTH_CUE = re.compile(r"(?<![\w])(?:sinh|ngay sinh|ns|dob|d\.o\.b)(?![\w])[^.;!?\n\d]{0,20}$")
_DOCUMENT_CUE = re.compile(r"(?<![\w])(?:quyet dinh|qd|van ban|cong van|thong bao|nghi dinh|thong tu|"
                           r"luat|cap ngay|ky ngay|ban hanh|hieu luc|so)(?![\w])[^.;!?\n]{0,40}$")
_PASSPORT = re.compile(r"(?<![\w])[A-Z]\d{7}(?![\w])")
_PASSPORT_ANY_CASE = re.compile(r"(?<![\w])(?:ho chieu|passport|hc)(?![\w])[^.;!?\n\d]{0,20}"
                                r"(?<![\w])([a-z]\d{7})(?![\w])")


def _is_birth_date(match: re.Match[str], before: str) -> bool:
    groups = match.groups()
    day, month, year = (int(g) for g in ((groups[0], groups[2], groups[3]) if groups[0] else groups[4:7]))
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    if BIRTH_CUE.search(before):
        return True
    return year < 2000 and not _DOCUMENT_CUE.search(before)


def mask_birth_dates_and_passports(text: str) -> str:
    folded = fold(text)
    spans = [(m.start(), m.end(), BIRTH_DATE) for m in _DATE.finditer(folded)
             if _is_birth_date(m, _clause_before(folded, m.start())[-60:])]
    spans += [(m.start(), m.end(), PASSPORT) for m in _PASSPORT.finditer(text)]
    spans += [(m.start(1), m.end(1), PASSPORT) for m in _PASSPORT_ANY_CASE.finditer(folded)]
    return _replace(text, spans)


# -- e-mails and phone numbers in words ----------------------------------------------------------

_AT = r"(?:\s*[(\[{<]\s*(?:at|a cong|@)\s*[)\]}>]\s*|\s+(?:at|a cong|acong|a moc)\s+|\s*@\s*)"
_DOT = r"(?:\s*[(\[{<]\s*(?:dot|cham|\.)\s*[)\]}>]\s*|\s+(?:dot|cham)\s+|\s*\.\s*)"
_TLD = r"(?:com|vn|net|org|edu|gov|info|biz|io)"
OBFUSCATED_EMAIL = re.compile(rf"(?<![\w.+\-])[a-z0-9][a-z0-9._+\-]*{_AT}[a-z0-9][a-z0-9\-]*"
                              rf"(?:{_DOT}[a-z0-9][a-z0-9\-]*)*{_DOT}{_TLD}(?![\w])")
DIGIT_WORDS = {"khong": "0", "linh": "0", "le": "0", "mot": "1", "hai": "2", "ba": "3", "bon": "4",
               "tu": "4", "nam": "5", "lam": "5", "nham": "5", "sau": "6", "bay": "7", "tam": "8",
               "chin": "9"}
_TOKEN = r"(?:" + "|".join(sorted(DIGIT_WORDS, key=len, reverse=True)) + r"|\d+)"
SPOKEN_NUMBER = re.compile(rf"(?<![\w]){_TOKEN}(?:(?:,?\s+|[.\-]){_TOKEN})+(?![\w])")  # not across ". "


def _spoken(match: re.Match[str]) -> str | None:
    tokens = re.findall(r"[a-z]+|\d+", match.group(0))
    words = sum(1 for t in tokens if not t.isdigit())
    digits = "".join(DIGIT_WORDS.get(t, t) for t in tokens)
    if words < 3 or not 9 <= len(digits) <= 12:
        return None
    if (digits.startswith("0") and len(digits) in (10, 11)) or digits.startswith("84"):
        return PHONE
    return NUMBER


def mask_spelled(text: str) -> str:
    """Obfuscated e-mails and numbers read out digit by digit."""
    folded = fold(text)
    spans = [(m.start(), m.end(), EMAIL) for m in OBFUSCATED_EMAIL.finditer(folded)]
    for match in SPOKEN_NUMBER.finditer(folded):
        placeholder = _spoken(match)
        if placeholder:
            spans.append((match.start(), match.end(), placeholder))
    return _replace(text, spans)


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    last = len(text) + 1
    for start, end, placeholder in sorted(spans, key=lambda s: (s[0], -s[1]), reverse=True):
        if end > last:  # overlaps a span already replaced further right
            continue
        text = text[:start] + placeholder + text[end:]
        last = start
    return text

