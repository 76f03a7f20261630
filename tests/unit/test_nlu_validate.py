"""Each validator rule on a small bad file: the problem names the file, the block and the harm."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from nlu.training.validate import normalise_example, validate

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "catalogue"
GOOD = """version: "3.1"
nlu:
- intent: phan_anh__ho_tich
  examples: |
    - làm giấy khai sinh cho con mãi không xong
    - đăng ký kết hôn ở [phường Láng](ward) bị hẹn lại
- intent: chao_hoi
  examples: |
    - xin chào
- synonym: ubnd_xa
  examples: |
    - ủy ban phường
"""


def check(tmp_path: Path, text: str, min_examples: int = 1) -> list[str]:
    root = tmp_path / "nlu_data"
    root.mkdir(exist_ok=True)
    (root / "nlu.yml").write_text(text, encoding="utf-8")
    return validate(root, CATALOGUE, min_examples=min_examples)


def one(problems: list[str], *needles: str) -> str:
    hits = [p for p in problems if all(n in p for n in needles)]
    assert len(hits) == 1, problems
    assert hits[0].startswith("nlu_data/nlu.yml"), hits[0]
    return hits[0]


def test_good_file_has_no_problems(tmp_path: Path) -> None:
    assert check(tmp_path, GOOD) == []


def test_yaml_that_does_not_parse(tmp_path: Path) -> None:
    problem = one(check(tmp_path, 'version: "3.1"\nnlu:\n- intent: x\n  examples: [unclosed\n'),
                  "YAML does not parse")
    assert "line" in problem and "left out of training" in problem


@pytest.mark.parametrize("text, missing", [
    ('nlu:\n- intent: chao_hoi\n  examples: |\n    - xin chào\n', "`version`"),
    ('version: "3.1"\nrules: []\n', "`nlu`"),
])
def test_missing_top_level_keys(tmp_path: Path, text: str, missing: str) -> None:
    one(check(tmp_path, text), missing)


def test_block_without_known_key(tmp_path: Path) -> None:
    problem = one(check(tmp_path, GOOD + "- intnet: chao_hoi\n  examples: |\n    - chào\n"),
                  "block 4", "no intent/synonym/regex/lookup")
    assert "intnet" in problem and "ignored" in problem


def test_intent_without_examples(tmp_path: Path) -> None:
    one(check(tmp_path, GOOD + "- intent: cam_on\n"), "intent cam_on", "no examples")


def test_line_without_dash(tmp_path: Path) -> None:
    text = GOOD.replace("    - xin chào\n", "    - xin chào\n    chào bạn\n")
    problem = one(check(tmp_path, text), "intent chao_hoi", "'chào bạn'")
    assert "dropped" in problem


@pytest.mark.parametrize("example", [
    "gọi cho tôi [0912345678](phone",  # unclosed
    "ở [phường Láng] bị hẹn",  # no entity
    'ở [phường Láng]{"entity": } bị hẹn',  # JSON that does not parse
    "ở [phường Láng]() bị hẹn",  # empty name
])
def test_malformed_annotation(tmp_path: Path, example: str) -> None:
    text = GOOD.replace("    - xin chào\n", f"    - xin chào\n    - {example}\n")
    problems = check(tmp_path, text)
    assert any("intent chao_hoi" in p and ("annotation" in p) for p in problems), problems


def test_same_example_under_two_intents(tmp_path: Path) -> None:
    text = GOOD + "- intent: cam_on\n  examples: |\n    - Xin   CHÀO\n"
    problem = one(check(tmp_path, text), "2 intents")
    assert "chao_hoi" in problem and "cam_on" in problem


def test_clash_detected_through_annotations_and_nfd(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "đăng ký kết hôn ở phường Láng bị hẹn lại")
    text = GOOD + f"- intent: tra_cuu\n  examples: |\n    - {nfd}\n"
    one(check(tmp_path, text), "2 intents", "phan_anh__ho_tich", "tra_cuu")


def test_duplicate_within_intent(tmp_path: Path) -> None:
    text = GOOD.replace("    - xin chào\n", "    - xin chào\n    - xin  chào \n")
    one(check(tmp_path, text), "intent chao_hoi", "more than once")


def test_too_few_examples_for_a_procedure(tmp_path: Path) -> None:
    problem = one(check(tmp_path, GOOD, min_examples=40), "phan_anh__ho_tich", "fewer than 40")
    assert "2 distinct examples" in problem
    assert check(tmp_path, GOOD, min_examples=2) == []


def test_unknown_procedure(tmp_path: Path) -> None:
    text = GOOD + "- intent: phan_anh__ho_chieu\n  examples: |\n    - làm hộ chiếu lâu\n"
    one(check(tmp_path, text), "'ho_chieu'", "procedures.yaml")


def test_unknown_plain_intent(tmp_path: Path) -> None:
    text = GOOD + "- intent: hoi_dap\n  examples: |\n    - cho hỏi\n"
    one(check(tmp_path, text), "unknown intent 'hoi_dap'")


def test_unknown_entity_name(tmp_path: Path) -> None:
    text = GOOD.replace("(ward)", "(phuong)")
    one(check(tmp_path, text), "entity 'phuong'")


def test_synonym_value_not_an_agency(tmp_path: Path) -> None:
    text = GOOD.replace("synonym: ubnd_xa", "synonym: uy_ban_xa")
    one(check(tmp_path, text), "synonym value 'uy_ban_xa'", "agency id")


def test_normalise_example() -> None:
    assert normalise_example("  Ở [Phường Láng](ward)   bị hẹn ") == "ở phường láng bị hẹn"
