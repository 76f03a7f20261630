"""Fixtures and helpers for the staff console tests: an app on a fresh SQLite file, staff accounts,
cases filed through the services, and a logged-in test client that sends CSRF tokens like a page."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa

from routing import services
from storage.catalogue_files import calendar_entries, load_catalogue
from storage.db import make_engine, seed_calendar, seed_catalogue, upgrade
from tests.conftest import ROOT

PASSWORD = "mat-khau-123"
CAU_GIAY, BA_DINH = "phường Cầu Giấy", "phường Ba Đình"
STAFF = {  # username: role, agency, ward
    "admin": ("admin", None, None),
    "daumoi": ("focal_point", None, None),
    "caugiay": ("agency_staff", "ubnd_xa", CAU_GIAY),
    "badinh": ("agency_staff", "ubnd_xa", BA_DINH),
    "congan": ("agency_staff", "cong_an", None),
}
TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def form(text: str = "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần chưa có kết quả",
         procedure: str | None = "ho_tich", ward: str | None = CAU_GIAY,
         name: str = "Nguyễn Văn An") -> services.IntakeForm:
    return services.IntakeForm(text=text, procedure_id=procedure, citizen_name=name,
                               citizen_phone="0912345678", citizen_address="Số 5 ngõ 10 Trần Thái Tông",
                               ward=ward)


@dataclass
class Console:
    app: Any

    @property
    def pakn(self) -> Any:
        return self.app.extensions["pakn"]

    def query(self, sql: str, **params: Any) -> list[Any]:
        with self.pakn.engine.connect() as connection:
            return list(connection.execute(sa.text(sql), params))

    def file(self, intake: services.IntakeForm | None = None, channel: str | None = "telegram",
             sender: str = "111", received: datetime | None = None) -> str:
        """File a case (through the services) in a conversation on `channel`; its code."""
        with self.pakn.uow() as uow:
            conversation = uow.conversations.get_or_create(channel, sender) if channel else None
            if conversation is not None:
                conversation.last_inbound_at = datetime.now(timezone.utc)
            case = services.file_case(uow, self.pakn.ctx, conversation, intake or form(),
                                      received or datetime.now(timezone.utc),
                                      channel=None if channel else "hotline", sender_id=sender)
            uow.commit()
            return str(case.code)

    def run(self, fn: Any, *args: Any) -> None:
        with self.pakn.uow() as uow:
            fn(uow, *args)
            uow.commit()

    def status(self, code: str) -> str:
        return str(self.query("SELECT status FROM cases WHERE code = :c", c=code)[0][0])

    def outbox(self, code: str | None = None) -> list[Any]:
        if code is None:
            return self.query("SELECT * FROM outbox ORDER BY id")
        return self.query("SELECT * FROM outbox WHERE case_code = :c ORDER BY id", c=code)

    def client(self, username: str | None = None) -> "StaffClient":
        client = StaffClient(self.app.test_client())
        if username:
            response = client.login(username, PASSWORD)
            assert response.status_code == 302, response.text
        return client


class StaffClient:
    """A test client that, like the console's pages, sends the CSRF token with every post."""

    def __init__(self, client: Any) -> None:
        self.http = client

    def token(self) -> str:
        page = self.http.get("/console/login")
        return TOKEN.search(page.text).group(1)  # type: ignore[union-attr]

    def login(self, username: str, password: str) -> Any:
        return self.http.post("/console/login", data={"username": username, "password": password,
                                                      "csrf_token": self.token()})

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.http.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, follow: bool = True) -> Any:
        body = dict(data or {})
        body["csrf_token"] = self.token()
        return self.http.post(url, data=body, follow_redirects=follow)

    def post_json(self, url: str, document: dict[str, Any], csrf: bool = True) -> Any:
        headers = {"X-CSRFToken": self.token()} if csrf else {}
        return self.http.post(url, json=document, headers=headers)


def make_console(tmp_path: Path, models_dir: Path, extra: dict[str, Any] | None = None,
                 database_url: str | None = None) -> Console:
    """The console app on `database_url` (a fresh SQLite file in tmp_path by default)."""
    from bot.app import create_app
    from bot.config import merge
    from storage.staff_services import create_user
    from tests.conftest import NO_CHANNEL_SECRETS

    url = database_url or f"sqlite:///{tmp_path}/pakn.db"
    upgrade(url)
    engine = make_engine(url)
    seed_catalogue(engine, load_catalogue(ROOT / "catalogue"))
    seed_calendar(engine, calendar_entries(ROOT / "catalogue"))
    engine.dispose()
    app = create_app(merge({"database_url": url, "secret_key": "test-secret", "background": False,
                            "nlu": {"backend": "builtin", "models_dir": str(models_dir)},
                            "channels": NO_CHANNEL_SECRETS}, extra or {}))
    app.config["TESTING"] = True
    pakn = app.extensions["pakn"]
    with pakn.uow() as uow:
        for username, (role, agency, ward) in STAFF.items():
            create_user(uow, pakn.ctx.catalogue, username, PASSWORD, role, agency, ward)
        uow.commit()
    return Console(app)


@pytest.fixture
def console(tmp_path: Path, nlu_models_dir: Path) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir)
    yield made
    made.pakn.engine.dispose()


def loaded(value: Any) -> Any:
    """A JSON column as read back (text on SQLite, already decoded on PostgreSQL)."""
    return json.loads(value) if isinstance(value, str) else value


def days_ago(days: int) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=days)
