"""The staff password policy: long enough, not a common password, not the username or the name.

The common passwords are data (storage/data/common_passwords.txt, its source and licence in its
header). Messages are Vietnamese, shown as they are.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from routing.text import fold

MIN_LENGTH = 10
COMMON_FILE = Path(__file__).parent / "data" / "common_passwords.txt"
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")

TOO_SHORT = "Mật khẩu cần ít nhất {min} ký tự."
TOO_COMMON = "Mật khẩu này quá phổ biến, dễ bị đoán. Vui lòng chọn mật khẩu khác."
HAS_USERNAME = "Mật khẩu không được chứa tên đăng nhập."
HAS_NAME = "Mật khẩu không được chứa họ tên của bạn."


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _squeezed(text: str) -> str:
    """Lower case, no diacritics, no spaces or punctuation: 'Nguyễn Văn An' -> 'nguyenvanan'."""
    return re.sub(r"[\W_]+", "", fold(text))


def problem(password: str, username: str = "", full_name: str = "") -> str | None:
    """Why this password is refused (a Vietnamese sentence), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT.format(min=MIN_LENGTH)
    lowered = password.casefold()
    core = _EDGES.sub("", lowered)
    common = common_passwords()
    if lowered in common or (len(core) >= 3 and core in common) or len(set(lowered)) < 4:
        return TOO_COMMON
    squeezed = _squeezed(password)
    user = _squeezed(username)
    if len(user) >= 3 and user in squeezed:
        return HAS_USERNAME
    name = _squeezed(full_name)
    if len(name) >= 4 and (name in squeezed or squeezed in name):
        return HAS_NAME
    parts = [_squeezed(part) for part in full_name.split()]
    orders = {"".join(parts[i:] + parts[:i]) for i in range(1, len(parts))}  # 'An Nguyễn Văn'
    if any(len(order) >= 4 and order in squeezed for order in orders):
        return HAS_NAME
    return None
