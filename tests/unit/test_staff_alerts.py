"""The staff link command the bot recognises (routing/staff_alerts.py): only an exact command with
a code is one; a citizen's '/start' or a sentence mentioning 'liên kết' never is."""
from __future__ import annotations

import pytest

from routing.staff_alerts import code_hash, link_code_in


@pytest.mark.parametrize("text, code", [
    ("/lienket ABCD2345", "ABCD2345"),
    ("  /lienket abcd2345 ", "ABCD2345"),
    ("/lienket@pakn_hanoi_bot ABCD2345", "ABCD2345"),
    ("/start nv_ABCD2345", "ABCD2345"),
    ("/start", None),
    ("/start hotline", None),
    ("/lienket", None),
    ("tôi muốn liên kết ABCD2345", None),
    ("/lienket ABCD2345 và phản ánh đèn đường hỏng", None),
])
def test_the_link_command(text: str, code: str | None) -> None:
    assert link_code_in(text) == code


def test_the_code_is_kept_as_a_hash_whatever_its_case() -> None:
    assert code_hash("abcd2345") == code_hash(" ABCD2345") != code_hash("ABCD2346")
    assert "ABCD2345" not in code_hash("ABCD2345")
