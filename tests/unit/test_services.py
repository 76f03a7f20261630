"""The case services on the in-memory fakes of the ports (no database): what the citizen and staff
would see after each use case — the case's status, its deadlines, the message queued to the
citizen, the notifications staff get."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from intake.notifier import OutboxNotifier
from routing import jobs, services
from routing.model import CaseStatus, DomainError, InvalidTransition, MissingContactData
from storage.catalogue_files import calendar_entries, deadline_policy, load_catalogue
from tests.conftest import ROOT
from tests.unit.fakes import FakeData, FakeUnitOfWork, RecordingNotifier

# Friday 27/11/2026, 10:00 in Hà Nội.
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)
CATALOGUE = load_catalogue(ROOT / "catalogue")
CTX = services.CaseContext(CATALOGUE, deadline_policy(CATALOGUE))
FORM = services.IntakeForm(text="Hồ sơ khai sinh 3 tuần chưa có kết quả", procedure_id="ho_tich",
                           citizen_name="Nguyễn Văn An", citizen_phone="0912345678",
                           citizen_address="Số 5 ngõ 10 Trần Thái Tông", ward="phường Cầu Giấy")


def new_uow() -> FakeUnitOfWork:
    """An empty database with the catalogue's working-day calendar, as `make setup` seeds it."""
    data = FakeData(calendar={day: (working, reason)
                              for day, working, reason in calendar_entries(ROOT / "catalogue")})
    return FakeUnitOfWork(data)


def file_one(uow: FakeUnitOfWork, sender: str = "42", form: services.IntakeForm = FORM) -> str:
    with uow:
        conversation = uow.conversations.get_or_create("telegram", sender)
        code = services.file_case(uow, CTX, conversation, form, NOW).code
        uow.commit()
    return code


def forwarded(uow: FakeUnitOfWork, notifier: RecordingNotifier | OutboxNotifier) -> str:
    code = file_one(uow)
    with uow:
        services.forward_case(uow, notifier, CTX, code, "daumoi", NOW + timedelta(hours=1))
        services.start_handling(uow, notifier, code, "canbo", NOW + timedelta(hours=2))
        uow.commit()
    return code


def outbox_texts(uow: FakeUnitOfWork) -> list[str]:
    return [row.text for row in uow.committed.outbox]


def test_open_case_gives_a_tracking_code_agency_and_legal_deadline() -> None:
    uow = new_uow()
    code = file_one(uow)
    with uow:
        case = services.lookup_case(uow, code.lower())
    assert code == "PAKN-2026-000001"
    assert (case.status, case.agency_id, case.ward) == (CaseStatus.CLASSIFIED, "ubnd_xa",
                                                          "phường Cầu Giấy")
    # 15 working days after Friday 27/11/2026: Friday 18/12/2026, 17:00 Hà Nội time.
    assert case.due_at == datetime(2026, 12, 18, 10, 0, tzinfo=timezone.utc)
    assert [(d.step, d.working_days) for d in case.deadlines] == [
        ("classify_and_forward", 5), ("answer", 15), ("publish_result", 20)]
    assert file_one(uow, "43") == "PAKN-2026-000002"


def test_a_case_without_a_phone_number_is_not_received_and_nothing_is_kept() -> None:
    uow = new_uow()
    form = services.IntakeForm(FORM.text, "ho_tich", "Nguyễn Văn An", " ", "Số 5 Trần Thái Tông")
    with pytest.raises(MissingContactData, match="số điện thoại"):
        file_one(uow, form=form)
    assert uow.committed.cases == {}
    assert file_one(uow) == "PAKN-2026-000001"  # the failed attempt used no code


def test_transfer_moves_the_case_and_tells_the_citizen_why() -> None:
    uow, notifier = new_uow(), OutboxNotifier(CATALOGUE)
    code = forwarded(uow, notifier)
    with uow:
        case = services.transfer_case(uow, notifier, CTX, code, "so_tu_phap", "Thuộc thẩm quyền Sở",
                                      "canbo", NOW + timedelta(hours=3), note="nội bộ")
        uow.commit()
    assert (case.status, case.agency_id) == (CaseStatus.FORWARDED, "so_tu_phap")
    pushed = outbox_texts(uow)[-1]
    assert pushed.startswith(f"Phản ánh {code} đã được chuyển tới Sở Tư pháp")
    assert "Lý do: Thuộc thẩm quyền Sở" in pushed and "nội bộ" not in pushed
    transfer = case.events[-1]
    assert (transfer.data["from_agency"], transfer.data["reason"]) == ("ubnd_xa", "Thuộc thẩm quyền Sở")


def test_a_transfer_without_a_reason_changes_nothing() -> None:
    uow, notifier = new_uow(), RecordingNotifier()
    code = forwarded(uow, notifier)
    with uow, pytest.raises(DomainError, match="reason"):
        services.transfer_case(uow, notifier, CTX, code, "so_tu_phap", "  ", "canbo", NOW)
    assert uow.committed.cases[code].agency_id == "ubnd_xa"
    assert notifier.events == [(code, "forwarded"), (code, "in_progress")]


