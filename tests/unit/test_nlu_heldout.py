"""The held-out set measures generalisation only if it is not a paraphrase of the training data."""
from __future__ import annotations

from nlu.data import load_training_data
from nlu.training.evaluate import load_heldout, nearest_training_similarity
from tests.conftest import ROOT

# A light paraphrase of a training example scores about 0.75-0.85 on this measure; a copy 1.0.
PARAPHRASE = 0.7


def test_no_held_out_pakn_is_a_paraphrase_of_a_training_example() -> None:
    rows = [row for row in load_heldout(ROOT / "evaluation" / "nlu_heldout.jsonl")
            if row["intent"] == "phan_anh"]
    training = [text for text, _ in load_training_data(ROOT / "nlu_data").examples]
    similarity = nearest_training_similarity([row["text"] for row in rows], training)
    close = [(round(float(s), 2), row["text"]) for s, row in zip(similarity, rows) if s >= PARAPHRASE]
    assert len(rows) > 290  # 298 since issue 14 relabelled 38 plain questions as hoi_thu_tuc
    assert close == []


def test_the_measure_sees_a_copy_and_a_paraphrase() -> None:
    training = ["làm giấy khai sinh cho con 3 tuần chưa có kết quả", "xin cấp phép xây dựng nhà ở"]
    copy, paraphrase, other = nearest_training_similarity(
        ["lam giay khai sinh cho con 3 tuan chua co ket qua",
         "làm giấy khai sinh cho con đã 3 tuần mà chưa có kết quả",
         "tiền bồi thường thu hồi đất chưa được chi trả"], training)
    assert copy > 0.99 and paraphrase >= PARAPHRASE and other < 0.4
