"""Which inbound messages the review queue takes, and why (no database: the decision alone)."""
from __future__ import annotations

from nlu.result import ParseResult
from nlu.training.review_data import block, training_label, without_example
from nlu.training.review_queue import message_source


def parse_with(first: float, second: float) -> object:
    ranking = [{"name": "phan_anh__ho_tich", "confidence": first},
               {"name": "phan_anh__chung_thuc", "confidence": second}]
    return lambda text: ParseResult(text, "phan_anh", first, "ho_tich", "ubnd_xa", [], ranking)


def test_low_confidence_fallback_and_close_top_two() -> None:
    sure = {"intent": "phan_anh", "confidence": 0.9, "procedure": "ho_tich"}
    assert message_source(sure, 0.45, 0.15, parse_with(0.9, 0.05), "x")[0] is None
    source, predicted = message_source(sure, 0.45, 0.15, parse_with(0.5, 0.4), "x")
    assert source == "close_top_two" and predicted["margin"] == 0.1
    assert predicted["ranking"][1]["name"] == "phan_anh__chung_thuc"
    unsure = {"intent": "nlu_fallback", "confidence": 0.3, "procedure": None}
    assert message_source(unsure, 0.45, 0.15, parse_with(0.3, 0.2), "x")[0] == "low_confidence"
    chit_chat = {"intent": "nlu_fallback", "confidence": 0.8}
    assert message_source(chit_chat, 0.45, 0.15, parse_with(0.8, 0.1), "x")[0] == "fallback"
    # What the pipeline stored when it answered wins over what today's model would say.
    ranking = parse_with(0.5, 0.45)("x").top_two()
    stored = {"intent": "phan_anh", "confidence": 0.5, "ranking": ranking, "margin": 0.05}
    assert message_source(stored, 0.45, 0.15, parse_with(0.9, 0.05), "x") == ("close_top_two", {
        "intent": "phan_anh", "confidence": 0.5, "procedure": None, "agency": None, "backend": None,
        "ranking": ranking, "margin": 0.05})


def test_training_labels_and_blocks() -> None:
    assert training_label("phan_anh", "pccc") == "phan_anh__pccc"
    assert training_label("nlu_fallback", None) == "ngoai_pham_vi"
    assert training_label("tra_cuu", None) == "tra_cuu"
    text = block("phan_anh__pccc", "trạm sạc\nxe điện", {"review": 3, "channel": "zalo", "case": None})
    assert text == "# review 3 | channel zalo\n- intent: phan_anh__pccc\n  examples: |\n    - trạm sạc xe điện\n"
    content = "nlu:\n- intent: a\n  examples: |\n    - Trạm  SẠC xe dien\n    - khác\n"
    assert without_example(content, "trạm sạc xe điện") == "nlu:\n- intent: a\n  examples: |\n    - khác\n"