def test_answer_reaches_the_citizen_in_full_and_meets_the_answer_deadline() -> None:
    uow, notifier = new_uow(), OutboxNotifier(CATALOGUE)
    code = forwarded(uow, notifier)
    answered_at = NOW + timedelta(days=5)
    with uow:
        services.answer_case(uow, notifier, code, "  Đã cấp giấy khai sinh ngày 01/12.  ", "canbo",
                             answered_at, note="gọi điện trước")
        uow.commit()
    case = uow.committed.cases[code]
    assert case.status == CaseStatus.ANSWERED
    assert case.deadline("answer").met_at == answered_at  # type: ignore[union-attr]
    row = uow.committed.outbox[-1]
    assert (row.kind, row.case_code, row.recipient_id, row.status) == ("status", code, "42", "pending")
    assert "Đã cấp giấy khai sinh ngày 01/12." in row.text and "gọi điện" not in row.text
    # The citizen's next message is read as a dispute of this answer.
    assert uow.committed.conversations[0].state == "after_answer"


def test_close_needs_publication_or_a_reason_when_the_citizen_consented() -> None:
    uow, notifier = new_uow(), RecordingNotifier()
    form = services.IntakeForm(FORM.text, "ho_tich", FORM.citizen_name, FORM.citizen_phone,
                               FORM.citizen_address, ward=FORM.ward, publish_consent=True)
    code = file_one(uow, form=form)
    with uow:
        services.forward_case(uow, notifier, CTX, code, "daumoi", NOW)
        services.start_handling(uow, notifier, code, "canbo", NOW)
        services.answer_case(uow, notifier, code, "Đã giải quyết.", "canbo", NOW)
        uow.commit()
    closed_at = NOW + timedelta(days=1)
    with uow:
        with pytest.raises(services.PublicationRequired):
            services.close_case(uow, notifier, code, "canbo", closed_at)
        services.close_case(uow, notifier, code, "canbo", closed_at, unpublished_reason="Bí mật đời tư")
        uow.commit()
    case = uow.committed.cases[code]
    assert (case.status, case.closed_at) == (CaseStatus.CLOSED, closed_at)
    assert case.events[-1].data == {"unpublished_reason": "Bí mật đời tư"}


def test_reopen_counts_a_new_answer_deadline_from_the_dispute() -> None:
    uow, notifier = new_uow(), OutboxNotifier(CATALOGUE)
    code = forwarded(uow, notifier)
    with uow:
        services.answer_case(uow, notifier, code, "Đã giải quyết.", "canbo", NOW + timedelta(days=2))
        services.close_case(uow, notifier, code, "canbo", NOW + timedelta(days=3))
        uow.commit()
    disputed_at = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)  # Monday 07/12/2026, 09:00
    with uow:
        services.reopen_case(uow, notifier, CTX, code, "Chưa nhận được giấy", "citizen", disputed_at)
        uow.commit()
    case = uow.committed.cases[code]
    assert (case.status, case.closed_at) == (CaseStatus.REOPENED, None)
    assert case.due_at is not None and case.due_at > disputed_at + timedelta(days=14)
    assert case.deadline("answer").starts_at == disputed_at  # type: ignore[union-attr]
    assert outbox_texts(uow)[-1].startswith(
        f"Phản ánh {code} được xem xét lại. Hạn trả lời mới: {case.due_at.strftime('%d/%m/%Y')}")


def test_an_invalid_transition_is_refused_and_tells_nobody() -> None:
    uow, notifier = new_uow(), RecordingNotifier()
    code = file_one(uow)
    with uow, pytest.raises(InvalidTransition):
        services.answer_case(uow, notifier, code, "Trả lời", "canbo", NOW)
    assert notifier.events == []
    assert uow.committed.cases[code].status == CaseStatus.CLASSIFIED


def test_due_reminders_go_once_to_the_assigned_unit() -> None:
    uow, notifier = new_uow(), RecordingNotifier()
    code = file_one(uow)
    # The forwarding step (5 working days) is due Friday 04/12; Thursday 03/12 it is due soon.
    thursday = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)
    with uow:
        assert jobs.send_due_reminders(uow, CTX.policy, thursday) == 1
        assert jobs.send_due_reminders(uow, CTX.policy, thursday + timedelta(hours=1)) == 0
        uow.commit()
    [reminder] = uow.committed.staff_notifications
    assert (reminder.agency_id, reminder.kind, reminder.case_code) == ("ubnd_xa", "due_soon", code)
    assert reminder.data["step"] == "classify_and_forward"
    with uow:
        services.forward_case(uow, notifier, CTX, code, "daumoi", thursday)
        assert jobs.escalate_overdue(uow, thursday + timedelta(days=30)) == 2  # answer, publish_result
        uow.commit()


def test_surveys_start_once_after_closure() -> None:
    uow, notifier = new_uow(), RecordingNotifier()
    code = forwarded(uow, notifier)
    with uow:
        services.answer_case(uow, notifier, code, "Đã giải quyết.", "canbo", NOW)
        services.close_case(uow, notifier, code, "canbo", NOW)
        assert jobs.start_surveys(uow, notifier, NOW) == 1
        uow.commit()
    with uow:
        assert jobs.start_surveys(uow, notifier, NOW) == 0
        assert services.record_rating(uow, code, "xu_ly_tich_cuc", 5, NOW) is True
        assert services.record_rating(uow, code, "xu_ly_tich_cuc", 4, NOW) is False
    assert notifier.surveys == [code]


def test_work_that_is_not_committed_is_lost() -> None:
    uow, notifier = new_uow(), RecordingNotifier()
    code = forwarded(uow, notifier)
    with uow:
        services.answer_case(uow, notifier, code, "Đã giải quyết.", "canbo", NOW)
    with uow:
        assert services.lookup_case(uow, code).status == CaseStatus.IN_PROGRESS
