"""The contact-details extractor (issue 13): a CRF trained on nlu_data/ plus the name knowledge
reads name, phone, address and ward from messages typed the way citizens type them."""
from __future__ import annotations

import pytest

from nlu.contact_data import FIELDS, load_examples, load_heldout, parse_annotated
from nlu.contacts import ContactExtractor, normalise_value
from routing.text import fold
from tests.conftest import ROOT

NLU_DATA = ROOT / "nlu_data"
HELDOUT = ROOT / "evaluation" / "contacts_heldout.jsonl"


@pytest.fixture(scope="module")
def extractor() -> ContactExtractor:
    return ContactExtractor.train_in_memory(load_examples(NLU_DATA))


def test_everything_in_one_teencode_message(extractor: ContactExtractor) -> None:
    text = "e tên Phạm Thị Thu Hà sđt 0976.543.210 nhà e ở số 3 ngách 5 ngõ 120 Lĩnh Nam"
    found = extractor.extract(text)
    assert found.name is not None and found.name.value == "Phạm Thị Thu Hà"
    assert found.phone is not None and found.phone.value == "0976543210" and found.phone.valid
    assert found.address is not None and found.address.value == "số 3 ngách 5 ngõ 120 Lĩnh Nam"
    assert text[found.address.start:found.address.end] == found.address.text
    assert 0.5 < found.name.confidence <= 1.0


def test_the_same_message_without_diacritics(extractor: ContactExtractor) -> None:
    found = extractor.extract(fold("e tên Phạm Thị Thu Hà sđt 0976.543.210 nhà e ở số 3 ngách 5 ngõ 120 Lĩnh Nam"))
    assert found.values() == {"name": "Pham Thi Thu Ha", "phone": "0976543210",
                              "address": "so 3 ngach 5 ngo 120 linh nam", "ward": None}


def test_a_street_named_like_a_command_and_a_ward_without_diacritics(extractor: ContactExtractor) -> None:
    assert extractor.extract("so 5 Doi Can, Ba Dinh").values() == {
        "name": None, "phone": None, "address": "so 5 Doi Can", "ward": "Ba Dinh"}


@pytest.mark.parametrize("text", [
    "TÔI LÀ THƯƠNG BINH HẠNG 2/4", "giá vàng hôm nay bao nhiêu", "Giá Vàng Hôm Nay",
    "vẫn thông tin như cũ", "Xin cảm ơn.", "bao lau thi co ket qua a?",
])
def test_text_that_is_not_a_name_gives_no_name(extractor: ContactExtractor, text: str) -> None:
    assert extractor.extract(text).name is None
    assert extractor.extract(fold(text)).name is None


@pytest.mark.parametrize("text, name", [
    ("e tên Hoàng Minh Châu", "Hoàng Minh Châu"),
    ("mik là Trần Thị Mai", "Trần Thị Mai"),
    ("NGUYỄN VĂN HUY - 0912 345 678", "Nguyễn Văn Huy"),
    ("e ten nguyen van thoi", "Nguyen Van Thoi"),
])
def test_names_with_lead_ins_capitals_and_command_like_syllables(
        extractor: ContactExtractor, text: str, name: str) -> None:
    found = extractor.extract(text).name
    assert found is not None and found.value == name


def test_name_phone_address_in_any_order_with_separators(extractor: ContactExtractor) -> None:
    found = extractor.extract("0912345678 - Nguyễn Văn An - số 10 ngõ 5 Trần Phú, phường Hà Đông")
    assert found.values() == {"name": "Nguyễn Văn An", "phone": "0912345678",
                              "address": "số 10 ngõ 5 Trần Phú", "ward": "phường Hà Đông"}


def test_a_mistyped_phone_is_found_but_marked_invalid(extractor: ContactExtractor) -> None:
    found = extractor.extract("sđt 0912 345 67")
    assert found.phone is None or not found.phone.valid


def test_name_knowledge_refuses_capitalised_words_that_are_not_names(extractor: ContactExtractor) -> None:
    assert not extractor.is_name(["Thương", "Binh", "Hạng"], cue="la", mixed_case=False)
    assert not extractor.is_name(["thương", "binh"], cue="la", mixed_case=False)
    assert not extractor.is_name(["Vàng", "Hôm", "Nay"], cue="", mixed_case=True)
    assert extractor.is_name(["Bùi", "Quang", "Huy"], cue="", mixed_case=False)
    assert extractor.is_name(["Linh"], cue="ten", mixed_case=False)


def test_annotations_become_spans() -> None:
    example = parse_annotated("e tên [Phạm Thị Thu Hà](person_name) sđt [0976.543.210](phone)")
    assert example.text == "e tên Phạm Thị Thu Hà sđt 0976.543.210"
    assert [(s.field, example.text[s.start:s.end]) for s in example.spans] == [
        ("name", "Phạm Thị Thu Hà"), ("phone", "0976.543.210")]


def test_no_held_out_message_is_in_the_training_data() -> None:
    rows = load_heldout(HELDOUT)
    assert len(rows) >= 200
    training = {normalise_value("name", e.text) for e in load_examples(NLU_DATA)}
    training |= {fold(t) for t in training if t}
    copied = [row["text"] for row in rows
              if normalise_value("name", row["text"]) in training
              or fold(row["text"]) in training]
    assert copied == []
    assert all(any(row[f] for f in FIELDS) for row in rows[:10])
    assert sum(1 for row in rows if not any(row[f] for f in FIELDS)) >= 30  # negatives too


def test_heldout_golds_are_substrings_of_their_text() -> None:
    for row in load_heldout(HELDOUT):
        for field in FIELDS:
            assert row[field] is None or row[field] in row["text"], (field, row)
