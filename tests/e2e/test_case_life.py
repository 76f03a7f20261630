"""A case's whole life, driven by staff actions, reaches the citizen on their own channel, and the
satisfaction survey is answered through the platform's webhook payloads."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

import pytest

from bot.scheduler import run_deadline_jobs
from intake import messages as M
from intake.turns import Reply, survey_question
from routing import services
from routing.calendar import VIETNAM
from tests.conftest import LiveApp, wait_until
from tests.e2e.citizens import Citizen, cases_of
from tests.e2e.test_intake import filed_reply, run_intake_until_confirm

ANSWER = "UBND phường Cầu Giấy đã cấp giấy khai sinh ngày 02/12/2026, mời Ông đến nhận tại bộ phận một cửa."


@pytest.mark.parametrize("channel", ["telegram", "facebook", "zalo"])
def test_every_status_change_and_the_survey_on_the_citizens_channel(
        channel: str, live_app: LiveApp, new_citizen: Callable[[str], Citizen]) -> None:
    pakn = live_app.components
    citizen = new_citizen(channel)
    run_intake_until_confirm(live_app, citizen)
    citizen.choose(M.BUTTON_CONFIRM, "/confirm", 1)
    (case,) = wait_until(lambda: cases_of(live_app, citizen), message="case filed")
    citizen.expect(filed_reply(live_app, case))
    code, now = case.code, datetime.now(timezone.utc)

    with pakn.uow() as uow:  # what the focal point and the ward officer do in the console
        services.forward_case(uow, pakn.notifier, pakn.ctx, code, "dau_moi@vp", now)
        services.start_handling(uow, pakn.notifier, code, "can_bo@caugiay", now)
        services.answer_case(uow, pakn.notifier, code, ANSWER, "can_bo@caugiay", now)
        services.publish_case(uow, pakn.notifier, code, "dau_moi@vp", now)
        services.close_case(uow, pakn.notifier, code, "dau_moi@vp", now)
        uow.commit()
    pakn.dispatcher.wakeup.set()
    unit = "UBND phường Cầu Giấy"
    citizen.expect(
        Reply(M.STATUS_PUSH["forwarded"].format(code=code, unit=unit)),
        Reply(M.STATUS_PUSH["in_progress"].format(code=code, unit=unit)),
        Reply(M.STATUS_PUSH["answered"].format(code=code, unit=unit, answer=ANSWER)),
        Reply(M.STATUS_PUSH["published"].format(code=code)),
        Reply(M.STATUS_PUSH["closed"].format(code=code)),
    )

    counts = run_deadline_jobs(pakn, datetime.now(timezone.utc))  # the next scheduler tick
    assert counts["surveys"] >= 1, counts  # this case's survey (the app is shared with other tests)
    criteria = pakn.notifier.criteria
    citizen.expect(Reply(M.SURVEY_INTRO.format(code=code)), survey_question(criteria, 0))
    for index, score in enumerate((5, 4, 4, 3)):
        title = next(t for t, s in M.SURVEY_BUTTONS if s == score)
        citizen.choose(title, f"/rate:{score}", score)  # on Zalo: the level's number
        last = index == len(criteria) - 1
        citizen.expect(Reply(M.SURVEY_THANKS) if last else survey_question(criteria, index + 1))
    rows = live_app.query("SELECT criterion, score, agency_id FROM survey_answers WHERE case_code = :c "
                          "ORDER BY id", c=code)
    assert [tuple(r) for r in rows] == [("hinh_thuc_tiep_nhan", 5, "ubnd_xa"), ("de_dang_phan_anh", 4, "ubnd_xa"),
                                        ("xu_ly_tich_cuc", 4, "ubnd_xa"), ("thong_bao_kip_thoi", 3, "ubnd_xa")]


def test_a_reply_disputing_the_answer_reopens_the_case(live_app: LiveApp,
                                                       new_citizen: Callable[[str], Citizen]) -> None:
    """The answered push says 'Nếu chưa đồng ý với kết quả, Ông/Bà có thể trả lời tin nhắn này':
    such a reply reopens the case with a new due date, and staff see the citizen's words."""
    pakn = live_app.components
    citizen = new_citizen("zalo")
    run_intake_until_confirm(live_app, citizen)
    citizen.choose(M.BUTTON_CONFIRM, "/confirm", 1)
    (case,) = wait_until(lambda: cases_of(live_app, citizen), message="case filed")
    citizen.expect(filed_reply(live_app, case))
    code, now = case.code, datetime.now(timezone.utc)
    with pakn.uow() as uow:
        services.forward_case(uow, pakn.notifier, pakn.ctx, code, "dau_moi@vp", now)
        services.start_handling(uow, pakn.notifier, code, "can_bo@caugiay", now)
        services.answer_case(uow, pakn.notifier, code, ANSWER, "can_bo@caugiay", now)
        uow.commit()
    pakn.dispatcher.wakeup.set()
    citizen.wait_received(citizen.seen + 3)
    citizen.seen += 3
    dispute = "Tôi chưa đồng ý với kết quả, tôi đến phường nhưng chưa có giấy khai sinh"
    citizen.say(dispute)
    (reopened,) = wait_until(lambda: [c for c in cases_of(live_app, citizen)
                                      if c.status == "reopened"], message="case reopened")
    due = reopened.due_at if isinstance(reopened.due_at, datetime) \
        else datetime.fromisoformat(str(reopened.due_at))
    pushed = M.STATUS_PUSH["reopened"].format(code=code, due=due.astimezone(VIETNAM).strftime("%d/%m/%Y"))
    citizen.expect(Reply(pushed + M.STATUS_PUSH_REASON.format(note=dispute)))
    (actor,) = live_app.query("SELECT e.actor FROM case_events e JOIN cases c ON c.id = e.case_id "
                              "WHERE c.code = :code AND e.to_status = 'reopened'", code=code)[0]
    assert actor == "citizen"
