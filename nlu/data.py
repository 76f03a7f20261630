"""Reading Rasa-format training data (nlu_data/): examples, synonyms, lookups, regexes."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# [text](entity) or [text]{"entity": ..., "value": ...}
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]+)\)|(?P<json>\{[^}]*\}))")


@dataclass
class TrainingData:
    examples: list[tuple[str, str]] = field(default_factory=list)  # (text, label)
    synonyms: dict[str, str] = field(default_factory=dict)  # phrase -> value
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return sorted({label for _, label in self.examples})


def strip_annotations(example: str) -> str:
    return ANNOTATION.sub(lambda m: m.group("text"), example)


def example_lines(block: str) -> list[str]:
    return [line.strip()[2:].strip() for line in block.splitlines()
            if line.strip().startswith("- ")]


def data_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yml") if p.name != "config.yml")


def load_training_data(root: Path) -> TrainingData:
    """Read every .yml under `root` except config.yml. Assumes the validator has passed."""
    data = TrainingData(files=data_files(root))
    for path in data.files:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu", []) or []:
            if "intent" in block:
                for line in example_lines(block.get("examples", "")):
                    data.examples.append((strip_annotations(line), block["intent"]))
            elif "synonym" in block:
                for line in example_lines(block.get("examples", "")):
                    data.synonyms[line] = block["synonym"]
            elif "lookup" in block:
                data.lookups.setdefault(block["lookup"], []).extend(
                    example_lines(block.get("examples", "")))
            elif "regex" in block:
                data.regexes.setdefault(block["regex"], []).extend(
                    example_lines(block.get("examples", "")))
    return data
