"""'Việc cần làm' (issue 16): the most urgent case first, several statuses at once, closed cases
hidden unless asked for, filter lists limited to what the person sees, assignment to a person of
the case's unit with 'Của tôi'. SQLite and PostgreSQL."""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Iterator

import pytest

from console import work_texts as W
from routing import services
from tests.integration.console_support import BA_DINH, Console, days_ago, form, make_console
from tests.integration.preview_support import act

ROW = re.compile(r'<tr class="[^"]*" data-code="(PAKN-\d{4}-\d{6})"')


@pytest.fixture
def office(database_url: str, tmp_path: Path, nlu_models_dir: Path) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def listed(console: Console, user: str, query: str = "") -> list[str]:
    """The case codes the list shows, top to bottom."""
    return ROW.findall(console.client(user).get(f"/console/cases?{query}").text)


def user_id(console: Console, username: str) -> int:
    return int(console.query("SELECT id FROM users WHERE username = :u", u=username)[0][0])


def closed_case(console: Console, sender: str) -> str:
    pakn = console.pakn
    code = console.file(sender=sender)
    for step in (lambda uow: services.forward_case(uow, pakn.notifier, pakn.ctx, code, "daumoi", days_ago(0)),
                 lambda uow: services.start_handling(uow, pakn.notifier, code, "caugiay", days_ago(0)),
                 lambda uow: services.answer_case(uow, pakn.notifier, code, "Đã xong.", "caugiay", days_ago(0)),
                 lambda uow: services.close_case(uow, pakn.notifier, code, "caugiay", days_ago(0))):
        console.run(step)
    return code


def test_the_most_urgent_case_comes_first_and_closed_ones_are_hidden(office: Console) -> None:
    today = office.file(sender="1")
    week_old = office.file(sender="2", received=days_ago(9))  # forwarding overdue by a few days
    long_overdue = office.file(sender="3", received=days_ago(60))
    done = closed_case(office, "4")
    assert listed(office, "caugiay") == [long_overdue, week_old, today]
    assert listed(office, "caugiay", "sort=received") == [today, week_old, long_overdue]
    page = office.client("caugiay").get("/console/cases").text
    row = page[page.index(f'data-code="{long_overdue}"'):]
    assert "Quá hạn" in row[:row.index("</tr>")] and "Phân loại, chuyển cơ quan xử lý" in row
    assert done in listed(office, "caugiay", "closed=1")
    assert listed(office, "caugiay", "status=closed") == [done]  # asking for closed ones shows them


def test_several_statuses_at_once(office: Console) -> None:
    waiting = office.file(sender="1")
    forwarded = office.file(sender="2")
    office.run(lambda uow: services.forward_case(uow, office.pakn.notifier, office.pakn.ctx, forwarded,
                                                 "daumoi", days_ago(0)))
    done = closed_case(office, "3")
    assert set(listed(office, "daumoi", "status=classified&status=forwarded")) == {waiting, forwarded}
    assert listed(office, "daumoi", "status=forwarded") == [forwarded]
    assert set(listed(office, "daumoi", "status=forwarded&status=closed")) == {forwarded, done}
    assert set(listed(office, "daumoi", "status=nonsense")) == {waiting, forwarded}  # ignored
    page = office.client("daumoi").get("/console/cases?status=classified&status=forwarded").text
    assert page.count('type="checkbox" name="status"') == 10 and page.count("checked") == 2


def test_a_ward_officer_picks_only_from_what_they_see(office: Console) -> None:
    office.file(sender="1")
    office.file(form(ward=BA_DINH), sender="2")
    officer = office.client("caugiay").get("/console/cases").text
    focal = office.client("daumoi").get("/console/cases").text
    assert 'name="agency_id"' not in officer and 'name="ward"' not in officer
    assert "phường Ba Đình" not in officer
    wards = focal.count('<option value="phường') + focal.count('<option value="xã')
    assert wards >= 126 and 'name="agency_id"' in focal and 'phường Ba Đình' in focal
    police = office.client("congan").get("/console/cases").text
    assert 'name="agency_id"' not in police and 'name="ward"' in police  # city-wide police


def test_assignment_to_a_person_of_the_unit_and_my_cases(office: Console) -> None:
    mine = office.file(sender="1")
    other = office.file(sender="2")
    office.run(lambda uow: services.forward_case(uow, office.pakn.notifier, office.pakn.ctx, mine,
                                                 "daumoi", days_ago(0)))
    officer = office.client("caugiay")
    assert listed(office, "caugiay", "assignee=me") == []
    page = officer.post(f"/console/cases/{mine}/assign", {"assignee": "me"}).text
    assert W.ASSIGNED_DONE.format(code=mine, name="caugiay") in html.unescape(page)
    assert listed(office, "caugiay", "assignee=me") == [mine]
    assert listed(office, "caugiay", "assignee=none") == [other]
    assert "Giao xử lý cho caugiay" in officer.get(f"/console/cases/{mine}").text
    audit = office.query("SELECT username, action, target_id FROM audit_log WHERE action = 'case_assign'")
    assert [tuple(r) for r in audit] == [("caugiay", "case_assign", mine)]
    # Someone of another ward or agency cannot be given the case; the focal point can.
    for outsider in ("badinh", "congan", "admin"):
        refused = html.unescape(officer.post(f"/console/cases/{mine}/assign",
                                             {"assignee": str(user_id(office, outsider))}).text)
        assert "không thuộc đơn vị đang xử lý phản ánh" in refused or "Không có tài khoản" in refused
    assert office.query("SELECT assigned_to FROM cases WHERE code = :c", c=mine)[0][0] == \
        user_id(office, "caugiay")
    officer.post(f"/console/cases/{mine}/assign", {"assignee": str(user_id(office, "daumoi"))})
    assert listed(office, "daumoi", "assignee=me") == [mine]
    assert listed(office, "caugiay", "assignee=me") == []
    # A case of another ward is not theirs to assign.
    elsewhere = office.file(form(ward=BA_DINH), sender="3")
    assert officer.post(f"/console/cases/{elsewhere}/assign", {"assignee": "me"}).status_code == 403


def test_a_transfer_leaves_the_case_unassigned_in_the_new_unit(office: Console) -> None:
    code = office.file(sender="1")
    pakn = office.pakn
    office.run(lambda uow: services.forward_case(uow, pakn.notifier, pakn.ctx, code, "daumoi", days_ago(0)))
    office.client("caugiay").post(f"/console/cases/{code}/assign", {"assignee": "me"})
    act(office.client("daumoi"), code, "transfer",
        {"agency_id": "ubnd_xa", "ward": BA_DINH, "reason": "Sai địa bàn"})
    assert office.query("SELECT ward, assigned_to FROM cases WHERE code = :c", c=code)[0] == (BA_DINH, None)
    assert listed(office, "badinh", "assignee=none") == [code]

