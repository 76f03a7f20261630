"""Staff accounts: creation with validation, password hashing. Used by the CLI, admin pages, demo."""
from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from routing.catalogue import Catalogue
from routing.rules import COMMUNE_LEVEL_UNITS
from storage import console_queries as q

ROLES = ("focal_point", "agency_staff", "admin")
# Commune-level agencies whose staff must name their ward (the police may work city-wide).
WARD_REQUIRED = frozenset({"ubnd_xa"})
MIN_PASSWORD = 8


class InvalidUser(ValueError):
    """The account cannot be created as asked; the message is Vietnamese, shown as it is."""


def validate(catalogue: Catalogue, username: str, role: str, agency_id: str | None,
             ward: str | None) -> tuple[str | None, str | None]:
    """The (agency_id, ward) to store; raises InvalidUser with a Vietnamese reason."""
    if not username or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise InvalidUser("Tên đăng nhập chỉ gồm chữ, số, dấu chấm, gạch dưới, gạch ngang.")
    if role not in ROLES:
        raise InvalidUser(f"Vai trò không hợp lệ: {role}.")
    if role != "agency_staff":
        return None, None
    if not agency_id or agency_id not in catalogue.agencies:
        raise InvalidUser("Cán bộ cơ quan xử lý cần có cơ quan trong danh mục.")
    if agency_id not in COMMUNE_LEVEL_UNITS:
        return agency_id, None
    labels = {w.label for w in catalogue.wards}
    if ward and ward not in labels:
        raise InvalidUser(f"Phường/xã không có trong danh mục: {ward}.")
    if not ward and agency_id in WARD_REQUIRED:
        raise InvalidUser("Cán bộ UBND cấp xã cần chọn phường/xã.")
    return agency_id, ward or None


def create_user(session: Session, catalogue: Catalogue, username: str, password: str, role: str,
                agency_id: str | None = None, ward: str | None = None, full_name: str = "",
                check_strength: bool = True) -> int:
    """Insert a staff account (the caller commits). Raises InvalidUser."""
    username = username.strip().lower()
    agency_id, ward = validate(catalogue, username, role, agency_id, ward)
    if check_strength and len(password) < MIN_PASSWORD:
        raise InvalidUser(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
    if q.get_user_by_username(session, username) is not None:
        raise InvalidUser(f"Tên đăng nhập {username} đã tồn tại.")
    return q.insert_user(session, username=username, password_hash=hash_password(password),
                         full_name=full_name.strip(), role=role, agency_id=agency_id, ward=ward,
                         active=True, created_at=datetime.now(timezone.utc))


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt with a random salt


class AccountLocked(Exception):
    """The password is right but an admin locked the account."""


def authenticate(session: Session, username: str, password: str) -> dict[str, Any] | None:
    """The active user with this username and password, else None (same cost either way).

    Raises AccountLocked only after the right password: a guesser learns nothing of the lock.
    """
    user = q.get_user_by_username(session, username.strip().lower())
    if user is None:
        check_password_hash(_dummy_hash(), password)  # do not reveal which usernames exist by timing
        return None
    if not check_password_hash(user["password_hash"], password):
        return None
    if not user["active"]:
        raise AccountLocked(user["username"])
    return user


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-real-password")
