"""A contact detail the bot kept as typed after asking twice is marked for staff: the mark is stored
with the case (its 'received' event, on SQLite and PostgreSQL) and shown on the case page."""
from __future__ import annotations

from dataclasses import replace

from routing import services
from storage.unit_of_work import SqlUnitOfWork
from tests.integration.console_support import Console, console, form  # noqa: F401
from tests.integration.test_storage import CTX, FORM, NOW


def test_the_mark_is_stored_with_the_case(session_factory) -> None:  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(session_factory) as uow:
        conversation = uow.conversations.get_or_create("zalo", "4242")
        code = services.file_case(uow, CTX, conversation,
                                  replace(FORM, citizen_name="Na", to_check=("name", "address")), NOW).code
        uow.commit()
    with SqlUnitOfWork(session_factory) as uow:
        case = services.lookup_case(uow, code)
        received = next(e for e in case.events if e.to_status == "received")
        assert received.data["to_check"] == ["name", "address"]
        assert case.citizen_name == "Na"


def test_staff_see_what_to_check_on_the_case_page(console: Console) -> None:
    marked = console.file(replace(form(name="Na"), to_check=("name",)), sender="501")
    plain = console.file(form(), sender="502")
    staff = console.client("daumoi")
    page = staff.get(f"/console/cases/{marked}").text
    assert "Cần kiểm tra: họ tên chưa xác định" in page
    assert 'id="to-check"' in page
    assert "Cần kiểm tra" not in staff.get(f"/console/cases/{plain}").text
