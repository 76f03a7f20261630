"""A citizen asks in the chat for a copy or the deletion of their data (Law 91/2025/QH15), on
SQLite and PostgreSQL: the request is tracked, open cases are explained, staff who may (focal
point, admin) see it in the console and close it, the citizen is told on their channel through the
outbox, and a deletion anonymises their ended cases like the retention job."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.scheduler import run_retention_job
from channels.base import IncomingMessage
from intake import messages as M
from routing import services
from routing.privacy import REMOVED_TEXT
from storage import outbox_queue
from tests.integration.console_support import Console, form, loaded, make_console

NAME = "Nguyễn Văn An"


@pytest.fixture
def office(database_url: str, tmp_path: Path, nlu_models_dir: Path) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, {"uploads": {"dir": str(tmp_path / "files")}},
                        database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def say(office: Console, sender: str, text: str) -> list[str]:
    outcome = office.pakn.pipeline.handle(IncomingMessage(
        "telegram", sender, f"{sender}-{datetime.now().timestamp()}", text,
        datetime.now(timezone.utc)))
    return [reply.text for reply in outcome.replies]


def citizen_with_cases(office: Console, sender: str) -> tuple[str, str]:
    """An ended (rejected) case and an open one, filed in the citizen's Telegram chat."""
    ended = office.file(form(name=NAME), sender=sender)
    still_open = office.file(form(name=NAME), sender=sender)
    office.run(lambda uow: services.reject_case(uow, office.pakn.notifier, ended,
                                                "Trùng phản ánh khác.", "daumoi",
                                                datetime.now(timezone.utc)))
    return ended, still_open


def request_rows(office: Console) -> list[Any]:
    return office.query("SELECT * FROM data_requests ORDER BY id")


def test_a_deletion_request_is_tracked_explained_and_carried_out_by_staff(office: Console) -> None:
    ended, still_open = citizen_with_cases(office, "8101")
    assert say(office, "8101", "xoa du lieu cua toi") == [
        M.DATA_DELETION_RECEIVED.format(number=1), M.DATA_DELETION_OPEN_CASES.format(codes=still_open)]
    assert say(office, "8101", "Xoá dữ liệu của tôi") == [M.DATA_REQUEST_PENDING.format(number=1)]
    (row,) = request_rows(office)
    assert (row.kind, row.status, row.channel) == ("deletion", "open", "telegram")

    assert office.client("caugiay").get("/console/data-requests").status_code == 403
    assert office.client("caugiay").get("/console/data-requests/1").status_code == 403
    staff = office.client("daumoi")
    listing = staff.get("/console/data-requests").get_data(as_text=True)
    assert 'data-request="1" data-status="open"' in listing and "Xoá dữ liệu" in listing
    page = staff.get("/console/data-requests/1").get_data(as_text=True)
    assert NAME in page and ended in page and "xoa du lieu cua toi" in page and "Đã xoá" in page

    done = staff.post("/console/data-requests/1/done", {"note": "Đã xoá theo yêu cầu."})
    assert done.status_code == 200 and "1 phản ánh đã ẩn danh, 1 phản ánh đang xử lý" in done.get_data(as_text=True)
    gone = office.query("SELECT * FROM cases WHERE code = :c", c=ended)[0]
    assert (gone.citizen_name, gone.citizen_phone, gone.text) == ("", "", REMOVED_TEXT)
    kept = office.query("SELECT * FROM cases WHERE code = :c", c=still_open)[0]
    assert (kept.citizen_name, kept.anonymised_at) == (NAME, None)
    told = office.query("SELECT * FROM outbox WHERE kind = 'data'")
    assert [(r.recipient_id, r.status, r.text) for r in told] == [("8101", "pending", M.DATA_DELETION_DONE.format(
        number=1, kept=M.DATA_DELETION_KEPT.format(codes=still_open),
        note=M.DATA_STAFF_NOTE.format(note="Đã xoá theo yêu cầu.")))]
    texts = office.query("SELECT text FROM messages WHERE direction = 'in' AND conversation_id = "
                         "(SELECT conversation_id FROM data_requests WHERE id = 1)")
    # The open case's conversation (from its filing on) is kept until it ends.
    assert {t.text for t in texts} == {"xoa du lieu cua toi", "Xoá dữ liệu của tôi"}
    (row,) = request_rows(office)
    assert (row.status, row.handled_by) == ("done", "daumoi")
    again = staff.post("/console/data-requests/1/done", {})
    assert "Yêu cầu này đã được xử lý trước đó." in again.get_data(as_text=True)
    assert len(office.query("SELECT * FROM outbox WHERE kind = 'data'")) == 1
    (audit,) = office.query("SELECT * FROM audit_log WHERE action = 'data_request_done'")
    assert (audit.username, audit.target_id) == ("daumoi", "1")

    # As the citizen was told: the kept case's data goes once its handling has ended.
    assert run_retention_job(office.pakn, datetime.now(timezone.utc))["cases"] == 0
    office.run(lambda uow: services.reject_case(uow, office.pakn.notifier, still_open, "Trùng.",
                                                "daumoi", datetime.now(timezone.utc)))
    assert run_retention_job(office.pakn, datetime.now(timezone.utc))["cases"] == 1
    assert office.query("SELECT citizen_name FROM cases WHERE code = :c", c=still_open)[0][0] == ""
    assert {t.text for t in office.query("SELECT text FROM messages WHERE direction = 'in'")} == {""}


