"""The public read side and the reports on the real database, SQLite and PostgreSQL: the eligibility
rule, search over the masked text only, the status lookup row, API clients, report figures."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from intake.notifier import OutboxNotifier
from routing import services
from storage import public_queries as pq
from storage.catalogue_files import deadline_policy, load_catalogue
from storage.reports import Period, period_report
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import ROOT

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)
CATALOGUE = load_catalogue(ROOT / "catalogue")
CTX = services.CaseContext(CATALOGUE, deadline_policy(CATALOGUE))


def form(consent: bool) -> services.IntakeForm:
    return services.IntakeForm(text="Tôi là Nguyễn Văn An, 0912345678: đèn đường ngõ 10 hỏng",
                               procedure_id="do_thi_moi_truong", citizen_name="Nguyễn Văn An",
                               citizen_phone="0912345678", citizen_address="Số 5 ngõ 10 Trần Thái Tông",
                               ward="phường Cầu Giấy", publish_consent=consent)


def answered(uow: SqlUnitOfWork, consent: bool, at: datetime = NOW) -> str:
    notifier = OutboxNotifier(CATALOGUE)
    case = services.file_case(uow, CTX, None, form(consent), at, channel="hotline")
    services.forward_case(uow, notifier, CTX, case.code, "d", at)
    services.start_handling(uow, notifier, case.code, "c", at)
    services.answer_case(uow, notifier, case.code, "Đã thay bóng đèn cho ông Nguyễn Văn An.", "c",
                         at + timedelta(days=1))
    return case.code


def test_eligibility_search_and_lookup(session_factory) -> None:  # type: ignore[no-untyped-def]
    notifier = OutboxNotifier(CATALOGUE)
    with SqlUnitOfWork(session_factory) as uow:
        consented = answered(uow, True)
        services.publish_reviewed_case(uow, notifier, consented, "d", NOW + timedelta(days=2))
        refused = answered(uow, False)
        with pytest.raises(services.PublicationNotReviewed):
            services.publish_reviewed_case(uow, notifier, refused, "d", NOW)
        services.publish_case(uow, notifier, refused, "d", NOW)  # published, never reviewed
        uow.commit()
    with session_factory() as db:
        rows, total = pq.public_cases(db, pq.PublicFilter())
        assert total == 1 and [r["code"] for r in rows] == [consented]
        row = rows[0]
        assert "Nguyễn Văn An" not in str(row) and "0912345678" not in str(row)
        assert row["public_text"] == "Tôi là [họ tên], [số điện thoại]: đèn đường ngõ 10 hỏng"
        assert row["public_answer"] == "Đã thay bóng đèn cho ông [họ tên]."
        assert row["published_at"] == NOW + timedelta(days=2) and row["updated_at"] is not None
        assert pq.public_cases(db, pq.PublicFilter(q="DEN DUONG"))[1] == 1
        assert pq.public_cases(db, pq.PublicFilter(q="nguyen van an"))[1] == 0
        assert pq.public_case(db, refused) is None
        assert pq.public_facets(db) == {"agencies": ["ubnd_xa"], "wards": ["phường Cầu Giấy"]}
        lookup = pq.case_for_lookup(db, refused.lower())
        assert lookup is not None and lookup["phone"] == "0912345678" and not lookup["public"]
        assert [s["to_status"] for s in lookup["timeline"]] == [
            "received", "classified", "forwarded", "in_progress", "answered", "published"]


def test_api_clients(session_factory) -> None:  # type: ignore[no-untyped-def]
    with session_factory() as db:
        pq.insert_api_client(db, "cổng dịch vụ công", "a" * 64, NOW)
        db.commit()
        assert pq.api_client_by_key_hash(db, "a" * 64)["name"] == "cổng dịch vụ công"  # type: ignore[index]
        assert pq.api_client_by_key_hash(db, "b" * 64) is None
        with pytest.raises(IntegrityError):
            pq.insert_api_client(db, "cổng dịch vụ công", "c" * 64, NOW)


def test_report_figures(session_factory) -> None:  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(session_factory) as uow:
        code = answered(uow, False)  # no consent: closing needs no publication first
        services.close_case(uow, OutboxNotifier(CATALOGUE), code, "d", NOW + timedelta(days=1))
        services.record_rating(uow, code, "xu_ly_tich_cuc", 4, NOW + timedelta(days=1))
        uow.commit()
    with SqlUnitOfWork(session_factory) as uow:
        rows = period_report(uow.session, uow.calendar.load(), Period.parse("2026-11"),
                             NOW + timedelta(days=30))
    line = next(r for r in rows if (r.agency_id, r.procedure_id) == ("ubnd_xa", "do_thi_moi_truong"))
    # Friday 27/11 -> Saturday 28/11 (Hà Nội): no working day in between.
    assert (line.received, line.on_time, line.handling_days, line.satisfaction("xu_ly_tich_cuc")) == (
        1, 1, [0], 4.0)
