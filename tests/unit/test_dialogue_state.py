"""One owner of conversation state: only the dialogue changes it; the typed memory is stored with a
version key and rows written before it still load."""
from __future__ import annotations

import ast
from pathlib import Path

from intake.dialogue import Dialogue
from intake.dialogue_events import CaseAnswered, CaseFiled, StaffHandedBack, SurveyDue
from intake.dialogue_state import ASKED, KEPT, VERSION, Memory
from intake.turns import AFTER_ANSWER, ASK_ADDRESS, ASK_PHONE, CONFIRM, IDLE, SURVEY, Turn
from storage.catalogue_files import load_catalogue
from tests.conftest import ROOT

CATALOGUE = load_catalogue(ROOT / "catalogue")
CODE_FOLDERS = ("intake", "console", "bot", "routing", "storage", "outbox", "channels", "nlu")
# The dialogue and its own helpers; dialogue_events.store is the one place a step is written.
# storage/personal_data.py erases a conversation (Law 91/2025: retention or the citizen's request):
# its identity and memory are wiped, which is not a step of the dialogue but the end of the row's
# personal data; it is the only writer outside the dialogue and may only reset to idle and empty.
OWNERS = {"intake/link_consent.py", "intake/contact_checks.py", "storage/personal_data.py"}
MUTATORS = {"update", "pop", "setdefault", "clear", "__setitem__", "popitem"}


def _is_owner(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return relative in OWNERS or (relative.startswith("intake/dialogue") and relative.endswith(".py"))


def _conversation_like(node: ast.expr) -> bool:
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return "conv" in name.lower()


def _writes(tree: ast.AST) -> list[int]:
    """Lines that assign a conversation's state or slots, or change its slot keys in place."""
    lines = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        flat: list[ast.expr] = []
        for target in targets:
            flat += list(target.elts) if isinstance(target, ast.Tuple) else [target]
        for target in flat:
            if isinstance(target, ast.Attribute) and target.attr in ("state", "slots") \
                    and _conversation_like(target.value):
                lines.append(node.lineno)
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute) \
                    and target.value.attr == "slots":
                lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in MUTATORS and isinstance(node.func.value, ast.Attribute) \
                and node.func.value.attr == "slots":
            lines.append(node.lineno)
    return sorted(set(lines))


def test_no_module_but_the_dialogue_writes_conversation_state() -> None:
    offenders = []
    for folder in CODE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if _is_owner(path):
                continue
            offenders += [f"{path.relative_to(ROOT)}:{line}"
                          for line in _writes(ast.parse(path.read_text(encoding="utf-8")))]
    assert offenders == []


def test_the_check_sees_a_write() -> None:
    source = ("conversation.state, conversation.slots = 'idle', {}\nconv.slots['waiting_told'] = 1\n"
              "conv.slots.pop('x')\nself.state = 'ok'\n")
    assert _writes(ast.parse(source)) == [1, 2, 3]


def test_a_row_written_before_the_version_key_still_loads_and_goes_on() -> None:
    legacy = {"text": "Hồ sơ khai sinh nộp 3 tuần chưa có kết quả", "procedure": "ho_tich",
              "agency": "ubnd_xa", "name": "Lê Thị Hoa", "phone": "0912 3", "refusals": {"address": 1},
              "unverified": ["phone"], "_menu": [["Có", "/consent:yes"]]}
    memory = Memory.load(legacy)
    assert memory.draft is not None and memory.draft.name.value == "Lê Thị Hoa"
    assert memory.draft.name.source == ASKED and memory.draft.phone.source == KEPT
    assert memory.draft.address.refusals == 1 and memory.draft.unverified() == ["phone"]
    stored = memory.to_json()
    assert stored["v"] == VERSION and Memory.load(stored).to_json() == stored
    step = Dialogue(CATALOGUE).step(ASK_ADDRESS, legacy, Turn("số 5 ngõ 10 Trần Thái Tông", None))
    assert step.state == CONFIRM and step.memory.draft.address.value == "số 5 ngõ 10 Trần Thái Tông"
    survey = Memory.load({"case_code": "PAKN-2026-000001", "index": 2})
    assert (survey.case_code, survey.survey_index) == ("PAKN-2026-000001", 2)


def test_events_are_decided_by_the_dialogue() -> None:
    dialogue = Dialogue(CATALOGUE, (("a", "Câu một"), ("b", "Câu hai")))
    answered = dialogue.on_event(IDLE, {}, CaseAnswered("PAKN-2026-000001"))
    assert (answered.state, answered.memory.case_code) == (AFTER_ANSWER, "PAKN-2026-000001")
    drafting = {"text": "Hồ sơ chậm", "name": "Lê Thị Hoa"}
    assert dialogue.on_event(ASK_PHONE, drafting, CaseAnswered("PAKN-2026-000001")).state == ASK_PHONE
    assert dialogue.on_event(CONFIRM, drafting, SurveyDue("PAKN-2026-000001")).replies == []
    survey = dialogue.on_event(IDLE, {}, SurveyDue("PAKN-2026-000001"))
    assert survey.state == SURVEY and "Câu một" in survey.replies[-1].text and survey.memory.menu
    back = dialogue.on_event(ASK_PHONE, {**drafting, "waiting_told": True}, StaffHandedBack())
    assert back.state == ASK_PHONE and not back.memory.waiting_told
    assert back.memory.draft.name.value == "Lê Thị Hoa" and back.actions[0].name == "deescalate"


def test_a_draft_staff_filed_from_the_conversation_is_not_filed_again() -> None:
    """Staff file the citizen's draft from the inbox ("Tạo phản ánh từ cuộc trò chuyện"): the draft
    is gone, so after staff hand back a 'Xác nhận gửi' names the filed case instead of filing it twice."""
    dialogue = Dialogue(CATALOGUE)
    drafting = {"text": "Hồ sơ chậm", "name": "Lê Thị Hoa", "phone": "0912345678",
                "address": "Số 5 ngõ 10 Trần Thái Tông"}
    filed = dialogue.on_event(CONFIRM, drafting, CaseFiled("PAKN-2026-000007"))
    assert filed.state == IDLE and filed.memory.draft is None
    assert filed.memory.filed_code == "PAKN-2026-000007"
    again = dialogue.step(filed.state, filed.memory.to_json(), Turn("Xác nhận gửi", None))
    assert not any(action.name == "file_case" for action in again.actions)
    assert "PAKN-2026-000007" in " ".join(reply.text for reply in again.replies)
