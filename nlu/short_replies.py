"""Messages that answer something rather than ask for something: they never start a complaint.

"xac nhan", "ok", "vâng", a lone number or a name alone are replies to a question the bot asked
(or a stray one): whatever a classifier makes of their few characters, they are not a PAKN.
"""
from __future__ import annotations

import re

from routing.text import fold, nfc

# Folded acknowledgement and reply words; a message made only of these is a reply.
REPLY_WORDS = frozenset("""
    ok oke okie okay oki k kk vang da u uh uk um umm uhm co khong ko k0 hok dung sai roi duoc dc
    xong xac nhan xn dong y chuan chinh xac a nhe nha the thoi biet hieu em anh chi toi minh e
    cam on thanks yes no vay sure yep nope hi hihi haha hehe
""".split())
_LONE_NUMBER = re.compile(r"^[\s\d.,:;/()+\-#*]*$")
_WORD = re.compile(r"[^\W\d_]+")
MAX_NAME_WORDS = 4


def is_short_reply(text: str) -> bool:
    """True for an acknowledgement, a lone number or a capitalised name of 2-4 words."""
    text = nfc(text).strip()
    if not text or _LONE_NUMBER.match(text):
        return True
    words = _WORD.findall(text)
    if not words:
        return True
    if all(fold(word).lower() in REPLY_WORDS for word in words) and len(words) <= 6:
        return True
    return _looks_like_a_name(text, words)


def _looks_like_a_name(text: str, words: list[str]) -> bool:
    """'Nguyễn Thị Mai Anh', 'TRẦN VĂN HÙNG': every word capitalised, nothing but the words."""
    if not 2 <= len(words) <= MAX_NAME_WORDS or any(ch.isdigit() for ch in text):
        return False
    if re.sub(r"[\s,.]", "", text) != "".join(words):
        return False
    return all(word[0].isupper() for word in words)
