"""Case list (filters, diacritics-insensitive search, paging), case page, actions and their outbox rows."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from console import texts as T
from console import work_texts as W
from intake import messages as M
from routing import services
from routing.calendar import VIETNAM
from tests.integration.console_support import BA_DINH, CAU_GIAY, Console, console, days_ago, form  # noqa: F401
from tests.integration.preview_support import act

ANSWER = "UBND phường Cầu Giấy đã cấp giấy khai sinh, mời Ông đến nhận tại bộ phận một cửa."


def test_focal_point_forwards_and_the_citizen_is_told(console: Console) -> None:
    code = console.file()
    client = console.client("daumoi")
    page = client.get(f"/console/cases/{code}")
    assert page.status_code == 200
    assert "Chuyển cơ quan xử lý" in page.text and "Trả lời (văn bản chính thức)" not in page.text
    result = client.post(f"/console/cases/{code}/actions/forward", {"note": ""})
    assert f"Đã thực hiện: Chuyển cơ quan xử lý — phản ánh {code}." in result.text
    assert console.status(code) == "forwarded"
    (row,) = console.outbox(code)
    assert row.channel == "telegram" and row.recipient_id == "111" and row.kind == "status"
    assert row.text == M.STATUS_PUSH["forwarded"].format(code=code, unit="UBND phường Cầu Giấy")
    audit = console.query("SELECT username, action, target_id FROM audit_log WHERE action LIKE 'case_%'")
    assert [tuple(r) for r in audit] == [("daumoi", "case_forward", code)]


def test_ward_officer_starts_and_answers(console: Console) -> None:
    code = console.file()
    console.run(lambda uow: services.forward_case(uow, console.pakn.notifier, console.pakn.ctx, code,
                                                  "daumoi", days_ago(0)))
    officer = console.client("caugiay")
    assert "Bắt đầu xử lý" in officer.get(f"/console/cases/{code}").text
    officer.post(f"/console/cases/{code}/actions/start", {"note": "Đang kiểm tra hồ sơ"})
    empty = officer.post(f"/console/cases/{code}/actions/answer", {"answer": "  "})
    assert "Vui lòng nhập nội dung văn bản trả lời." in empty.text
    assert console.status(code) == "in_progress"
    preview, _ = act(officer, code, "answer", {"answer": ANSWER})
    assert preview is not None and W.CONFIRM_IRREVERSIBLE["answer"] in preview  # asked first
    assert console.status(code) == "answered"
    texts = [r.text for r in console.outbox(code)]
    assert texts[-1] == M.STATUS_PUSH["answered"].format(code=code, unit="UBND phường Cầu Giấy",
                                                         answer=ANSWER)
    page = officer.get(f"/console/cases/{code}")
    assert ANSWER in page.text and "Đúng hạn" in page.text
    assert 'data-action="publish"' not in page.text  # the focal point publishes, not the ward
    assert 'data-action="close"' in page.text


def test_actions_the_state_machine_refuses_are_a_message_not_an_error(console: Console) -> None:
    code = console.file()
    client = console.client("daumoi")
    page = client.post(f"/console/cases/{code}/actions/publish", {})
    assert page.status_code == 200
    assert "không được phép ở trạng thái hiện tại" in page.text
    assert console.status(code) == "classified" and console.outbox(code) == []
    missing = client.post(f"/console/cases/{code}/actions/reject", {"reason": ""})
    assert "Vui lòng nhập lý do." in missing.text and console.status(code) == "classified"
    assert client.post(f"/console/cases/{code}/actions/nope", {}).status_code == 404


def test_invalid_transition_from_a_stale_page_is_shown_in_vietnamese(console: Console) -> None:
    code = console.file()
    client = console.client("daumoi")
    client.get(f"/console/cases/{code}")  # the page offered "forward"; someone else rejects first
    console.run(lambda uow: services.reject_case(uow, console.pakn.notifier, code, "Trùng", "x",
                                                 days_ago(0)))
    page = client.post(f"/console/cases/{code}/actions/forward", {})
    assert page.status_code == 200 and "không được phép" in page.text


def test_reject_transfer_reopen_need_reasons_that_reach_the_citizen(console: Console) -> None:
    code = console.file()
    client = console.client("daumoi")
    act(client, code, "reject", {"reason": "Nội dung trùng phản ánh PAKN-2026-000001"})
    assert console.status(code) == "rejected"
    assert console.outbox(code)[-1].text.endswith("Lý do: Nội dung trùng phản ánh PAKN-2026-000001")
    other = console.file(sender="222")
    client.post(f"/console/cases/{other}/actions/forward", {})
    client.post(f"/console/cases/{other}/actions/transfer", {"agency_id": "so_tu_phap", "reason": ""})
    assert console.query("SELECT agency_id FROM cases WHERE code = :c", c=other)[0][0] == "ubnd_xa"
    act(client, other, "transfer", {"agency_id": "so_tu_phap", "reason": "Thuộc thẩm quyền Sở Tư pháp"})
    assert console.query("SELECT agency_id FROM cases WHERE code = :c", c=other)[0][0] == "so_tu_phap"
    assert "Lý do: Thuộc thẩm quyền Sở Tư pháp" in console.outbox(other)[-1].text


def test_ask_for_information_goes_to_the_citizen_and_the_timeline(console: Console) -> None:
    code = console.file()
    client = console.client("daumoi")
    client.post(f"/console/cases/{code}/actions/ask_info", {"text": "Xin gửi ảnh giấy hẹn trả kết quả."})
    (row,) = console.outbox(code)
    assert "Xin gửi ảnh giấy hẹn trả kết quả." in row.text and row.recipient_id == "111"
    assert "Đề nghị bổ sung thông tin" in client.get(f"/console/cases/{code}").text


def test_agency_staff_see_only_their_cases(console: Console) -> None:
    mine = console.file()
    other_ward = console.file(form(ward="phường Ba Đình"), sender="222")
    police = console.file(form(text="Làm căn cước hai tháng chưa có", procedure="can_cuoc"), sender="333")
    officer = console.client("caugiay")
    page = officer.get(f"/console/cases/{mine}")
    assert page.status_code == 200
    assert 'id="waiting-focal-point"' in page.text  # not forwarded yet: the officer is told why
    for code in (other_ward, police):
        response = officer.get(f"/console/cases/{code}")
        assert response.status_code == 403 and "Bạn không có quyền truy cập trang này." in response.text
        assert officer.post(f"/console/cases/{code}/actions/start", {}).status_code == 403
    listing = officer.get("/console/cases").text
    assert mine in listing and other_ward not in listing and police not in listing
    assert police in console.client("congan").get("/console/cases").text
    assert console.client("congan").get(f"/console/cases/{mine}").status_code == 403


def test_filters_and_search_with_or_without_diacritics(console: Console) -> None:
    birth = console.file()
    land = console.file(form(text="Hồ sơ cấp sổ đỏ ở Đống Đa quá hạn", procedure="dat_dai",
                             ward="phường Đống Đa", name="Trần Thị Đào"), channel="zalo", sender="9")
    late = console.file(form(text="Đăng ký thường trú chậm", procedure="cu_tru"), sender="7",
                        received=days_ago(60))
    client = console.client("daumoi")

    def codes(query: str) -> set[str]:
        text = client.get(f"/console/cases?{query}").text
        return {c for c in (birth, land, late) if c in text}

    assert codes("q=khai+sinh") == codes("q=khai sinh") == {birth}
    assert codes("q=dong+da") == codes("q=Đống+Đa") == codes("q=ĐỐNG+ĐA") == {land}
    assert codes("q=tran+thi+dao") == {land}
    assert codes(f"q={land.lower()}") == {land}
    assert codes("q=so+do+dong+da") == {land}  # every word must match
    assert codes("q=100%25") == set()
    assert codes("channel=zalo") == {land}
    assert codes("procedure_id=cu_tru") == {late}
    assert codes("ward=phường+Đống+Đa") == {land}
    assert codes("agency_id=so_nnmt") | codes("agency_id=ubnd_xa") >= {land}
    assert codes("status=classified") == {birth, land, late}
    assert codes("overdue=1") == {late}
    assert "Quá hạn" in client.get("/console/cases?overdue=1").text
    day = days_ago(60).astimezone(VIETNAM).date().isoformat()
    assert codes(f"date_from={day}&date_to={day}") == {late}
    assert codes("date_from=không-phải-ngày") == {birth, land, late}  # a bad date is ignored


def test_pagination(console: Console) -> None:
    with console.pakn.uow() as uow:
        for number in range(55):
            services.file_case(uow, console.pakn.ctx, None, form(name=f"Người {number}"), days_ago(0),
                               channel="hotline", sender_id="0912345678")
        uow.commit()
    client = console.client("daumoi")
    first = client.get("/console/cases").text
    assert "55 kết quả" in first and "Trang 1/2" in first and "Trang sau" in first
    second = client.get("/console/cases?page=2").text
    assert "Trang 2/2" in second and second.count('href="/console/cases/PAKN-') == 5


def test_case_page_shows_deadlines_and_overdue_plainly(console: Console) -> None:
    code = console.file(received=days_ago(60))
    page = console.client("daumoi").get(f"/console/cases/{code}").text
    assert "Thời hạn từng bước" in page and "QUÁ HẠN" in page
    assert "Phân loại, chuyển cơ quan xử lý" in page and "Trả lời công dân" in page
    assert "Đã phân loại, chờ chuyển cơ quan xử lý" in page  # the timeline, in Vietnamese


def test_reclassify_and_reopen_publish_close(console: Console) -> None:
    code = console.file(form(procedure=None, ward=None))
    client = console.client("daumoi")
    client.post(f"/console/cases/{code}/actions/reclassify", {"procedure_id": "dat_dai"})
    assert console.query("SELECT procedure_id, status FROM cases WHERE code = :c", c=code)[0] == \
        ("dat_dai", "classified")
    for name, data in (("forward", {}), ("start", {}), ("answer", {"answer": ANSWER}),
                       ("publish", {}), ("close", {}), ("reopen", {"reason": "Công dân chưa đồng ý"})):
        act(client, code, name, data)
    assert console.status(code) == "reopened"
    assert console.outbox(code)[-1].text.startswith(f"Phản ánh {code} được xem xét lại.")


def _forwarded(console: Console, intake: Any = None, sender: str = "111") -> str:
    code = console.file(intake, sender=sender)
    console.run(lambda uow: services.forward_case(uow, console.pakn.notifier, console.pakn.ctx, code,
                                                  "daumoi", days_ago(0)))
    return code


def _row(console: Console, code: str) -> Any:
    return console.query("SELECT status, agency_id, ward FROM cases WHERE code = :c", c=code)[0]


def test_forwarding_to_the_ward_committee_without_a_ward_asks_for_the_ward(console: Console) -> None:
    code = console.file(form(ward=None))  # a khai sinh case: UBND xã, phường, ward unknown
    client = console.client("daumoi")
    page = client.get(f"/console/cases/{code}").text
    forward_form = page.split('data-action="forward"')[1].split("</form>")[0]
    assert 'name="ward"' in forward_form and "— Chọn phường/xã —" in forward_form
    assert forward_form.count('<option value="phường ') == 51
    assert forward_form.count('<option value="xã ') == 75
    refused = client.post(f"/console/cases/{code}/actions/forward", {"note": ""})
    assert T.WARD_REQUIRED.format(code=code, agency="UBND xã, phường (126 đơn vị)") in refused.text
    assert tuple(_row(console, code)) == ("classified", "ubnd_xa", None)
    assert console.client("caugiay").get(f"/console/cases/{code}").status_code == 403
    unknown = client.post(f"/console/cases/{code}/actions/forward", {"ward": "phường Không Có"})
    assert T.UNKNOWN_WARD in unknown.text and console.status(code) == "classified"
    assert console.outbox(code) == []
    client.post(f"/console/cases/{code}/actions/forward", {"ward": CAU_GIAY})
    assert tuple(_row(console, code)) == ("forwarded", "ubnd_xa", CAU_GIAY)
    assert console.outbox(code)[-1].text == M.STATUS_PUSH["forwarded"].format(
        code=code, unit="UBND phường Cầu Giấy")
    officer = console.client("caugiay").get(f"/console/cases/{code}")
    assert officer.status_code == 200 and "→ UBND phường Cầu Giấy" in officer.text
    assert code in console.client("caugiay").get("/console/cases").text


def test_transfer_to_a_ward_committee_sets_the_ward(console: Console) -> None:
    code = console.file(form(text="Làm căn cước hai tháng chưa có", procedure="can_cuoc", ward=None))
    client = console.client("daumoi")
    client.post(f"/console/cases/{code}/actions/forward", {})  # police: no ward needed
    assert tuple(_row(console, code)) == ("forwarded", "cong_an", None)
    assert code in console.client("congan").get("/console/cases").text
    transfer = {"agency_id": "ubnd_xa", "reason": "Thuộc thẩm quyền UBND phường"}
    refused = client.post(f"/console/cases/{code}/actions/transfer", transfer)
    assert "chưa có phường/xã" in refused.text and _row(console, code).agency_id == "cong_an"
    act(client, code, "transfer", {**transfer, "ward": BA_DINH})
    assert tuple(_row(console, code)) == ("forwarded", "ubnd_xa", BA_DINH)
    assert console.client("badinh").get(f"/console/cases/{code}").status_code == 200
    page = client.get(f"/console/cases/{code}").text
    assert "→ UBND phường Ba Đình" in page and "Chuyển từ: Công an Thành phố" in page
    assert "Thuộc thẩm quyền UBND phường" in page


def test_transfer_to_the_unit_that_has_the_case_is_refused(console: Console) -> None:
    code = _forwarded(console)
    sent = len(console.outbox(code))
    officer = console.client("caugiay")
    same = {"agency_id": "ubnd_xa", "reason": "Chuyển lại"}
    for data in (same, {**same, "ward": CAU_GIAY}):
        page = officer.post(f"/console/cases/{code}/actions/transfer", data)
        assert T.SAME_UNIT.format(code=code, unit="UBND phường Cầu Giấy") in page.text
    assert tuple(_row(console, code)) == ("forwarded", "ubnd_xa", CAU_GIAY)
    assert len(console.outbox(code)) == sent
    events = console.query("SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id "
                           "WHERE c.code = :c AND e.to_status = 'forwarded'", c=code)[0][0]
    assert events == 1
    act(officer, code, "transfer", {**same, "ward": BA_DINH, "reason": "Địa bàn phường Ba Đình"})
    assert tuple(_row(console, code)) == ("forwarded", "ubnd_xa", BA_DINH)  # another ward: another unit


def _answered(console: Console, consent: bool) -> str:
    intake = services.IntakeForm(**{**form().__dict__, "publish_consent": consent})
    code = _forwarded(console, intake)
    pakn = console.pakn
    console.run(lambda uow: services.start_handling(uow, pakn.notifier, code, "caugiay", days_ago(0)))
    console.run(lambda uow: services.answer_case(uow, pakn.notifier, code, ANSWER, "caugiay",
                                                 days_ago(0)))
    return code


def test_publishing_without_consent_from_the_case_page_leads_to_the_review(console: Console) -> None:
    code = _answered(console, consent=False)
    client = console.client("daumoi")
    page = client.get(f"/console/cases/{code}").text
    assert f'href="/console/cong-khai/{code}"' in page
    assert "Rà soát nội dung và công khai kết quả" in page
    response = client.post(f"/console/cases/{code}/actions/publish", {}, follow=False)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/console/cong-khai/{code}")
    review = client.get(f"/console/cong-khai/{code}").text
    assert T.PUBLICATION_NEEDS_REVIEW.format(code=code) in review
    assert "Lưu và công khai kết quả" in review and f'href="/console/cases/{code}"' in review
    assert console.status(code) == "answered"
    client.post(f"/console/cong-khai/{code}", {"public_text": "Hồ sơ khai sinh quá hạn ở phường Cầu Giấy.",
                                               "public_answer": "Đã cấp giấy khai sinh.", "publish": "1"})
    assert console.status(code) == "published"
    public = console.app.test_client().get(f"/cong-khai/{code}")
    assert public.status_code == 200 and "Hồ sơ khai sinh quá hạn ở phường Cầu Giấy." in public.text


def test_publishing_with_consent_also_goes_through_the_masked_preview(console: Console) -> None:
    code = _answered(console, consent=True)
    client = console.client("daumoi")
    page = client.get(f"/console/cases/{code}").text
    assert f'href="/console/cong-khai/{code}"' in page  # the masked text can be read first
    response = client.post(f"/console/cases/{code}/actions/publish", {}, follow=False)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/console/cong-khai/{code}")
    review = client.get(f"/console/cong-khai/{code}").text
    assert W.PUBLISH_THROUGH_REVIEW.format(code=code) in review and "0912345678" not in review
    assert console.status(code) == "answered"  # nothing published by the click alone
    client.post(f"/console/cong-khai/{code}", {"public_text": "Hồ sơ khai sinh quá hạn.",
                                               "public_answer": "Đã cấp giấy khai sinh.", "publish": "1"})
    assert console.status(code) == "published"
    assert console.app.test_client().get(f"/cong-khai/{code}").status_code == 200


def test_closing_a_consented_case_needs_publication_or_a_reason(console: Console) -> None:
    code = _answered(console, consent=True)
    officer = console.client("caugiay")
    page = officer.get(f"/console/cases/{code}").text
    assert "Lý do không công khai kết quả" in page and 'name="unpublished_reason"' in page
    refused = officer.post(f"/console/cases/{code}/actions/close", {"note": ""})
    assert T.PUBLICATION_REQUIRED.format(code=code) in refused.text
    assert console.status(code) == "answered"
    reason = "Kết quả đã công khai trên ứng dụng iHanoi"
    preview = officer.post(f"/console/cases/{code}/actions/close", {"unpublished_reason": reason})
    assert W.CONFIRM_IRREVERSIBLE["close"] in preview.text and console.status(code) == "answered"
    act(officer, code, "close", {"unpublished_reason": reason})
    assert console.status(code) == "closed"
    assert f"Lý do không công khai kết quả: {reason}" in officer.get(f"/console/cases/{code}").text
    # Published first, or no consent: closing needs no reason.
    published = _answered(console, consent=True)
    console.run(lambda uow: services.publish_reviewed_case(uow, console.pakn.notifier, published,
                                                           "daumoi", days_ago(0)))
    unconsented = _answered(console, consent=False)
    for other in (published, unconsented):
        assert "Lý do không công khai" not in officer.get(f"/console/cases/{other}").text
        act(officer, code=other, name="close", fields={})
        assert console.status(other) == "closed"


def test_case_page_speaks_vietnamese_and_names_staff(console: Console) -> None:
    with console.pakn.engine.begin() as connection:
        for username, name in (("daumoi", "Nguyễn Thị Đầu Mối"), ("caugiay", "Trần Văn Phường")):
            connection.execute(sa.text("UPDATE users SET full_name = :n WHERE username = :u"),
                               {"n": name, "u": username})
    code = _answered(console, consent=False)
    console.run(lambda uow: services.review_publication(uow, code, "Hồ sơ khai sinh quá hạn.", None,
                                                        "daumoi", days_ago(0)))
    page = console.client("daumoi").get(f"/console/cases/{code}").text
    deadlines = page.split('id="deadlines"')[1].split("</table>")[0]
    assert "Nghị định 20/2008/NĐ-CP Điều 9.1.d" in deadlines and "Đã xác nhận" in deadlines
    assert "Thông tư 02/2017/TT-VPCP" in deadlines and "Chưa xác nhận, có thể cấu hình" in deadlines
    assert "Bắt buộc công khai kết quả" in deadlines
    timeline = page.split('id="timeline"')[1].split("</ol>")[0]
    assert "Trợ lý tự động" in timeline and "Kênh tiếp nhận: Telegram" in timeline
    assert "Lĩnh vực: Hộ tịch" in timeline and "Cơ quan xử lý: UBND xã, phường" in timeline
    assert "Nguyễn Thị Đầu Mối" in timeline and "Trần Văn Phường" in timeline
    assert "Rà soát, che thông tin cá nhân trong nội dung công khai" in timeline
    for raw in ("confirmed", "believed", "configurable", "for the", "required", "channel=",
                "procedure=", "agency=", "masking_reviewed", "staff:", "<strong>daumoi</strong>",
                "<strong>caugiay</strong>", "<strong>bot</strong>"):
        assert raw not in deadlines + timeline, raw
    with console.pakn.uow() as uow:  # a case filed by an Open311 client application
        other = services.file_case(uow, console.pakn.ctx, None, form(), days_ago(0), actor="open311:iHanoi",
                                   channel="hotline", sender_id="0912345678").code
        uow.commit()
    page = console.client("daumoi").get(f"/console/cases/{other}").text
    assert "<strong>Ứng dụng kết nối qua Open311: iHanoi</strong>" in page


def test_the_conversation_of_a_case_names_staff_not_usernames(console: Console) -> None:
    with console.pakn.engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET full_name = 'Nguyễn Thị Đầu Mối' "
                                   "WHERE username = 'daumoi'"))
    code = console.file()
    client = console.client("daumoi")
    client.post(f"/console/cases/{code}/actions/ask_info", {"text": "Xin gửi ảnh giấy hẹn."})
    conversation_id = console.query("SELECT conversation_id FROM cases WHERE code = :c", c=code)[0][0]
    client.post(f"/console/conversations/{conversation_id}/reply", {"text": "Cán bộ đã nhận."})
    page = client.get(f"/console/conversations/{conversation_id}").text
    metas = [m.split("·")[0].strip() for m in page.split('<div class="meta">')[1:]]
    assert metas == ["Nguyễn Thị Đầu Mối", "Nguyễn Thị Đầu Mối"]
    assert "Cán bộ xử lý: <strong>Nguyễn Thị Đầu Mối</strong>" in page
    polled = client.get(f"/console/conversations/{conversation_id}/messages.json").json["messages"]
    assert [m["author"] for m in polled] == metas
