"""How staff are reached (issue 16): each staff member sets their own e-mail address on 'Tài khoản
của tôi' (an admin may set it when editing an account), checked, with Vietnamese messages, and the
daily digest then reaches it through a real SMTP server; a staff member links a Telegram chat with
a one-time code sent to the bot, and overdue escalations and delivery failures of their unit are
queued to that chat through the outbox. SQLite and PostgreSQL."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from bot.scheduler import run_deadline_jobs, run_digest_job
from channels.base import IncomingMessage
from routing import staff_alerts
from routing.model import OutboxItem
from storage import outbox_queue
from tests.integration.console_support import BA_DINH, Console, days_ago, form, make_console
from tests.integration.test_staff_notifications import Inbox, smtp  # noqa: F401 (the fixture)

ACCOUNT = "/console/tai-khoan"
BOT = "pakn_hanoi_bot"
CODE = re.compile(r'id="link-command">/lienket ([A-Z0-9]+)<')


@pytest.fixture
def office(database_url: str, tmp_path: Path, nlu_models_dir: Path,
           smtp: tuple[Inbox, int]) -> Iterator[Console]:  # noqa: F811
    settings = {"email": {"host": "127.0.0.1", "port": smtp[1], "from": "pakn@hanoi.example",
                          "base_url": "https://pakn.hanoi.example"},
                # the bot is configured (its API is never reached: nothing is dispatched here)
                "channels": {"telegram": {"bot_token": "123:abc", "webhook_secret": "s",
                                          "api_url": "http://127.0.0.1:9", "username": BOT}}}
    made = make_console(tmp_path, nlu_models_dir, extra=settings, database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def email_of(console: Console, username: str) -> str | None:
    return console.query("SELECT email FROM users WHERE username = :u", u=username)[0][0]


def test_staff_set_their_own_email_and_the_digest_reaches_it(office: Console,
                                                             smtp: tuple[Inbox, int]) -> None:  # noqa: F811
    officer = office.client("caugiay")
    page = officer.get("/console/inbox").text
    assert 'href="/console/tai-khoan"' in page and "Tài khoản của tôi" in page
    for bad in ("lan caugiay@hanoi.gov.vn", "lan@", "lan@caugiay", "a@b.vn, c@d.vn", "lan..x@hanoi.gov.vn"):
        refused = html.unescape(officer.post(f"{ACCOUNT}/email", {"email": bad}).text)
        assert f"Địa chỉ e-mail «{bad}» không hợp lệ" in refused, bad
        assert email_of(office, "caugiay") is None
    too_long = html.unescape(officer.post(f"{ACCOUNT}/email", {"email": "a" * 250 + "@hanoi.gov.vn"}).text)
    assert "Địa chỉ e-mail dài quá 255 ký tự." in too_long
    saved = html.unescape(officer.post(f"{ACCOUNT}/email", {"email": "  Lan.Nguyen@CauGiay.HaNoi.gov.vn "}).text)
    assert "Đã lưu địa chỉ e-mail." in saved
    assert email_of(office, "caugiay") == "Lan.Nguyen@caugiay.hanoi.gov.vn"
    assert 'value="Lan.Nguyen@caugiay.hanoi.gov.vn"' in officer.get(ACCOUNT).text

    inbox, _ = smtp
    office.file(form(text="Hồ sơ khai sinh cho con nộp đã 2 tháng chưa có kết quả"), sender="1",
                received=days_ago(60))
    run_digest_job(office.pakn, datetime.now(timezone.utc))
    [digest] = inbox.to("Lan.Nguyen@caugiay.hanoi.gov.vn")
    assert digest["Subject"].startswith("[PAKN Hà Nội] Tổng hợp ngày ")
    assert "UBND phường Cầu Giấy" in digest.get_content()

    removed = html.unescape(officer.post(f"{ACCOUNT}/email", {"email": ""}).text)
    assert "Đã xóa địa chỉ e-mail" in removed and email_of(office, "caugiay") is None
    audit = office.query("SELECT action FROM audit_log WHERE action = 'email_change'")
    assert len(audit) == 2


def test_an_admin_sets_an_accounts_email_when_editing_it(office: Console) -> None:
    admin = office.client("admin")
    target = office.query("SELECT id FROM users WHERE username = 'badinh'")[0][0]
    unit = {"role": "agency_staff", "agency_id": "ubnd_xa", "ward": BA_DINH}
    refused = html.unescape(admin.post(f"/console/admin/users/{target}/role",
                                       {**unit, "email": "binh(at)badinh"}).text)
    assert "Địa chỉ e-mail «binh(at)badinh» không hợp lệ" in refused
    assert email_of(office, "badinh") is None
    done = html.unescape(admin.post(f"/console/admin/users/{target}/role",
                                    {**unit, "email": "binh@badinh.hanoi.gov.vn"}).text)
    assert "Đã cập nhật vai trò và đơn vị của tài khoản badinh." in done
    assert email_of(office, "badinh") == "binh@badinh.hanoi.gov.vn"
    assert 'value="binh@badinh.hanoi.gov.vn"' in admin.get("/console/admin/users").text
    admin.post(f"/console/admin/users/{target}/role", {**unit, "email": ""})
    assert email_of(office, "badinh") is None


def send_to_bot(console: Console, chat: str, text: str) -> list[str]:
    """The bot's replies to a Telegram message from `chat` (queued in the outbox)."""
    incoming = IncomingMessage("telegram", chat, f"m-{chat}-{datetime.now().timestamp()}", text,
                               datetime.now(timezone.utc))
    return [reply.text for reply in console.pakn.pipeline.handle(incoming).replies]


