"""Field-level precision, recall and F1 of the contact extractor on held-out messages.

Each held-out message is scored as written and with its diacritics folded away (lowercase, as
people type without them). Per field: a predicted value equal to the gold one is a true positive;
a wrong value counts as a false positive and a false negative; a value where the gold has none is a
false positive; none where the gold has one, a false negative.
"""
from __future__ import annotations

from typing import Any, TextIO

from nlu.contact_data import FIELDS
from nlu.contacts import ContactExtractor, normalise_value
from routing.text import fold

VIEWS = ("accented", "folded")


def evaluate(extractor: ContactExtractor, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """{"accented"|"folded": {"fields": {field: {precision, recall, f1, support}}, "errors": [...]}}"""
    report: dict[str, Any] = {"examples": len(rows)}
    for view in VIEWS:
        counts = {f: {"tp": 0, "fp": 0, "fn": 0} for f in FIELDS}
        errors = []
        for row in rows:
            text = row["text"] if view == "accented" else fold(row["text"])
            predicted = extractor.extract(text).values()
            wrong = {}
            for field in FIELDS:
                gold = row.get(field)
                gold_key = normalise_value(field, fold(gold) if gold and view == "folded" else gold)
                key = normalise_value(field, predicted[field])
                if _count(counts[field], gold_key, key):
                    wrong[field] = {"gold": gold_key, "predicted": key}
            if wrong:
                errors.append({"text": text, "wrong": wrong})
        report[view] = {"fields": {f: _scores(c) for f, c in counts.items()}, "errors": errors}
    return report


def _count(counts: dict[str, int], gold: str | None, predicted: str | None) -> bool:
    """Add one comparison to the counts; True when it was an error."""
    if gold is not None and predicted == gold:
        counts["tp"] += 1
        return False
    if predicted is not None:
        counts["fp"] += 1
    if gold is not None:
        counts["fn"] += 1
    return predicted is not None or gold is not None


def _scores(counts: dict[str, int]) -> dict[str, float | int]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "support": tp + fn}


def print_contacts_report(report: dict[str, Any], out: TextIO, show_errors: int = 10) -> None:
    print(f"\n=== contact details ({report['examples']} held-out messages) ===", file=out)
    for view in VIEWS:
        print(f"{view:9s} field        precision  recall     f1  support", file=out)
        for field, row in report[view]["fields"].items():
            print(f"{view:9s} {field:10s} {row['precision']:11.3f} {row['recall']:7.3f} "
                  f"{row['f1']:6.3f} {row['support']:8d}", file=out)
    for view in VIEWS:
        errors = report[view]["errors"]
        if errors and show_errors:
            print(f"\nerrors ({view}, {len(errors)}; first {min(show_errors, len(errors))}):", file=out)
            for error in errors[:show_errors]:
                print(f"  {error['text'][:90]!r}: {error['wrong']}", file=out)
