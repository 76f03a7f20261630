"""Vietnamese text normalisation: NFC, and a diacritics-folded view of the same text."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Compose characters (some keyboards send NFD: 'e' + combining marks)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


class _FoldTable(dict[int, str]):
    """Code point -> folded character, computed on first sight (str.translate uses __missing__).

    Folding char by char with unicodedata costs ~1 µs per character; the table makes it one
    C-level translate call per text, which matters on the parse hot path.
    """

    def __missing__(self, code: int) -> str:
        original = chr(code)
        folded = _base_char(original.lower())
        if len(folded) != 1:  # 'İ'.lower() is two characters: keep the length, keep the char
            folded = original
        self[code] = folded
        return folded


def _base_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if len(base) == 1 else char


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lowercase, without diacritics ('Cầu Giấy' -> 'cau giay'); one char in, one char out.

    Keeping the length lets a match in the folded text give offsets into the NFC text.
    """
    return nfc(text).translate(_FOLD)


def squash_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
