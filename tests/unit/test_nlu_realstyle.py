"""The real-style held-out file (issue 14) is apart from the training data and labelled by the contract."""
from __future__ import annotations

from nlu.data import load_training_data
from nlu.training.evaluate import load_heldout, nearest_training_similarity
from routing.text import fold, squash_spaces
from storage.catalogue_files import load_catalogue
from tests.conftest import ROOT

REALSTYLE = ROOT / "evaluation" / "nlu_realstyle.jsonl"
PARAPHRASE = 0.7  # as in test_nlu_heldout.py: a light paraphrase scores about 0.75-0.85


def _key(text: str) -> str:
    return squash_spaces(fold(text).lower())


def test_no_real_style_text_is_a_training_example_or_a_paraphrase_of_one() -> None:
    rows = load_heldout(REALSTYLE)
    training = [text for text, _ in load_training_data(ROOT / "nlu_data").examples]
    copies = {_key(text) for text in training} & {_key(row["text"]) for row in rows}
    pakn = [row["text"] for row in rows if row["intent"] == "phan_anh"]
    similarity = nearest_training_similarity(pakn, training)
    close = [(round(float(s), 2), text) for s, text in zip(similarity, pakn) if s >= PARAPHRASE]
    assert len(rows) >= 300 and len(pakn) >= 280
    assert copies == set()
    assert close == []


def test_real_style_labels_follow_the_catalogue() -> None:
    catalogue = load_catalogue(ROOT / "catalogue")
    rows = load_heldout(REALSTYLE)
    wrong = []
    for row in rows:
        procedure, agency = row["procedure"], row["agency"]
        if row["intent"] != "phan_anh":
            ok = procedure is None and agency is None
        elif procedure == "khieu_nai_to_cao":
            ok = agency is None
        else:
            ok = procedure in catalogue.procedures and (
                agency == catalogue.procedures[procedure].default_agency
                or catalogue.can_handle(agency, procedure))
        if not ok:
            wrong.append(row["text"])
    assert wrong == []
    groups = {row["procedure"] for row in rows if row["intent"] == "phan_anh"}
    assert groups == set(catalogue.procedures)
