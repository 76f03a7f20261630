"""Reviewed examples in the training data: labels, clashes with existing data, staged validation.

Accepted examples go to the document `reviewed/<source>.yml` (in the database: data_edits.py), one
block per example with a YAML comment naming where it came from (channel, dates, reviewer, case).
Blocks are appended as text, so the comments of a file survive. Every change is validated on a
staged copy first (the other files are symlinked), and only problems the change introduces are
reported: an old problem elsewhere does not block a review.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nlu.data import ANNOTATION, data_files, example_lines
from nlu.result import FALLBACK, OUT_OF_SCOPE_INTENT, PAKN_PREFIX, QUESTION_INTENT
from nlu.training.validate import OTHER_INTENTS, normalise_example, validate
from routing.text import fold

REVIEWED_DIR = "reviewed"
TRAINING_INTENTS = ("phan_anh", "tra_cuu", "gap_can_bo", "chao_hoi", "cam_on", "huy_bo",
                    QUESTION_INTENT, OUT_OF_SCOPE_INTENT)
HEADER = ('# Examples accepted in the staff console\'s NLU review (source: {source}).\n'
          '# Personal data was masked before writing; each comment says where the text came from.\n'
          'version: "3.1"\nnlu:\n')


def training_label(intent: str, procedure: str | None) -> str:
    """The training intent for contract labels: ('phan_anh', 'ho_tich') -> 'phan_anh__ho_tich'."""
    if intent == "phan_anh":
        if not procedure:
            raise ValueError("a phan_anh example needs a procedure")
        return PAKN_PREFIX + procedure
    if intent == FALLBACK:
        return OUT_OF_SCOPE_INTENT
    if intent not in OTHER_INTENTS:
        raise ValueError(f"unknown intent {intent!r}")
    return intent


def one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Clash:
    """An existing example with the same text: `duplicate` (same intent) or `conflict` (another)."""

    kind: str
    intent: str
    file: str
    example: str


def existing_examples(data_root: Path) -> Iterator[tuple[str, str, str]]:
    """(intent, file relative to the data root, example line) for every intent example."""
    for path in data_files(data_root):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        blocks = (document.get("nlu") or []) if isinstance(document, dict) else []
        for item in blocks:
            if isinstance(item, dict) and "intent" in item and isinstance(item.get("examples"), str):
                for line in example_lines(item["examples"]):
                    yield str(item["intent"]), str(path.relative_to(data_root)), line


def find_clashes(data_root: Path, text: str, label: str) -> list[Clash]:
    """Existing examples equal to `text` (ignoring case, spacing, annotations and diacritics)."""
    key = fold(normalise_example(text))
    found = []
    for intent, file, line in existing_examples(data_root):
        if fold(normalise_example(line)) == key:
            found.append(Clash("duplicate" if intent == label else "conflict", intent, file, line))
    return found


def provenance(details: dict[str, Any]) -> str:
    """'# review 12 | channel telegram | ...' from the non-empty details, one line, no newlines."""
    parts = [f"{key} {one_line(str(value))}" for key, value in details.items() if value not in (None, "")]
    return "# " + " | ".join(parts) + "\n"


def block(label: str, example: str, details: dict[str, Any]) -> str:
    return f"{provenance(details)}- intent: {label}\n  examples: |\n    - {one_line(example)}\n"


def reviewed_file(source: str) -> str:
    if not re.fullmatch(r"[a-z_]+", source):
        raise ValueError(f"bad source name {source!r}")
    return f"{REVIEWED_DIR}/{source}.yml"


def appended(data_root: Path, relative: str, source: str, text: str) -> str:
    """The content of `relative` with `text` (one or more blocks) appended."""
    path = data_root / relative
    current = path.read_text(encoding="utf-8") if path.exists() else HEADER.format(source=source)
    if not current.endswith("\n"):
        current += "\n"
    return current + text


def without_example(content: str, text: str) -> str:
    """`content` with every example line equal to `text` (same comparison as clashes) removed."""
    key = fold(normalise_example(text))
    kept = []
    for line in content.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("- ") and not stripped.startswith("- intent:") \
                and fold(normalise_example(stripped[2:])) == key:
            continue
        kept.append(line)
    return "".join(kept)


def staged_problems(data_root: Path, catalogue_dir: Path, changes: dict[str, str]) -> list[str]:
    """Validator problems that `changes` ({relative path: new content}) would introduce."""
    data_root = Path(data_root)
    before = set(validate(data_root, catalogue_dir))
    with tempfile.TemporaryDirectory(prefix="pakn-nlu-stage-") as temporary:
        staged = Path(temporary) / data_root.name  # same name: problems read the same
        for path in sorted(data_root.rglob("*")):
            if path.is_file():
                target = staged / path.relative_to(data_root)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(path.resolve(), target)
        for relative, content in changes.items():
            target = staged / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.exists():
                target.unlink()
            target.write_text(content, encoding="utf-8")
        after = validate(staged, catalogue_dir)
    return [problem for problem in after if problem not in before]


def safe_relative(data_root: Path, relative: str) -> Path:
    """The path of a data file inside the data root; ValueError for anything else."""
    path = (Path(data_root) / relative).resolve()
    root = Path(data_root).resolve()
    if root not in path.parents or path.suffix != ".yml" or path.name == "config.yml":
        raise ValueError(f"not a training data file: {relative}")
    return path


def annotate(text: str, entities: list[dict[str, Any]], can_name: Any = None) -> str:
    """Rasa inline annotations for extracted entities (agencies only where `can_name(id)`)."""
    out, position = [], 0
    for entity in sorted(entities, key=lambda e: int(e["start"])):
        start, end = int(entity["start"]), int(entity["end"])
        if start < position or ANNOTATION.search(text[start:end]) or "[" in text[start:end]:
            continue
        name, value = str(entity["entity"]), str(entity["value"])
        if name == "agency":
            if can_name is not None and not can_name(value):
                continue
            mark = f'{{"entity": "agency", "value": "{value}"}}'
        elif name in ("ward", "phone", "case_code", "dossier_code"):
            mark = f"({name})"
        else:
            continue
        out.append(text[position:start] + f"[{text[start:end]}]" + mark)
        position = end
    out.append(text[position:])
    return "".join(out)


def intent_counts(data_root: Path) -> dict[str, dict[str, int]]:
    """intent -> {file: number of examples}."""
    counts: dict[str, dict[str, int]] = {}
    for intent, file, _ in existing_examples(data_root):
        counts.setdefault(intent, {}).setdefault(file, 0)
        counts[intent][file] += 1
    return counts
