"""The notification centre and staff e-mail (issue 16): each person sees what is addressed to their
unit, with an unread counter in the menu that goes down as they read (each for themselves); the
scheduler's jobs e-mail the daily digest and overdue alerts through a real SMTP server on
127.0.0.1 (aiosmtpd), whose received mail is read back. SQLite and PostgreSQL."""
from __future__ import annotations

import html
import re
import socket
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bot.scheduler import run_deadline_jobs, run_digest_job
from outbox.staff_email import SmtpMailer
from settings import EmailSettings
from tests.integration.console_support import BA_DINH, Console, days_ago, form, make_console

COUNTER = re.compile(r'id="unread-count"[^>]*>(\d+)<')
BASE = "https://pakn.hanoi.example"


class Inbox:
    """An aiosmtpd handler keeping every message that arrives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def office(database_url: str, tmp_path: Path, nlu_models_dir: Path,
           smtp: tuple[Inbox, int]) -> Iterator[Console]:
    settings = {"email": {"host": "127.0.0.1", "port": smtp[1], "from": "pakn@hanoi.example",
                          "base_url": BASE}}
    made = make_console(tmp_path, nlu_models_dir, extra=settings, database_url=database_url)
    with made.pakn.engine.begin() as connection:
        for username, email, name in (("caugiay", "lan@caugiay.example", "Nguyễn Thị Lan"),
                                      ("badinh", "binh@badinh.example", "Trần Văn Bình"),
                                      ("daumoi", "daumoi@hanoi.example", "Lê Văn Đầu Mối")):
            connection.execute(sa.text("UPDATE users SET email = :e, full_name = :n WHERE username = :u"),
                               {"e": email, "n": name, "u": username})
    yield made
    made.pakn.engine.dispose()


def counter(page: str) -> int:
    found = COUNTER.search(page)
    return int(found.group(1)) if found else 0


def overdue_cases(console: Console) -> tuple[str, str]:
    """One overdue case in Cầu Giấy, one in Ba Đình, and the jobs run on them."""
    mine = console.file(form(text="Hồ sơ khai sinh cho con nộp đã 2 tháng chưa có kết quả"),
                        sender="1", received=days_ago(60))
    other = console.file(form(ward=BA_DINH), sender="2", received=days_ago(60))
    run_deadline_jobs(console.pakn, datetime.now(timezone.utc))
    return mine, other


def test_each_person_sees_their_units_notifications_and_reads_them(office: Console) -> None:
    mine, other = overdue_cases(office)
    officer, colleague = office.client("caugiay"), office.client("daumoi")
    page = officer.get("/console/thong-bao").text
    assert mine in page and other not in page
    assert "đã quá hạn" in page and "Quá hạn" in page
    before = counter(page)
    assert before >= 1 and counter(officer.get("/console/cases").text) == before  # on every page
    first = re.search(r'/console/thong-bao/(\d+)/da-doc', page).group(1)  # type: ignore[union-attr]
    after = officer.post(f"/console/thong-bao/{first}/da-doc", {}).text
    assert counter(after) == before - 1
    focal_before = counter(colleague.get("/console/thong-bao").text)
    assert focal_before >= 2  # both escalations reach the focal point
    done = officer.post("/console/thong-bao/da-doc-tat-ca", {}).text
    assert counter(done) == 0 and 'id="unread-count"' not in done
    assert "Đã đánh dấu" in html.unescape(done)
    assert counter(colleague.get("/console/thong-bao").text) == focal_before  # reads are per person
    # Marking someone else's notification does nothing.
    foreign = office.query("SELECT id FROM staff_notifications WHERE case_code = :c AND kind = 'overdue'",
                           c=other)[0][0]
    office.client("badinh").get("/console/thong-bao")
    officer.post(f"/console/thong-bao/{foreign}/da-doc", {})
    assert office.query("SELECT COUNT(*) FROM staff_notification_reads WHERE notification_id = :i",
                        i=foreign)[0][0] == 0


def test_overdue_alerts_are_emailed_once_in_vietnamese_with_links(office: Console,
                                                                  smtp: tuple[Inbox, int]) -> None:
    inbox, _ = smtp
    mine, other = overdue_cases(office)
    lan = inbox.to("lan@caugiay.example")
    assert len(lan) == 1
    alert = lan[0]
    body = alert.get_content()
    assert alert["Subject"] == f"[PAKN Hà Nội] Phản ánh {mine} đã quá hạn"
    assert "Kính gửi Nguyễn Thị Lan" in body and "Văn phòng UBND (cán bộ đầu mối) đã được báo" in body
    assert f"{BASE}/console/cases/{mine}" in body and other not in body
    assert "UBND phường Cầu Giấy" in body
    focal = inbox.to("daumoi@hanoi.example")
    assert len(focal) == 1 and focal[0]["Subject"] == "[PAKN Hà Nội] 2 phản ánh đã quá hạn"
    assert mine in focal[0].get_content() and other in focal[0].get_content()
    assert "Hệ thống tiếp nhận PAKN Hà Nội" in str(focal[0]["From"])
    run_deadline_jobs(office.pakn, datetime.now(timezone.utc) + timedelta(minutes=10))
    assert len(inbox.messages) == 3  # nothing twice


def test_the_daily_digest_lists_the_units_cases(office: Console, smtp: tuple[Inbox, int]) -> None:
    inbox, _ = smtp
    mine, other = overdue_cases(office)
    inbox.messages.clear()
    fresh = office.file(sender="9")
    run_digest_job(office.pakn, datetime.now(timezone.utc))
    [digest] = inbox.to("lan@caugiay.example")
    body = digest.get_content()
    assert digest["Subject"].startswith("[PAKN Hà Nội] Tổng hợp ngày ")
    assert "2 phản ánh đang xử lý, 1 quá hạn" in digest["Subject"]
    assert "Tình hình phản ánh, kiến nghị của UBND phường Cầu Giấy" in body
    assert f"- {mine}: {BASE}/console/cases/{mine}" in body
    assert other not in body and f"{BASE}/console/cases" in body
    assert fresh not in body or "sắp đến hạn" in body.lower()
    assert inbox.to("binh@badinh.example")[0]["Subject"].endswith("1 phản ánh đang xử lý, 1 quá hạn")


def test_a_mail_server_that_is_down_delays_the_alert_and_loses_nothing(
        office: Console, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    office.pakn.mailer = SmtpMailer(EmailSettings(host="127.0.0.1", port=free_port(),
                                                  sender="pakn@hanoi.example", timeout_seconds=2))
    mine, _ = overdue_cases(office)
    assert inbox.messages == []
    waiting = office.query("SELECT COUNT(*), COUNT(DISTINCT case_code) FROM staff_notifications "
                           "WHERE emailed_at IS NULL AND kind = 'overdue'")[0]
    assert waiting[0] >= 2 and waiting[1] == 2  # every overdue step of both cases waits
    office.pakn.mailer = SmtpMailer(EmailSettings(host="127.0.0.1", port=port, sender="pakn@hanoi.example"))
    run_deadline_jobs(office.pakn, datetime.now(timezone.utc))
    assert [m["Subject"] for m in inbox.to("lan@caugiay.example")] == \
        [f"[PAKN Hà Nội] Phản ánh {mine} đã quá hạn"]
