"""The public site: only eligible cases are shown (published/closed, consent or masking review,
masked text), search with or without diacritics, filters and pages, the status lookup (code + last
four phone digits, one generic error, rate limit), and the staff masking-review page."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from routing import services
from routing.calendar import VIETNAM
from routing.model import CaseStatus
from tests.integration.console_support import CAU_GIAY, Console, days_ago, make_console

ANSWER = ("UBND phường Cầu Giấy trả lời ông Nguyễn Văn An (0912345678): giấy khai sinh đã được cấp "
          "ngày 02/12/2026, mời ông đến nhận tại bộ phận một cửa.")
TEXT = ("Tôi là Nguyễn Văn An, số điện thoại 0912 345 678, CCCD 001092001234. Hồ sơ khai sinh cho con "
        "nộp tại UBND phường Cầu Giấy đã 3 tuần chưa có kết quả, đèn đường ngõ 10 cũng hỏng.")


def intake(text: str = TEXT, consent: bool = True, procedure: str = "ho_tich", ward: str | None = CAU_GIAY,
           name: str = "Nguyễn Văn An", phone: str = "0912345678",
           address: str = "Số 5 ngõ 10 Trần Thái Tông") -> services.IntakeForm:
    return services.IntakeForm(text=text, procedure_id=procedure, citizen_name=name, citizen_phone=phone,
                               citizen_address=address, ward=ward, publish_consent=consent)


def file_and_answer(console: Console, form: services.IntakeForm, received: datetime | None = None,
                    answer: str = ANSWER, sender: str = "s") -> str:
    """File a case and take it to 'answered' through the services."""
    pakn = console.pakn
    at = received or datetime.now(timezone.utc)
    code = console.file(form, channel=None, sender=sender, received=at)
    with pakn.uow() as uow:
        services.forward_case(uow, pakn.notifier, pakn.ctx, code, "daumoi", at)
        services.start_handling(uow, pakn.notifier, code, "canbo", at)
        services.answer_case(uow, pakn.notifier, code, answer, "canbo", at + timedelta(hours=1))
        uow.commit()
    return code


def publish(console: Console, code: str) -> None:
    pakn = console.pakn
    with pakn.uow() as uow:
        services.publish_reviewed_case(uow, pakn.notifier, code, "daumoi", datetime.now(timezone.utc))
        uow.commit()


def review(console: Console, code: str, text: str, answer: str | None = None) -> None:
    with console.pakn.uow() as uow:
        services.review_publication(uow, code, text, answer, "daumoi", datetime.now(timezone.utc))
        uow.commit()


def published_case(console: Console, form: services.IntakeForm | None = None, **kwargs: Any) -> str:
    code = file_and_answer(console, form or intake(), **kwargs)
    publish(console, code)
    return code


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, nlu_models_dir: Path) -> Iterator[Console]:
    made = make_console(tmp_path_factory.mktemp("public"), nlu_models_dir,
                        {"public": {"lookup_attempts": 5, "lookup_window_seconds": 600}})
    yield made
    made.pakn.engine.dispose()


def listed_codes(console: Console, **params: str) -> list[str]:
    page = console.app.test_client().get("/cong-khai", query_string=params)
    assert page.status_code == 200
    return re.findall(r'class="code" href="/cong-khai/(PAKN-\d{4}-\d{6})"', page.text)


def test_only_eligible_cases_are_public(site: Console) -> None:
    consented = published_case(site)
    reviewed_only = file_and_answer(site, intake(consent=False))
    with site.pakn.uow() as uow, pytest.raises(services.PublicationNotReviewed):
        services.publish_reviewed_case(uow, site.pakn.notifier, reviewed_only, "d",
                                       datetime.now(timezone.utc))
    review(site, reviewed_only, "Hồ sơ khai sinh quá hạn ở phường Cầu Giấy.", "Đã cấp giấy khai sinh.")
    publish(site, reviewed_only)
    # Published through the plain service (no consent, no review, no masked text): never public.
    plain = file_and_answer(site, intake(consent=False))
    with site.pakn.uow() as uow:
        services.publish_case(uow, site.pakn.notifier, plain, "d", datetime.now(timezone.utc))
        uow.commit()
    still_open = site.file(intake(), channel=None, sender="open")
    closed_unmasked = file_and_answer(site, intake())
    with site.pakn.uow() as uow:
        services.close_case(uow, site.pakn.notifier, closed_unmasked, "d", datetime.now(timezone.utc),
                            unpublished_reason="Công dân đề nghị chưa công khai")
        uow.commit()
    reopened = published_case(site)
    with site.pakn.uow() as uow:
        services.reopen_case(uow, site.pakn.notifier, site.pakn.ctx, reopened, "Chưa thỏa đáng", "d",
                             datetime.now(timezone.utc))
        uow.commit()

    shown = listed_codes(site)
    assert consented in shown and reviewed_only in shown
    for hidden in (plain, still_open, closed_unmasked, reopened):
        assert hidden not in shown
        assert site.app.test_client().get(f"/cong-khai/{hidden}").status_code == 404
    detail = site.app.test_client().get(f"/cong-khai/{consented}")
    assert detail.status_code == 200
    assert "Hồ sơ khai sinh cho con" in detail.text and "[họ tên]" in detail.text
    assert "Nguyễn Văn An" not in detail.text and "0912" not in detail.text
    assert "001092001234" not in detail.text

    review(site, closed_unmasked, "Hồ sơ khai sinh quá hạn (đã kết thúc).")  # reviewed: now public
    assert closed_unmasked in listed_codes(site)


def test_search_with_and_without_diacritics_only_in_published_text(site: Console) -> None:
    code = published_case(site, intake(text="Đèn chiếu sáng ở đầu ngõ Thổ Quan bị hỏng, tôi là Trần "
                                            "Thị Hoa nhờ xem xét.", procedure="do_thi_moi_truong",
                                       name="Trần Thị Hoa"))
    for query in ("đèn chiếu sáng", "den chieu sang", "DEN CHIEU", "thổ quan", "tho quan"):
        assert code in listed_codes(site, q=query), query
    for query in ("Trần Thị Hoa", "tran thi hoa", "0912345678", "Trần Thái Tông"):  # personal data
        assert code not in listed_codes(site, q=query), query
    assert listed_codes(site, q="không có từ này") == []


def test_filters_and_pages(site: Console) -> None:
    old = published_case(site, intake(procedure="dat_dai", ward="phường Ba Đình",
                                      text="Hồ sơ cấp sổ đỏ lần đầu bị trả lại"),
                         received=days_ago(40), sender="old")
    assert listed_codes(site, linh_vuc="dat_dai") == [old]
    assert listed_codes(site, phuong="phường Ba Đình") == [old]
    assert listed_codes(site, co_quan="so_nnmt") == [old]
    since = (datetime.now(timezone.utc) - timedelta(days=10)).date().isoformat()
    assert old not in listed_codes(site, tu_ngay=since)
    until = (datetime.now(timezone.utc) - timedelta(days=30)).date().isoformat()
    assert listed_codes(site, den_ngay=until) == [old]
    for number in range(21):
        published_case(site, intake(text=f"Rác thải tồn đọng điểm số {number} chưa được thu gom",
                                    procedure="do_thi_moi_truong"), sender=f"p{number}")
    first = listed_codes(site, q="rac thai ton dong")
    second = listed_codes(site, q="rac thai ton dong", trang="2")
    assert len(first) == 20 and len(second) == 1 and not set(first) & set(second)
    page = site.app.test_client().get("/cong-khai", query_string={"q": "rac thai ton dong"}).text
    assert "Trang 1/2" in page and "trang=2" in page


def test_pages_are_vietnamese_mobile_and_self_contained(site: Console) -> None:
    client = site.app.test_client()
    code = published_case(site)
    for url in ("/cong-khai", f"/cong-khai/{code}", "/tra-cuu"):
        page = client.get(url).text
        assert '<html lang="vi">' in page and 'name="viewport"' in page
        assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from another host
        assert "<script" not in page
    css = client.get("/cong-khai/static/public.css")
    assert css.status_code == 200 and "@import" not in css.text and "url(" not in css.text
    assert "Kết quả giải quyết phản ánh, kiến nghị" in client.get("/cong-khai").text


def test_status_lookup_needs_code_and_phone_digits(site: Console) -> None:
    code = site.file(intake(phone="0987654321"), channel=None, sender="lookup")
    client = site.app.test_client()
    found = client.post("/tra-cuu", data={"code": code.lower(), "phone_last4": "4321"},
                        environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert found.status_code == 200
    assert "Đã phân loại, chờ chuyển cơ quan xử lý" in found.text and "Hộ tịch" in found.text
    assert "UBND phường Cầu Giấy" in found.text
    assert "Nguyễn Văn An" not in found.text and "0987654321" not in found.text
    wrong_digits = client.post("/tra-cuu", data={"code": code, "phone_last4": "1234"},
                               environ_base={"REMOTE_ADDR": "10.0.0.2"})
    unknown = client.post("/tra-cuu", data={"code": "PAKN-2026-999999", "phone_last4": "4321"},
                          environ_base={"REMOTE_ADDR": "10.0.0.3"})
    assert wrong_digits.status_code == unknown.status_code == 404

    def error_of(page: Any) -> str:
        return re.search(r'id="lookup-error">([^<]*)<', page.text).group(1)  # type: ignore[union-attr]

    assert error_of(wrong_digits) == error_of(unknown)
    assert "Hộ tịch" not in wrong_digits.text and "Cầu Giấy" not in wrong_digits.text
    assert client.post("/tra-cuu", data={"code": code}).status_code == 400


def test_status_lookup_is_rate_limited_per_address(site: Console) -> None:
    code = site.file(intake(phone="0987654321"), channel=None, sender="limit")
    client = site.app.test_client()
    for digit in range(5):
        response = client.post("/tra-cuu", data={"code": code, "phone_last4": f"000{digit}"},
                               environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert response.status_code == 404
    blocked = client.post("/tra-cuu", data={"code": code, "phone_last4": "4321"},
                          environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert blocked.status_code == 429 and "quá nhiều lần" in blocked.text
    other = client.post("/tra-cuu", data={"code": code, "phone_last4": "4321"},
                        environ_base={"REMOTE_ADDR": "10.9.9.10"})
    assert other.status_code == 200


def test_staff_review_page_masks_then_publishes(site: Console) -> None:
    code = file_and_answer(site, intake(consent=False))
    anonymous = site.app.test_client().get(f"/console/cong-khai/{code}")
    assert anonymous.status_code == 302 and "/console/login" in anonymous.headers["Location"]
    assert site.client("caugiay").get(f"/console/cong-khai/{code}").status_code == 403
    staff = site.client("daumoi")
    page = staff.get(f"/console/cong-khai/{code}")
    assert page.status_code == 200
    draft = re.search(r'name="public_text"[^>]*>([^<]*)<', page.text).group(1)  # type: ignore[union-attr]
    assert "[họ tên]" in draft and "[số điện thoại]" in draft and "Nguyễn Văn An" not in draft
    edited = "Hồ sơ khai sinh cho con nộp tại UBND phường Cầu Giấy đã 3 tuần chưa có kết quả."
    done = staff.post(f"/console/cong-khai/{code}", {"public_text": edited, "public_answer": "Đã cấp.",
                                                      "publish": "1"})
    assert f"Đã công khai kết quả phản ánh {code}." in done.text
    assert site.status(code) == CaseStatus.PUBLISHED.value
    row = site.query("SELECT public_text, masking_reviewed_by, published_at FROM cases WHERE code = :c",
                     c=code)[0]
    assert row[0] == edited and row[1] == "daumoi" and row[2] is not None
    assert code in listed_codes(site, q="khai sinh cho con")
    audit = site.query("SELECT action FROM audit_log WHERE target_id = :c", c=code)
    assert ("publication_review",) in [tuple(a) for a in audit]


def test_demo_data_is_public_where_published_and_happens_in_office_hours(
        tmp_path: Path, nlu_models_dir: Path) -> None:
    from bot.demo import load_demo

    demo = make_console(tmp_path, nlu_models_dir)
    now = datetime(2026, 11, 28, 15, 30, tzinfo=timezone.utc)  # Saturday 22:30 in Hà Nội
    try:
        load_demo(demo.pakn, out=lambda line: None, now=now)
        with demo.pakn.uow() as uow:
            calendar = uow.calendar.load()
        rows = demo.query("SELECT code, status, publish_consent, masking_reviewed_at, public_text "
                          "FROM cases")
        assert len(rows) == 50
        public = [r for r in rows if r.status in ("published", "closed")]
        assert len([r for r in public if r.status == "published"]) >= 3
        client = demo.app.test_client()
        for row in public:
            assert row.publish_consent or row.masking_reviewed_at is not None, row.code
            page = client.get(f"/cong-khai/{row.code}")
            assert page.status_code == 200 and row.public_text in page.text, row.code
        listed = set(re.findall(r'href="/cong-khai/(PAKN-\d{4}-\d{6})"',
                                client.get("/cong-khai", query_string={"trang": "1"}).text))
        assert listed and listed <= {r.code for r in public}
        moments = [m for (m,) in demo.query(
            "SELECT received_at FROM cases UNION ALL SELECT at FROM case_events "
            "UNION ALL SELECT answered_at FROM survey_answers UNION ALL SELECT created_at FROM messages")]
        assert len(moments) > 200
        for moment in moments:
            local = datetime.fromisoformat(str(moment)).replace(tzinfo=timezone.utc).astimezone(VIETNAM)
            assert calendar.is_working_day(local.date()), local
            assert time(8, 0) <= local.time() < time(17, 0), local
            assert local <= now, local
    finally:
        demo.pakn.engine.dispose()


def test_the_status_lookup_says_when_an_answer_is_overdue() -> None:
    from datetime import datetime, timedelta, timezone

    from console.public import _overdue

    moment = datetime(2026, 11, 29, 9, tzinfo=timezone.utc)
    late = {"status": "forwarded", "due_at": moment - timedelta(days=3)}
    assert _overdue(late, moment)
    assert not _overdue({**late, "status": "answered"}, moment)  # answered: no longer late
    assert not _overdue({**late, "due_at": moment + timedelta(days=1)}, moment)
