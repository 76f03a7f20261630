"""The staff password policy: length, the common-password list (data), the username and the name."""
from __future__ import annotations

import pytest

from storage import password_policy as policy


@pytest.mark.parametrize("password, reason", [
    ("12345678", policy.TOO_SHORT.format(min=10)),
    ("admin", policy.TOO_SHORT.format(min=10)),
    ("1234567890", policy.TOO_COMMON),
    ("Password123", policy.TOO_COMMON),
    ("matkhau@123", policy.TOO_COMMON),
    ("qwertyuiop", policy.TOO_COMMON),
    ("dragon2024!!", policy.TOO_COMMON),  # a common word with digits and symbols around it
    ("aaaaaaaaaaaa", policy.TOO_COMMON),
    ("caugiay-2026-x", policy.HAS_USERNAME),
    ("Nguyễn Văn An 99", policy.HAS_NAME),
    ("annguyenvan#7", policy.HAS_NAME),
])
def test_refused_passwords_say_why(password: str, reason: str) -> None:
    assert policy.problem(password, "caugiay", "Nguyễn Văn An") == reason


@pytest.mark.parametrize("password", ["mat-khau-123", "Sông Hồng chảy qua 3 cầu", "tra-cuu-hồ-sơ-7"])
def test_good_passwords_pass(password: str) -> None:
    assert policy.problem(password, "caugiay", "Nguyễn Văn An") is None


def test_the_list_is_data_of_a_few_thousand_entries_with_its_licence() -> None:
    words = policy.common_passwords()
    assert 5000 < len(words) < 10000 and "12345678" in words and "matkhau123" in words
    header = policy.COMMON_FILE.read_text(encoding="utf-8")[:1200]
    assert "MIT" in header and (policy.COMMON_FILE.parent / "LICENSE-zxcvbn").exists()
