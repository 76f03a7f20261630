"""A citizen asking for a copy or the deletion of their data is recognised in the chat (with or
without diacritics, teencode pronouns), and nothing citizens write about their procedures is."""
from __future__ import annotations

import json

import pytest

from intake.answers import data_request_kind
from intake.dialogue import Dialogue
from intake.turns import ASK_NAME, IDLE, Turn
from nlu.data import load_training_data
from storage.catalogue_files import load_catalogue
from tests.conftest import ROOT

COPY = ["tôi muốn xem dữ liệu của tôi", "toi muon xem du lieu cua toi", "cho em xem dữ liệu của em",
        "xin bản sao dữ liệu cá nhân", "Tôi muốn lấy dữ liệu cá nhân của tôi", "xem du lieu ca nhan"]
DELETION = ["xoá dữ liệu của tôi", "xóa dữ liệu của tôi", "xoa du lieu cua toi",
            "Hãy xoá hết thông tin cá nhân của tôi", "huỷ dữ liệu của mình đi", "xoa thong tin ca nhan"]
NOT_REQUESTS = ["tôi đã cung cấp thông tin cá nhân rồi", "xin cấp lại thông tin cá nhân trên CCCD",
                "Tôi nộp hồ sơ khai sinh cho con 3 tuần rồi chưa có kết quả",
                "phường làm mất hồ sơ, xoá dữ liệu của tôi trên cổng dịch vụ công mà không báo, tôi đề "
                "nghị kiểm tra lại giúp", "xem tiến độ hồ sơ của tôi", "xóa"]


@pytest.mark.parametrize("text", COPY)
def test_copy_requests(text: str) -> None:
    assert data_request_kind(text) == "copy"


@pytest.mark.parametrize("text", DELETION)
def test_deletion_requests(text: str) -> None:
    assert data_request_kind(text) == "deletion"


@pytest.mark.parametrize("text", NOT_REQUESTS)
def test_other_messages(text: str) -> None:
    assert data_request_kind(text) is None


def test_no_training_or_held_out_text_is_taken_for_a_data_request() -> None:
    texts = [text for text, _ in load_training_data(ROOT / "nlu_data").examples]
    for name in ("nlu_heldout.jsonl", "nlu_realstyle.jsonl"):
        lines = (ROOT / "evaluation" / name).read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)["text"] for line in lines if line.strip()]
    assert len(texts) > 1000
    assert [t for t in texts if data_request_kind(t)] == []


@pytest.mark.parametrize("state", [IDLE, ASK_NAME])
def test_the_dialogue_records_the_request_and_keeps_its_place(state: str) -> None:
    dialogue = Dialogue(load_catalogue(ROOT / "catalogue"))
    slots = {"draft": {"text": "Tôi nộp hồ sơ khai sinh"}} if state != IDLE else {}
    step = dialogue.step(state, slots, Turn("xoa du lieu cua toi", None))
    assert step.state == state and step.replies == []
    assert [(a.name, a.params) for a in step.actions] == [("data_request", {"kind": "deletion"})]
