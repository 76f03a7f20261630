"""Tokens and CRF features for the contact-details tagger (nlu/contacts.py).

Every feature is computed on the diacritics-folded token, so a message typed without diacritics
looks to the model like one typed with them; capitalisation counts only relative to the message
(in a message typed all in capitals or all in lowercase it says nothing). The name knowledge
(surnames, given-name syllables, honorifics) and the ward names come from the catalogue as data.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu.entities import PHONE, normalize_phone
from routing.text import fold, nfc

# A phone number (spaces, dots, dashes inside) is one token; so are '12/34', '2/4' and 'Đ/c'.
_TOKEN = re.compile(r"\d+(?:[./\-]\d+)+|[^\W\d_]{1,2}/[^\W\d_]{1,2}(?![\w])|\w+|[^\w\s]")
# Lead-in cues and the field each announces ('dia chi' and 'so dien thoai' are read as bigrams).
CUES = {"ten": "name", "la": "name", "sdt": "phone", "dt": "phone", "dthoai": "phone",
        "sdth": "phone", "zalo": "phone", "dd": "phone", "tel": "phone", "phone": "phone",
        "goi": "phone", "o": "addr", "dc": "addr", "d/c": "addr", "nha": "addr", "tai": "addr",
        "tru": "addr", "chi": "addr", "thoai": "phone"}
ADDRESS_WORDS = frozenset({
    "so", "nha", "ngo", "ngach", "hem", "kiet", "pho", "duong", "toa", "phong", "thon", "xom",
    "to", "ap", "khu", "tdp", "cum", "lo", "ktt", "chung", "cu", "can", "ho", "tang", "block",
    "kdt", "doi", "lang", "ngoc", "dan", "pho", "cc", "sn", "p", "ng", "tt", "khom", "xuan", "ban"})
WARD_WORDS = frozenset({"phuong", "xa", "quan", "huyen", "p", "q", "h", "tx", "thi", "tran", "tp"})
WINDOW = 2
# Name knowledge and ward names are language knowledge shipped with the code (like nlu_data/).
BUNDLED_CATALOGUE = Path(__file__).resolve().parent.parent / "catalogue"
LEXICON_FILES = ("names.yaml", "wards.yaml", "ward_aliases.yaml")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Lexicon:
    """Folded and spelled name syllables, honorifics and ward-name syllable sequences."""

    surnames: frozenset[str]
    spelled_surnames: frozenset[str]
    given: frozenset[str]
    spelled_given: frozenset[str]
    honorifics: frozenset[str]
    wards: frozenset[tuple[str, ...]]  # folded names as syllable tuples: ('ba', 'dinh')

    def _known(self, word: str, folded: frozenset[str], spelled: frozenset[str]) -> bool:
        lowered = nfc(word).lower()
        return lowered in spelled if fold(lowered) != lowered else lowered in folded

    def is_surname(self, word: str) -> bool:
        return self._known(word, self.surnames, self.spelled_surnames)

    def is_given(self, word: str) -> bool:
        return self._known(word, self.given, self.spelled_given)


def lexicon_fingerprint(catalogue_dir: Path = BUNDLED_CATALOGUE) -> str:
    """sha256 of the files the features read: a model trained on other knowledge is retrained."""
    digest = hashlib.sha256()
    for name in LEXICON_FILES:
        path = catalogue_dir / name
        if path.exists():
            digest.update(name.encode() + path.read_bytes())
    return digest.hexdigest()


def load_lexicon(catalogue_dir: Path = BUNDLED_CATALOGUE) -> Lexicon:
    names = yaml.safe_load((catalogue_dir / "names.yaml").read_text(encoding="utf-8")) or {}
    surnames = [nfc(str(s)).lower().split()[0] for s in names.get("surnames") or ()]
    given = [nfc(str(s)).lower() for s in names.get("given_names") or ()]
    wards: set[tuple[str, ...]] = set()
    units = yaml.safe_load((catalogue_dir / "wards.yaml").read_text(encoding="utf-8")) or {}
    for unit in units.get("units") or ():
        wards.add(tuple(_words(fold(str(unit["name"])))))
    aliases_path = catalogue_dir / "ward_aliases.yaml"
    if aliases_path.exists():
        aliases = yaml.safe_load(aliases_path.read_text(encoding="utf-8")) or {}
        for alias in (aliases.get("aliases") or {}):
            words = _words(fold(str(alias)))
            if words and words[0] in ("quan", "huyen", "phuong", "xa"):
                words = words[1:]
            if words:
                wards.add(tuple(words))
    return Lexicon(frozenset(fold(s) for s in surnames), frozenset(surnames),
                   frozenset(fold(g) for g in given), frozenset(given),
                   frozenset(nfc(str(h)).lower() for h in names.get("honorifics") or ()),
                   frozenset(wards))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def tokenize(text: str) -> list[Token]:
    """Tokens with their offsets in `text`; phone numbers written with spaces stay one token."""
    found: list[Token] = []
    position = 0
    for match in PHONE.finditer(text):
        found.extend(_plain_tokens(text, position, match.start()))
        found.append(Token(match.group(0), match.start(), match.end()))
        position = match.end()
    found.extend(_plain_tokens(text, position, len(text)))
    return found


def _plain_tokens(text: str, start: int, end: int) -> list[Token]:
    return [Token(m.group(0), start + m.start(), start + m.end())
            for m in _TOKEN.finditer(text[start:end])]


def _shape(word: str) -> str:
    if any(c.isdigit() for c in word):
        digits = sum(c.isdigit() for c in word)
        return f"d{min(digits, 12)}" + ("/" if "/" in word else "")
    if not word[0].isalnum():
        return word[0]
    if word.isupper():
        return "X" if len(word) > 1 else "X1"
    if word[0].isupper():
        return "Xx"
    return "x"


def _message_case(tokens: list[Token]) -> str:
    letters = [t.text for t in tokens if t.text[0].isalpha()]
    if letters and all(w.isupper() for w in letters):
        return "upper"
    if letters and all(w.islower() for w in letters):
        return "lower"
    return "mixed"


def _ward_marks(folded: list[str], lexicon: Lexicon) -> list[str]:
    """'B'/'I' where a ward name (longest first) covers the token, '' elsewhere."""
    marks = [""] * len(folded)
    i = 0
    while i < len(folded):
        for size in (4, 3, 2, 1):
            if i + size <= len(folded) and tuple(folded[i:i + size]) in lexicon.wards:
                marks[i] = "B"
                for j in range(i + 1, i + size):
                    marks[j] = "I"
                i += size
                break
        else:
            i += 1
    return marks


def _name_runs(tokens: list[Token], lexicon: Lexicon) -> list[str]:
    """'B'/'I' over runs that start with a surname and go on with name syllables (2-5 long)."""
    marks = [""] * len(tokens)
    i = 0
    while i < len(tokens):
        if lexicon.is_surname(tokens[i].text):
            j = i + 1
            while j < len(tokens) and j - i < 5 and (lexicon.is_given(tokens[j].text)
                                                     or lexicon.is_surname(tokens[j].text)):
                j += 1
            if j - i >= 2:
                marks[i] = "B"
                for k in range(i + 1, j):
                    marks[k] = "I"
                i = j
                continue
        i += 1
    return marks


def _last_cues(folded: list[str]) -> list[str]:
    """The field announced by the nearest cue before each token, with a distance bucket."""
    cues: list[str] = []
    last, at = "none", -100
    for i, word in enumerate(folded):
        distance = i - at
        cues.append(f"{last}@{'1' if distance == 1 else '2-3' if distance <= 3 else 'far'}")
        field = CUES.get(word)
        if field == "addr" and word == "chi" and (i == 0 or folded[i - 1] != "dia"):
            field = None
        if field:
            last, at = field, i
        elif word in (",", ";", ".", "-", "/", ":") and last != "none":
            last = last + "|sep" if "|sep" not in last else last
    return cues


def token_features(tokens: list[Token], lexicon: Lexicon) -> list[list[str]]:
    """One list of string features per token (pycrfsuite's ItemSequence input)."""
    folded = [fold(t.text) for t in tokens]
    case = _message_case(tokens)
    wards = _ward_marks(folded, lexicon)
    runs = _name_runs(tokens, lexicon)
    cues = _last_cues(folded)
    own = [_own(t.text, f, lexicon, case) for t, f in zip(tokens, folded)]
    rows = []
    for i, word in enumerate(folded):
        row = ["bias", f"w={word}", f"cue={cues[i]}", f"ward={wards[i]}", f"run={runs[i]}"]
        row += own[i]
        for offset in range(-WINDOW, WINDOW + 1):
            j = i + offset
            if offset == 0:
                continue
            if 0 <= j < len(tokens):
                row.append(f"{offset}:w={folded[j]}")
                row += [f"{offset}:{f}" for f in own[j] if not f.startswith("lw")]
                row.append(f"{offset}:ward={wards[j]}")
                row.append(f"{offset}:run={runs[j]}")
            else:
                row.append(f"{offset}:edge")
        if i > 0:
            row.append(f"bi={folded[i - 1]}|{word}")
        if i + 1 < len(folded):
            row.append(f"bi+={word}|{folded[i + 1]}")
        rows.append(row)
    return rows


def _own(text: str, word: str, lexicon: Lexicon, case: str) -> list[str]:
    shape = _shape(text)
    features = [f"shape={shape}", f"shape|case={shape}|{case}", f"lw={word}"]
    if any(c.isdigit() for c in text):
        phone = normalize_phone(text)
        features.append("phone" if phone else "digits")
        if text.lstrip("+").startswith(("0", "84")) and sum(c.isdigit() for c in text) >= 9:
            features.append("phonelike")
        return features
    if lexicon.is_surname(text):
        features.append("surname")
    if lexicon.is_given(text):
        features.append("given")
    if nfc(text).lower() in lexicon.honorifics:
        features.append("honorific")
    if word in ADDRESS_WORDS:
        features.append(f"addr={word}")
    if word in WARD_WORDS:
        features.append(f"unit={word}")
    if text.lower() != word:
        features.append("accented")
    return features
