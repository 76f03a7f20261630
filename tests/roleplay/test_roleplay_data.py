"""The held-out citizens are valid and cover what issue 13 asks for; none of their texts is training
data (a model that had seen them would make the suite's figure meaningless)."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.roleplay.scoring import tags
from tests.roleplay.script import CITIZENS_DIR, CONTACTS, STYLES, TYPINGS, Citizen, fold, load_citizens

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "catalogue"
KEYS = {"id", "facts", "describe", "habits", "style", "typing", "contact", "before", "more", "asides",
        "wrong", "cancel", "consent", "taps", "expect", "english", "after"}
# Each habit of the issue's list, with the fewest citizens that must show it.
REQUIRED = {"diacritics": 40, "no_diacritics": 30, "teencode": 25, "capitals": 15, "formal": 10,
            "contact:all_at_once": 20, "contact:one_by_one": 40, "contact:in_description": 10,
            "contact:name_phone": 10, "out_of_turn": 3, "side_question": 10, "chit_chat": 4,
            "correction": 8, "cancel_undo": 6, "command_like": 15, "procedure_question": 6,
            "english": 3, "dispute": 4, "staff_asks_more": 4, "khieu_nai": 3, "multi_message": 6}


def _catalogue(name: str) -> dict[str, Any]:
    return yaml.safe_load((CATALOGUE / f"{name}.yaml").read_text("utf-8"))


@pytest.fixture(scope="module")
def citizens() -> list[Citizen]:
    return load_citizens()


def test_at_least_150_citizens_cover_every_procedure_group(citizens: list[Citizen]) -> None:
    groups = {p["id"] for p in _catalogue("procedures")["procedures"]}
    per_group = Counter(c.facts.procedure for c in citizens)
    assert len(citizens) >= 150
    assert set(per_group) == groups, sorted(groups ^ set(per_group))
    assert min(count for group, count in per_group.items() if group != "khieu_nai_to_cao") >= 5, per_group


def test_every_habit_of_the_issue_is_played_by_enough_citizens(citizens: list[Citizen]) -> None:
    shown = Counter(tag for c in citizens for tag in tags(c))
    missing = {habit: (shown[habit], least) for habit, least in REQUIRED.items() if shown[habit] < least}
    assert not missing, missing


def test_rows_use_known_keys_styles_and_unique_ids() -> None:
    rows = [row for path in sorted(CITIZENS_DIR.glob("*.yaml"))
            for row in yaml.safe_load(path.read_text("utf-8"))["citizens"]]
    assert not [row["id"] for row in rows if set(row) - KEYS]
    assert [i for i, n in Counter(row["id"] for row in rows).items() if n > 1] == []
    for row in rows:
        assert row.get("style", "plain") in STYLES and row.get("typing", "diacritics") in TYPINGS
        assert row.get("contact", "one_by_one") in CONTACTS


def test_facts_agree_with_the_catalogue(citizens: list[Citizen]) -> None:
    """Wards are units of wards.yaml; the agency is the group's default or one the group's
    competence list allows (named in the citizen's text); a khiếu nại has none."""
    wards = {f"{u['type']} {u['name']}" for u in _catalogue("wards")["units"]}
    procedures = {p["id"]: p for p in _catalogue("procedures")["procedures"]}
    competence = _catalogue("competence")["competence"]
    for c in citizens:
        f = c.facts
        assert f.ward in wards, c.id
        assert fold(f.street) in fold(f.address), c.id
        if f.procedure == "khieu_nai_to_cao":
            assert f.agency is None and c.expect == "redirect", c.id
            continue
        allowed = {procedures[f.procedure]["default_agency"]} | {
            agency for agency, groups in competence.items() if f.procedure in groups}
        assert f.agency in allowed, c.id
        for value in (f.name, f.phone, f.address):  # no scripted message gives away a wrong fact
            assert value.strip(), c.id


def _training_texts() -> list[str]:
    """Every intent example of nlu_data/ (entity annotations '[text](entity)' read as their text),
    folded; lookup and synonym phrase lists are not examples."""
    texts = []
    for path in (ROOT / "nlu_data").rglob("*.yml"):
        for item in (yaml.safe_load(path.read_text("utf-8")) or {}).get("nlu") or []:
            if "intent" not in item:
                continue
            for line in str(item.get("examples", "")).splitlines():
                line = re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", line.strip())
                if line.startswith("- "):
                    texts.append(" ".join(fold(line[2:]).split()))
    return texts


def test_no_held_out_text_is_in_the_training_data(citizens: list[Citizen]) -> None:
    training = _training_texts()
    corpus = "\n".join(training)
    assert len(training) > 100  # the real nlu_data/ was read
    leaked = []
    sentences = [t for t in training if len(t.split()) >= 8]  # a whole example copied in
    for c in citizens:
        for text in c.describe + c.before:
            folded = " ".join(fold(text).split())
            if len(folded.split()) < 4:
                continue  # a greeting ('Xin chào') is not a held-out text
            if folded in corpus or any(t in folded for t in sentences):
                leaked.append((c.id, text))
    assert not leaked, leaked
