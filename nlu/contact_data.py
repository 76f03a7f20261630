"""Training sequences for the contact tagger, read from the Rasa YAML entity annotations of nlu_data/.

`[Phạm Thị Thu Hà](person_name)`, `[0976.543.210](phone)`, `[số 3 ngách 5 ngõ 120 Lĩnh Nam](address)`
and `[phường Ba Đình](ward)` are the four fields. Every other intent example is a sequence too, with
its `ward`/`phone` annotations and everything else outside any field, so the model sees the many
capitalised words, places and numbers of complaints that are not contact details. Examples that
give the citizen's own name or street address without annotating them are left out (they would
teach the opposite).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu.data import data_files, example_lines
from routing.text import fold

FIELDS = ("name", "phone", "address", "ward")
ENTITY_FIELD = {"person_name": "name", "phone": "phone", "address": "address", "ward": "ward"}
CONTACT_ENTITIES = frozenset({"person_name", "address"})
_ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]+)\](?:\((?P<short>[^()]*)\)|(?P<json>\{[^{}]*\}))")
# An unannotated self-introduction or street address: the example cannot serve as a negative.
_UNMARKED_CONTACT = re.compile(
    r"\b(?:ten (?:la|toi)|toi la|toi ten|nha (?:toi|em|minh) o|dia chi|thuong tru tai|tam tru tai)\b"
    r"|\b(?:so|ngo|ngach|hem|to|xom|thon|toa|phong) \d")


@dataclass(frozen=True)
class Span:
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    text: str
    spans: tuple[Span, ...]


def parse_annotated(line: str) -> Example:
    """The plain text and the field spans of one Rasa-annotated example line."""
    text, spans, position = [], [], 0
    for match in _ANNOTATION.finditer(line):
        text.append(line[position:match.start()])
        start = sum(map(len, text))
        entity = _entity_name(match)
        text.append(match.group("text"))
        if entity in ENTITY_FIELD:
            spans.append(Span(ENTITY_FIELD[entity], start, start + len(match.group("text"))))
        position = match.end()
    text.append(line[position:])
    return Example("".join(text), tuple(spans))


def _entity_name(match: re.Match[str]) -> str:
    if match.group("json") is not None:
        try:
            return str(json.loads(match.group("json")).get("entity", ""))
        except (ValueError, AttributeError):
            return ""
    return match.group("short").split(":", 1)[0].strip()


def load_examples(data_root: Path) -> list[Example]:
    """Every intent example of `data_root` as a contact-tagging example (see the module doc)."""
    examples: list[Example] = []
    for path in data_files(Path(data_root)):
        source = path.read_text(encoding="utf-8")
        trusted = any(f"]({name})" in source for name in CONTACT_ENTITIES)  # annotated throughout
        document = yaml.safe_load(source) or {}
        for block in document.get("nlu", []) or []:
            if not isinstance(block, dict) or "intent" not in block:
                continue
            for line in example_lines(block.get("examples", "") or ""):
                example = parse_annotated(line)
                if trusted or not _UNMARKED_CONTACT.search(fold(example.text)):
                    examples.append(example)
    return examples


def folded_view(example: Example) -> Example:
    """The same example typed without diacritics (and in lowercase, as people type it)."""
    return Example(fold(example.text), example.spans)


def unaccented_view(example: Example) -> Example:
    """Diacritics removed, capitals kept ('Pham Thi Thu Ha')."""
    folded = fold(example.text)
    text = "".join(f.upper() if c.isupper() else f for c, f in zip(example.text, folded))
    return Example(text, example.spans)


def upper_view(example: Example) -> Example:
    return Example(example.text.upper(), example.spans) if len(example.text.upper()) == len(
        example.text) else example


def training_views(examples: list[Example]) -> list[Example]:
    """Each example as written and folded; those with fields also unaccented with capitals kept and
    in capitals (other texts every fourth one), so capitals alone never make a name."""
    views: list[Example] = []
    for number, example in enumerate(examples):
        variants = [example, folded_view(example)]
        if example.spans:  # the contact examples, also with capitals kept and in capitals
            variants += [unaccented_view(example), upper_view(example)]
        elif number % 4 == 0:
            variants.append(upper_view(example))
        seen: set[str] = set()
        for variant in variants:
            if variant.text not in seen:
                seen.add(variant.text)
                views.append(variant)
    return views


def load_heldout(path: Path) -> list[dict[str, str | None]]:
    """Rows {"text", "name", "phone", "address", "ward"} (a missing field is null)."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append({"text": row["text"], **{f: row.get(f) for f in FIELDS}})
    return rows
