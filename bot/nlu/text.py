"""Vietnamese text normalisation: NFC, and a diacritics-folded view of the same text."""
from __future__ import annotations

import re
import unicodedata

_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Compose characters (some keyboards send NFD: 'e' + combining marks)."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lowercase, without diacritics ('Cầu Giấy' -> 'cau giay'); one char in, one char out.

    Keeping the length lets a match in the folded text give offsets into the NFC text.
    """
    composed = nfc(text).translate(_FOLD_TABLE).lower()
    return "".join(_base_char(char) for char in composed)


def _base_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if len(base) == 1 else char


def squash_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
