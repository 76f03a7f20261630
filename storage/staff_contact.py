"""How staff are reached outside the console: their e-mail address (the daily digest, overdue
alerts) and their linked Telegram chat (routing/staff_alerts.py). Services on the unit of work,
used by the console's own-account page and the admin's account form."""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from routing.staff_alerts import CODE_ALPHABET, CODE_LENGTH, code_hash
from storage.staff_services import InvalidUser, _existing
from storage.unit_of_work import SqlUnitOfWork

EMAIL_LIMIT = 255  # users.email
# One address, as mail servers take it: a local part, '@', a domain with a dot; no spaces or commas.
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

EMAIL_INVALID = ("Địa chỉ e-mail «{email}» không hợp lệ. Nhập một địa chỉ, ví dụ "
                 "nguyenvanan@hanoi.gov.vn.")
EMAIL_TOO_LONG = "Địa chỉ e-mail dài quá {limit} ký tự."


def clean_email(value: str) -> str | None:
    """The address to store ('' or spaces: None, no e-mail); raises InvalidUser with the reason."""
    email = (value or "").strip()
    if not email:
        return None
    if len(email) > EMAIL_LIMIT:
        raise InvalidUser(EMAIL_TOO_LONG.format(limit=EMAIL_LIMIT))
    if not EMAIL_PATTERN.fullmatch(email) or ".." in email:
        raise InvalidUser(EMAIL_INVALID.format(email=email[:80]))
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def set_email(uow: SqlUnitOfWork, user_id: int, value: str) -> dict[str, Any]:
    """Set (or with '' remove) the account's e-mail address; the account as it was."""
    row = _existing(uow, user_id)
    uow.staff.update_user(user_id, email=clean_email(value))
    return row


def start_telegram_link(uow: SqlUnitOfWork, user_id: int, now: datetime, valid_minutes: float) -> str:
    """A new one-time code the person sends the bot from their Telegram chat (an older one ends)."""
    _existing(uow, user_id)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    uow.staff.update_user(user_id, telegram_link_hash=code_hash(code),
                          telegram_link_expires_at=now + timedelta(minutes=valid_minutes))
    return code


def unlink_telegram(uow: SqlUnitOfWork, user_id: int) -> None:
    """No more alerts on Telegram for this account."""
    _existing(uow, user_id)
    uow.staff.update_user(user_id, telegram_chat_id=None, telegram_link_hash=None,
                          telegram_link_expires_at=None)