def link_code(console: Console, client: object) -> str:
    page = client.post(f"{ACCOUNT}/telegram", {"action": "code"}).text  # type: ignore[attr-defined]
    assert f'href="https://t.me/{BOT}?start=nv_' in page
    return CODE.search(page).group(1)  # type: ignore[union-attr]


def test_staff_link_telegram_with_a_one_time_code(office: Console) -> None:
    officer = office.client("caugiay")
    assert "Chưa liên kết Telegram." in officer.get(ACCOUNT).text
    code = link_code(office, officer)
    assert office.query("SELECT telegram_link_hash FROM users WHERE username = 'caugiay'")[0][0] \
        == staff_alerts.code_hash(code)  # only the hash is kept
    assert send_to_bot(office, "777001", "/lienket SAI12345") == [staff_alerts.LINK_REFUSED]
    [linked] = send_to_bot(office, "777001", f"/start nv_{code}")  # the deep link's message
    assert linked.startswith("Đã liên kết Telegram với tài khoản caugiay")
    assert office.query("SELECT telegram_chat_id FROM users WHERE username = 'caugiay'")[0][0] == "777001"
    assert "Đã liên kết Telegram" in officer.get(ACCOUNT).text
    # The code is spent; an expired one is refused too.
    assert send_to_bot(office, "777002", f"/lienket {code}") == [staff_alerts.LINK_REFUSED]
    other = office.client("badinh")
    late = link_code(office, other)
    with office.pakn.engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET telegram_link_expires_at = :t WHERE username = 'badinh'"),
                           {"t": datetime.now(timezone.utc) - timedelta(minutes=1)})
    assert send_to_bot(office, "777003", f"/lienket {late}") == [staff_alerts.LINK_REFUSED]
    # The bot's ordinary dialogue is untouched for a citizen who writes '/start'.
    assert staff_alerts.LINK_REFUSED not in send_to_bot(office, "777004", "/start")
    officer.post(f"{ACCOUNT}/telegram", {"action": "unlink"})
    assert office.query("SELECT telegram_chat_id FROM users WHERE username = 'caugiay'")[0][0] is None


def test_overdue_escalations_and_delivery_failures_go_to_linked_chats(office: Console) -> None:
    officer, focal = office.client("caugiay"), office.client("daumoi")
    send_to_bot(office, "880001", f"/lienket {link_code(office, officer)}")
    send_to_bot(office, "880002", f"/lienket {link_code(office, focal)}")
    mine = office.file(form(text="Hồ sơ khai sinh cho con nộp đã 2 tháng chưa có kết quả"), sender="1",
                       received=days_ago(60))
    other = office.file(form(ward=BA_DINH), sender="2", received=days_ago(60))
    now = datetime.now(timezone.utc)
    counts = run_deadline_jobs(office.pakn, now)
    assert counts["telegram_alerts"] >= 3

    def alerts(chat: str) -> list[str]:
        return [r.text for r in office.query("SELECT text FROM outbox WHERE recipient_id = :c "
                                             "AND kind = 'staff_alert' ORDER BY id", c=chat)]

    lan = alerts("880001")
    assert lan and all(mine in text and other not in text for text in lan)
    assert len(lan) == 1  # one message for the case, every overdue step in it
    assert lan[0].startswith(f"⚠️ Phản ánh {mine} đã quá hạn: bước «Phân loại, chuyển cơ quan xử lý» (hạn ")
    assert "UBND phường Cầu Giấy" in lan[0]
    assert lan[0].endswith(f"\nhttps://pakn.hanoi.example/console/cases/{mine}")
    focal_alerts = alerts("880002")
    assert any(mine in t for t in focal_alerts) and any(other in t for t in focal_alerts)
    assert office.query("SELECT COUNT(*) FROM outbox WHERE kind = 'staff_alert' AND conversation_id "
                        "IS NOT NULL")[0][0] == 0  # not a conversation: never in the inbox
    case_page = html.unescape(officer.get(f"/console/cases/{mine}").text)
    assert "đã quá hạn: bước" not in case_page  # staff alerts are not messages to the citizen
    before = len(alerts("880001"))
    run_deadline_jobs(office.pakn, now + timedelta(minutes=10))
    assert len(alerts("880001")) == before  # nothing twice

    # A message to the citizen of `mine` fails for good: the ward officer hears of it on Telegram.
    office.run(lambda uow: uow.outbox.add(OutboxItem(None, "telegram", "1", "Phản ánh đã được chuyển.",
                                                     now, kind="status", case_code=mine)))
    row = office.query("SELECT id FROM outbox WHERE case_code = :c AND kind = 'status'", c=mine)[0][0]
    claim_and_fail(office, row, "Forbidden: bot was blocked by the user")
    run_deadline_jobs(office.pakn, now + timedelta(minutes=20))
    failed = [t for t in alerts("880001") if "không gửi được" in t]
    assert len(failed) == 1 and mine in failed[0] and "bot was blocked" in failed[0]

    # An alert to staff that fails raises no alert about itself.
    alert_row = office.query("SELECT id FROM outbox WHERE kind = 'staff_alert' ORDER BY id LIMIT 1")[0][0]
    claim_and_fail(office, alert_row, "Forbidden: bot was blocked by the user")
    assert office.query("SELECT COUNT(*) FROM staff_notifications WHERE dedupe_key = :k",
                        k=f"delivery_failed:{alert_row}")[0][0] == 0


def claim_and_fail(console: Console, row_id: int, reason: str) -> None:
    """What the dispatcher does with a permanent refusal, on one chosen row."""
    factory = sessionmaker(console.pakn.engine)
    with console.pakn.engine.begin() as connection:
        connection.execute(sa.text("UPDATE outbox SET status = 'sending', locked_by = 'test' WHERE id = :i"),
                           {"i": row_id})
    assert outbox_queue.mark_failed(factory, row_id, "test", datetime.now(timezone.utc), reason, "403")
