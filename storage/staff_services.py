"""Services for the rows the staff side owns: accounts, the audit log, conversation notes, canned
replies, Open311 clients. Each takes a unit of work (SqlUnitOfWork) and writes through its staff
repository (storage.staff); the caller runs it with `uow.run(...)`, which commits.

They live beside their repository rather than in routing/: none of this is the PAKN case domain
(routing/ stays standard library only, and password hashing is werkzeug's), and all they add to the
persistence is checking the form. Used by the console, the CLI and the demo.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from routing.catalogue import Catalogue
from routing.rules import COMMUNE_LEVEL_UNITS
from storage import console_queries as q
from storage import password_policy
from storage.staff_sessions import LOCKED, PASSWORD_CHANGED, PASSWORD_RESET, end_all_sessions
from storage.unit_of_work import SqlUnitOfWork

ROLES = ("focal_point", "agency_staff", "admin")
# Commune-level agencies whose staff must name their ward (the police may work city-wide).
WARD_REQUIRED = frozenset({"ubnd_xa"})
MIN_PASSWORD = password_policy.MIN_LENGTH

# What an admin (or the CLI) is told when an account cannot be saved as asked.
BAD_USERNAME = "Tên đăng nhập chỉ gồm chữ, số, dấu chấm, gạch dưới, gạch ngang."
BAD_ROLE = "Vai trò không hợp lệ: {role}."
AGENCY_REQUIRED = "Cán bộ cơ quan xử lý cần có cơ quan trong danh mục."
UNKNOWN_WARD = "Phường/xã không có trong danh mục: {ward}."
WARD_MISSING = "Cán bộ UBND cấp xã cần chọn phường/xã."
WRONG_CURRENT = "Mật khẩu hiện tại không đúng."
NOT_REPEATED = "Hai lần nhập mật khẩu mới không khớp nhau."
SAME_PASSWORD = "Mật khẩu mới phải khác mật khẩu hiện tại."
CANNOT_CHANGE_OWN_ROLE = "Không thể tự đổi vai trò của chính mình; nhờ một quản trị viên khác."
USERNAME_TAKEN = "Tên đăng nhập {username} đã tồn tại."
UNKNOWN_USER = "Không có tài khoản này."


class InvalidUser(ValueError):
    """The account cannot be saved as asked; the message is Vietnamese, shown as it is."""


class AccountLocked(Exception):
    """The password is right but an admin locked the account."""


def validate(catalogue: Catalogue, username: str, role: str, agency_id: str | None,
             ward: str | None) -> tuple[str | None, str | None]:
    """The (agency_id, ward) to store; raises InvalidUser with a Vietnamese reason."""
    if not username or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise InvalidUser(BAD_USERNAME)
    if role not in ROLES:
        raise InvalidUser(BAD_ROLE.format(role=role))
    if role != "agency_staff":
        return None, None
    if not agency_id or agency_id not in catalogue.agencies:
        raise InvalidUser(AGENCY_REQUIRED)
    if agency_id not in COMMUNE_LEVEL_UNITS:
        return agency_id, None
    labels = {w.label for w in catalogue.wards}
    if ward and ward not in labels:
        raise InvalidUser(UNKNOWN_WARD.format(ward=ward))
    if not ward and agency_id in WARD_REQUIRED:
        raise InvalidUser(WARD_MISSING)
    return agency_id, ward or None


def _check_strength(password: str, username: str = "", full_name: str = "") -> None:
    reason = password_policy.problem(password, username, full_name)
    if reason:
        raise InvalidUser(reason)


def create_user(uow: SqlUnitOfWork, catalogue: Catalogue, username: str, password: str, role: str,
                agency_id: str | None = None, ward: str | None = None, full_name: str = "",
                check_strength: bool = True, *, now: datetime | None = None,
                must_change: bool = False) -> int:
    """A new active staff account; its id. Raises InvalidUser. `must_change`: the password was
    chosen by someone else (an admin, the demo) and is changed at the first login."""
    username = username.strip().lower()
    agency_id, ward = validate(catalogue, username, role, agency_id, ward)
    if check_strength:
        _check_strength(password, username, full_name)
    if uow.staff.user_by_username(username) is not None:
        raise InvalidUser(USERNAME_TAKEN.format(username=username))
    return uow.staff.add_user(username=username, password_hash=hash_password(password),
                              full_name=full_name.strip(), role=role, agency_id=agency_id, ward=ward,
                              active=True, created_at=now or datetime.now(timezone.utc),
                              must_change_password=must_change)


def _existing(uow: SqlUnitOfWork, user_id: int) -> dict[str, Any]:
    row = uow.staff.user(user_id)
    if row is None:
        raise InvalidUser(UNKNOWN_USER)
    return row


def reset_password(uow: SqlUnitOfWork, user_id: int, password: str,
                   now: datetime | None = None) -> dict[str, Any]:
    """Set a new password (an admin's reset): every session of the user ends, and the user must
    choose their own password at the next login; the account as it was. Raises InvalidUser."""
    row = _existing(uow, user_id)
    _check_strength(password, row["username"], row["full_name"])
    moment = now or datetime.now(timezone.utc)
    uow.staff.update_user(user_id, password_hash=hash_password(password), must_change_password=True,
                          password_changed_at=moment)
    end_all_sessions(uow, user_id, PASSWORD_RESET, moment)
    return row


def change_own_password(uow: SqlUnitOfWork, user_id: int, current: str, new: str, repeated: str,
                        now: datetime) -> None:
    """A staff member changes their own password: the current one, the new one twice, the policy.
    Every session of the user ends (the caller starts a fresh one). Raises InvalidUser."""
    row = _existing(uow, user_id)
    if not check_password_hash(row["password_hash"], current):
        raise InvalidUser(WRONG_CURRENT)
    if new != repeated:
        raise InvalidUser(NOT_REPEATED)
    if new == current:
        raise InvalidUser(SAME_PASSWORD)
    _check_strength(new, row["username"], row["full_name"])
    uow.staff.update_user(user_id, password_hash=hash_password(new), must_change_password=False,
                          password_changed_at=now)
    end_all_sessions(uow, user_id, PASSWORD_CHANGED, now)


def require_password_change(uow: SqlUnitOfWork, user_id: int) -> None:
    """The password in use no longer meets the policy (a demo or default one): change it first."""
    uow.staff.update_user(user_id, must_change_password=True)


def change_role(uow: SqlUnitOfWork, catalogue: Catalogue, user_id: int, role: str,
                agency_id: str | None, ward: str | None, *, by: int) -> dict[str, Any]:
    """An admin sets a user's role and unit (not their own role); the account as it was."""
    row = _existing(uow, user_id)
    if user_id == by and role != row["role"]:
        raise InvalidUser(CANNOT_CHANGE_OWN_ROLE)
    agency_id, ward = validate(catalogue, row["username"], role, agency_id, ward)
    uow.staff.update_user(user_id, role=role, agency_id=agency_id, ward=ward)
    return row


def lock_account(uow: SqlUnitOfWork, user_id: int, now: datetime | None = None) -> dict[str, Any]:
    """The account can no longer log in, and every session of it ends now."""
    row = _existing(uow, user_id)
    uow.staff.update_user(user_id, active=False)
    end_all_sessions(uow, user_id, LOCKED, now or datetime.now(timezone.utc))
    return row


def enable_totp(uow: SqlUnitOfWork, user_id: int, secret: str, step: int) -> None:
    """The second factor is on, with the secret the user's app just proved it holds."""
    uow.staff.update_user(user_id, totp_secret=secret, totp_last_step=step)


def disable_totp(uow: SqlUnitOfWork, user_id: int) -> None:
    uow.staff.update_user(user_id, totp_secret=None, totp_last_step=None)


def record_totp_step(uow: SqlUnitOfWork, user_id: int, step: int) -> None:
    """The time step of the code just accepted: the same code is refused from now on."""
    uow.staff.update_user(user_id, totp_last_step=step)


def unlock_account(uow: SqlUnitOfWork, user_id: int) -> dict[str, Any]:
    row = _existing(uow, user_id)
    uow.staff.update_user(user_id, active=True)
    return row


def record_login(uow: SqlUnitOfWork, user_id: int, now: datetime) -> None:
    uow.staff.update_user(user_id, last_login_at=now)


def record_audit(uow: SqlUnitOfWork, now: datetime, user_id: int | None, username: str, action: str,
                 target_type: str = "", target_id: Any = "",
                 details: dict[str, Any] | None = None) -> None:
    """One row of the audit log, in the unit of work of the action it records."""
    uow.staff.record_audit(now, user_id, username, action, target_type, str(target_id), details)


def add_note(uow: SqlUnitOfWork, conversation_id: int, user_id: int, text: str, now: datetime) -> None:
    """A staff note on a conversation (never sent to the citizen)."""
    uow.staff.add_note(conversation_id, user_id, text, now)


def save_canned_reply(uow: SqlUnitOfWork, title: str, text: str) -> int:
    """A new canned reply (the page checked title and text); its id."""
    return uow.staff.add_canned(title.strip(), text.strip())


def delete_canned_reply(uow: SqlUnitOfWork, canned_id: int) -> bool:
    """False when there was no such canned reply."""
    return uow.staff.delete_canned(canned_id)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_client(uow: SqlUnitOfWork, name: str, now: datetime) -> str:
    """Register an Open311 client; its new API key, shown once (only its hash is stored).
    A name already taken raises sqlalchemy's IntegrityError when the unit of work commits."""
    key = secrets.token_urlsafe(32)
    uow.staff.add_api_client(name, hash_key(key), now)
    return key


def revoke_api_client(uow: SqlUnitOfWork, client_id: int, now: datetime) -> str | None:
    """Revoke a client's API key (refused from the next request on); the client's name, or None
    when there is no active client with that id. The row stays, listed as revoked."""
    return uow.staff.revoke_api_client(client_id, now)


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt with a random salt


def authenticate(session: Session, username: str, password: str) -> dict[str, Any] | None:
    """The active user with this username and password, else None (same cost either way); a read.

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