def test_a_copy_request_is_answered_when_staff_have_provided_it(office: Console) -> None:
    assert say(office, "8102", "tôi muốn xem dữ liệu của tôi") == [M.DATA_COPY_RECEIVED.format(number=1)]
    staff = office.client("admin")
    assert "Cung cấp bản sao" in staff.get("/console/data-requests").get_data(as_text=True)
    staff.post("/console/data-requests/1/done", {})
    (told,) = office.query("SELECT * FROM outbox WHERE kind = 'data'")
    assert (told.recipient_id, told.text) == ("8102", M.DATA_COPY_DONE.format(number=1, note=""))
    assert request_rows(office)[0].status == "done"


def test_a_deletion_without_open_cases_forgets_the_chat_but_still_tells_the_citizen(
        office: Console) -> None:
    ended = office.file(form(name=NAME), sender="8103")
    office.run(lambda uow: services.reject_case(uow, office.pakn.notifier, ended, "Trùng.", "daumoi",
                                                datetime.now(timezone.utc)))
    assert say(office, "8103", "Hãy xoá hết thông tin cá nhân của tôi") == [
        M.DATA_DELETION_RECEIVED.format(number=1)]
    office.client("daumoi").post("/console/data-requests/1/done", {})
    (chat,) = office.query("SELECT * FROM conversations WHERE id = "
                           "(SELECT conversation_id FROM data_requests WHERE id = 1)")
    assert (chat.sender_id, chat.display_name) == (f"anon:{chat.id}", "")
    assert {m.text for m in office.query("SELECT text FROM messages WHERE conversation_id = :c "
                                         "AND direction = 'in'", c=chat.id)} == {""}
    pending = office.query("SELECT recipient_id, text FROM outbox WHERE conversation_id = :c "
                           "AND status = 'pending'", c=chat.id)
    assert pending == [("8103", M.DATA_DELETION_DONE.format(number=1, kept="", note=""))]
    assert office.query("SELECT citizen_name FROM cases WHERE code = :c", c=ended)[0][0] == ""


def test_a_deletion_also_removes_the_citizens_events_audit_details_and_training_example(
        office: Console) -> None:
    ended = office.file(form(name=NAME), sender="8104")
    note = f"Ông {NAME} gọi điện: hồ sơ là chứng thực"
    staff = office.client("daumoi")
    staff.post(f"/console/cases/{ended}/actions/reclassify", {"procedure_id": "chung_thuc", "note": note})
    office.run(lambda uow: services.reject_case(uow, office.pakn.notifier, ended, "Trùng.", "daumoi",
                                                datetime.now(timezone.utc)))
    for number, text in enumerate(("Tôi là Nguyễn Văn An, số 0912345678", "Xoá dữ liệu của tôi")):
        office.pakn.processor.accept(IncomingMessage("telegram", "8104", f"8104-{number}", text,
                                                     datetime.now(timezone.utc), sender_name=NAME))
    events = office.query("SELECT event FROM inbound WHERE sender_id = '8104'")
    assert [loaded(e.event)["sender_name"] for e in events] == [NAME, NAME]
    assert request_rows(office)[0].kind == "deletion"

    staff.post("/console/data-requests/1/done", {})

    assert office.query("SELECT * FROM inbound WHERE sender_id = '8104'") == []
    (audit,) = office.query("SELECT details FROM audit_log WHERE action = 'case_reclassify'")
    assert loaded(audit.details) == {"procedure_id": "chung_thuc", "note": REMOVED_TEXT}
    assert office.query("SELECT text, procedure_id FROM labelled_examples") == [(REMOVED_TEXT, "chung_thuc")]
    # The confirmation still reaches the citizen; once it has, the next run forgets whom it went to.
    (told,) = office.query("SELECT * FROM outbox WHERE kind = 'data'")
    assert (told.recipient_id, told.status) == ("8104", "pending")
    factory, now = office.pakn.session_factory, datetime.now(timezone.utc)
    assert [c.id for c in outbox_queue.claim(factory, "test-worker", now, 60, 10)] == [told.id]
    assert outbox_queue.mark_sent(factory, told.id, "test-worker", now, ["m-1"])
    run_retention_job(office.pakn, now)
    (told,) = office.query("SELECT * FROM outbox WHERE kind = 'data'")
    assert (told.recipient_id, told.text, told.status) == ("", "", "sent")
    assert request_rows(office)[0].status == "done"  # the request itself stays: it was handled


def test_a_case_kept_at_a_deletion_goes_once_it_ends_even_with_no_retention_period(
        database_url: str, tmp_path: Path, nlu_models_dir: Path) -> None:
    office = make_console(tmp_path, nlu_models_dir, {"uploads": {"dir": str(tmp_path / "files")},
                                                     "privacy": {"retention_months": 0}},
                          database_url=database_url)
    try:
        still_open = office.file(form(name=NAME), sender="8105")
        say(office, "8105", "Xoá dữ liệu của tôi")
        office.client("daumoi").post("/console/data-requests/1/done", {})
        name = "SELECT citizen_name FROM cases WHERE code = :c"
        assert office.query(name, c=still_open)[0][0] == NAME
        office.run(lambda uow: services.reject_case(uow, office.pakn.notifier, still_open, "Trùng.",
                                                    "daumoi", datetime.now(timezone.utc)))
        # As the citizen was told, although cases are otherwise kept (retention_months: 0).
        assert run_retention_job(office.pakn, datetime.now(timezone.utc))["cases"] == 1
        assert office.query(name, c=still_open)[0][0] == ""
    finally:
        office.pakn.engine.dispose()
