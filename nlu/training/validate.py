"""Checks on nlu_data/ before training: each problem names the file, the block and what goes wrong.

Training reads the data leniently (bad lines are skipped, clashing examples both kept), so a
mistake in the YAML shows up later as a quietly worse model. The validator makes it loud.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from nlu.data import data_files
from nlu.result import CONTACT_INTENT, OUT_OF_SCOPE_INTENT, PAKN_PREFIX, QUESTION_INTENT
from routing.text import nfc, squash_spaces

ENTITY_NAMES = frozenset({"ward", "phone", "case_code", "dossier_code", "agency", "person_name", "address"})
OTHER_INTENTS = frozenset({"tra_cuu", "gap_can_bo", "chao_hoi", "cam_on", "huy_bo", OUT_OF_SCOPE_INTENT,
                           CONTACT_INTENT, QUESTION_INTENT})
BLOCK_KINDS = ("intent", "synonym", "regex", "lookup")
MIN_PAKN_EXAMPLES = 40
# A well-formed annotation: [text](entity), [text](entity:value) or [text]{"entity": ...}.
ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]+)\](?:\((?P<short>[^()]*)\)|(?P<json>\{[^{}]*\}))")
SHORT_FORM = re.compile(r"^(?P<entity>[A-Za-z_][\w-]*)(?::(?P<value>.+))?$")


def validate(data_root: Path, catalogue_dir: Path | None = None,
             min_examples: int = MIN_PAKN_EXAMPLES) -> list[str]:
    """Every problem found in the Rasa YAML under `data_root`, as readable sentences."""
    data_root = Path(data_root)
    catalogue_dir = Path(catalogue_dir) if catalogue_dir else data_root.parent / "catalogue"
    procedures, agencies = _catalogue_ids(catalogue_dir)
    if not data_root.is_dir():
        return [f"{data_root}: no such directory; nothing to train on"]
    files = data_files(data_root)
    if not files:
        return [f"{data_root}: no .yml files; nothing to train on"]
    problems: list[str] = []
    seen: dict[str, list[tuple[str, str]]] = defaultdict(list)  # normalised -> [(intent, where)]
    counts: dict[str, int] = defaultdict(int)
    where_intent: dict[str, str] = {}
    for path in files:
        name = _display(path, data_root)
        for where, block in _blocks(path, name, problems):
            _check_block(where, block, procedures, agencies, problems, seen, counts, where_intent)
    for key, places in seen.items():
        intents = sorted({intent for intent, _ in places})
        if len(intents) > 1:
            others = "; ".join(f"{intent} at {at}" for intent, at in places[1:])
            problems.append(f"{places[0][1]}: example \"{key}\" is labelled with {len(intents)} "
                            f"intents (also {others}); the model learns a contradiction")
    for intent, count in sorted(counts.items()):
        if intent.startswith(PAKN_PREFIX) and count < min_examples:
            problems.append(f"{where_intent[intent]}: intent {intent} has {count} distinct examples, "
                            f"fewer than {min_examples}; the procedure will be recognised poorly")
    return problems


def _catalogue_ids(catalogue_dir: Path) -> tuple[set[str] | None, set[str] | None]:
    def ids(name: str, key: str) -> set[str] | None:
        path = catalogue_dir / name
        if not path.exists():
            return None
        return {str(item["id"]) for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {})
                .get(key, [])}
    return ids("procedures.yaml", "procedures"), ids("agencies.yaml", "agencies")


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _blocks(path: Path, name: str, problems: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """(where, block) for each item of `nlu:`; file-level problems go to `problems`."""
    text = path.read_text(encoding="utf-8")
    try:
        document = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        problems.append(f"{name}: YAML does not parse{at} ({getattr(error, 'problem', error)}); "
                        "the whole file is left out of training")
        return []
    if not isinstance(document, dict):
        problems.append(f"{name}: not a mapping with `version` and `nlu`; the file is left out of training")
        return []
    if "version" not in document:
        problems.append(f"{name}: no `version` key; Rasa refuses or misreads the file (use \"3.1\")")
    if "nlu" not in document:
        problems.append(f"{name}: no `nlu` key; none of its content is training data")
        return []
    if not isinstance(document["nlu"], list):
        problems.append(f"{name}: `nlu` is not a list of blocks; nothing in it is used")
        return []
    lines = _block_lines(node)
    found = []
    for number, block in enumerate(document["nlu"], 1):
        line = f" (line {lines[number - 1]})" if number - 1 < len(lines) else ""
        found.append((f"{name} block {number}{line}", block))
    return found


def _block_lines(node: Any) -> list[int]:
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "nlu" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _check_block(where: str, block: Any, procedures: set[str] | None, agencies: set[str] | None,
                 problems: list[str], seen: dict[str, list[tuple[str, str]]],
                 counts: dict[str, int], where_intent: dict[str, str]) -> None:
    if not isinstance(block, dict) or not any(kind in block for kind in BLOCK_KINDS):
        keys = ", ".join(map(str, block)) if isinstance(block, dict) else type(block).__name__
        problems.append(f"{where}: no intent/synonym/regex/lookup key (has: {keys}); the block is ignored")
        return
    kind = next(k for k in BLOCK_KINDS if k in block)
    name = str(block[kind])
    where = f"{where}, {kind} {name}"
    lines = _example_lines(where, block.get("examples"), problems)
    if not lines:
        problems.append(f"{where}: no examples; the {kind} contributes nothing")
        return
    if kind == "intent":
        _check_intent(where, name, lines, procedures, agencies, problems, seen, counts)
        where_intent.setdefault(name, where)
    elif kind == "synonym" and agencies is not None and name not in agencies:
        problems.append(f"{where}: synonym value {name!r} is not an agency id from agencies.yaml; "
                        "mapping phrases to it routes nowhere")


def _example_lines(where: str, examples: Any, problems: list[str]) -> list[str]:
    if examples is None:
        return []
    if not isinstance(examples, str):
        problems.append(f"{where}: `examples` is not a block string (write `examples: |`); "
                        "the block is ignored")
        return []
    lines = []
    for raw in examples.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("- "):
            problems.append(f"{where}: line {line[:60]!r} does not start with \"- \"; "
                            "it is silently dropped from training")
            continue
        if line[2:].strip():
            lines.append(line[2:].strip())
    return lines


def _check_intent(where: str, intent: str, lines: list[str], procedures: set[str] | None,
                  agencies: set[str] | None, problems: list[str],
                  seen: dict[str, list[tuple[str, str]]], counts: dict[str, int]) -> None:
    if intent.startswith(PAKN_PREFIX):
        procedure = intent[len(PAKN_PREFIX):]
        if procedures is not None and procedure not in procedures:
            problems.append(f"{where}: procedure {procedure!r} is not in catalogue/procedures.yaml; "
                            "cases classified here cannot be routed")
    elif intent not in OTHER_INTENTS:
        problems.append(f"{where}: unknown intent {intent!r} (expected {PAKN_PREFIX}<procedure> or "
                        f"one of {', '.join(sorted(OTHER_INTENTS))}); the dialogue has no answer for it")
    in_block: set[str] = set()
    for line in lines:
        plain = _check_annotations(where, line, agencies, problems)
        key = normalise_example(plain)
        if key in in_block or any(i == intent for i, _ in seen.get(key, [])):
            problems.append(f"{where}: example \"{key}\" appears more than once in {intent}; "
                            "duplicates overweight one phrasing")
            continue
        in_block.add(key)
        seen[key].append((intent, where))
        counts[intent] += 1


def _check_annotations(where: str, line: str, agencies: set[str] | None, problems: list[str]) -> str:
    """The example without annotations; malformed ones are reported."""
    for match in ANNOTATION.finditer(line):
        entity, value, error = _annotation_target(match)
        if error:
            problems.append(f"{where}: annotation {match.group(0)!r} in \"{line[:80]}\" {error}; "
                            "the entity is not learned")
        elif entity not in ENTITY_NAMES:
            problems.append(f"{where}: entity {entity!r} in \"{line[:80]}\" is not one of "
                            f"{', '.join(sorted(ENTITY_NAMES))}; nothing extracts or uses it")
        elif entity == "agency" and value and agencies is not None and value not in agencies:
            problems.append(f"{where}: agency value {value!r} in \"{line[:80]}\" is not an agency id")
    plain = ANNOTATION.sub(lambda m: m.group("text"), line)
    if "[" in plain or "]" in plain:
        problems.append(f"{where}: malformed entity annotation in \"{line[:80]}\" (write "
                        "[text](entity)); the brackets end up in the training text")
    return plain


def _annotation_target(match: re.Match[str]) -> tuple[str, str | None, str | None]:
    if match.group("json") is not None:
        try:
            spec = json.loads(match.group("json"))
        except ValueError:
            return "", None, "has JSON that does not parse"
        if not isinstance(spec, dict) or not isinstance(spec.get("entity"), str):
            return "", None, "has no \"entity\" name"
        value = spec.get("value")
        return spec["entity"], str(value) if value is not None else None, None
    short = SHORT_FORM.match(match.group("short").strip())
    if not short:
        return "", None, "has an empty or invalid entity name"
    return short.group("entity"), short.group("value"), None


def normalise_example(text: str) -> str:
    """The comparison key for duplicates: NFC, lowercase, single spaces, annotations stripped."""
    return squash_spaces(nfc(ANNOTATION.sub(lambda m: m.group("text"), text)).lower())
