"""Every allowed and every refused status transition."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from routing.model import ALLOWED_TRANSITIONS, Case, CaseStatus, InvalidTransition

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
ALL_PAIRS = [(a, b) for a in CaseStatus for b in CaseStatus]


def case_in(status: CaseStatus) -> Case:
    case = Case("PAKN-2026-000001", "telegram", "42", "…", "ho_tich", "ubnd_xa", "Nguyễn Văn An",
                "0912345678", "Số 1 Trần Thái Tông", NOW)
    case.status = status
    return case


@pytest.mark.parametrize(("current", "target"),
                         [p for p in ALL_PAIRS if p[1] in ALLOWED_TRANSITIONS[p[0]]])
def test_allowed_transition_is_applied_and_recorded(current: CaseStatus, target: CaseStatus) -> None:
    case = case_in(current)
    event = case.transition_to(target, NOW, "officer@ubnd", note="lý do")
    assert case.status == target
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        current.value, target.value, "officer@ubnd", "lý do")
    assert case.events[-1] is event


@pytest.mark.parametrize(("current", "target"),
                         [p for p in ALL_PAIRS if p[1] not in ALLOWED_TRANSITIONS[p[0]]])
def test_refused_transition_changes_nothing(current: CaseStatus, target: CaseStatus) -> None:
    case = case_in(current)
    with pytest.raises(InvalidTransition) as raised:
        case.transition_to(target, NOW, "officer@ubnd")
    assert case.status == current and case.events == []
    assert f"from {current.value} to {target.value}" in str(raised.value)


def test_the_whole_life_of_a_case() -> None:
    case = case_in(CaseStatus.RECEIVED)
    path = [CaseStatus.CLASSIFIED, CaseStatus.FORWARDED, CaseStatus.IN_PROGRESS, CaseStatus.ANSWERED,
            CaseStatus.PUBLISHED, CaseStatus.CLOSED, CaseStatus.REOPENED, CaseStatus.IN_PROGRESS]
    for status in path:
        case.transition_to(status, NOW, "staff")
    assert [e.to_status for e in case.events] == [s.value for s in path]


def test_terminal_statuses_lead_nowhere_but_closed_can_reopen() -> None:
    assert ALLOWED_TRANSITIONS[CaseStatus.REJECTED] == frozenset()
    assert ALLOWED_TRANSITIONS[CaseStatus.REDIRECTED] == frozenset()
    assert ALLOWED_TRANSITIONS[CaseStatus.CLOSED] == {CaseStatus.REOPENED}
