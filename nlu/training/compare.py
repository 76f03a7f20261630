"""A candidate model against the active one, on the same fixed held-out split, before activation.

The comparison keeps what an admin needs to decide: macro-F1 per label set (intent, procedure,
agency) for both models on the held-out texts as written and without diacritics, cross-validation
figures where known, per-procedure F1 changes, both confusion matrices and the held-out examples
whose prediction changed. `activation_problems` says why activation would make things worse.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlu.models import ModelStore
from nlu.training.evaluate import (
    Labeller,
    Predictions,
    confusion,
    folded_copy,
    heldout_gold,
    predict,
    scores,
    summary,
)
from nlu.training.report import plot_confusion
from settings import Settings

LABEL_SETS = ("intent", "procedure", "agency")
VIEWS = ("accented", "folded")
CHANGED_LIMIT = 200


def open_parser(settings: Settings, store: ModelStore, version: str
                ) -> tuple[Callable[[str], dict[str, Any]], Callable[[], None]]:
    """parse_raw of a stored version and how to release it (a Rasa version gets its own server)."""
    meta = store.metadata(version)
    if meta["backend"] != "rasa":
        return store.load_builtin(version).parse_raw, lambda: None
    from nlu.factory import RasaFoldModel
    from nlu.rasa import RasaServer

    rasa = settings.nlu.rasa
    server = RasaServer(store.rasa_model_path(version), venv=Path(rasa.venv)).start()
    model = RasaFoldModel(server, rasa.timeout_seconds * 5)
    server.wait_ready()
    return model.parse_raw, model.close


def evaluate_version(settings: Settings, store: ModelStore, version: str,
                     rows: list[dict[str, Any]], labeller: Labeller) -> dict[str, Any]:
    """Held-out scores of `version` (both views) with the per-row labels kept for comparison."""
    texts = [row["text"] for row in rows]
    gold = [heldout_gold(row) for row in rows]
    parse_raw, close = open_parser(settings, store, version)
    result: dict[str, Any] = {"version": version, "backend": store.metadata(version)["backend"]}
    try:
        for view, view_texts in (("accented", texts), ("folded", folded_copy(texts))):
            predictions: Predictions = predict(parse_raw, view_texts, gold)
            predicted = predictions.labels(labeller)
            report = scores(gold, predicted, labeller.catalogue)
            result[view] = {"summary": summary(report), "scores": report, "labels": predicted}
    finally:
        close()
    return result


def _per_procedure(candidate: dict[str, Any], baseline: dict[str, Any] | None) -> list[dict[str, Any]]:
    new = candidate["accented"]["scores"]["procedure"]["per_class"]
    old = baseline["accented"]["scores"]["procedure"]["per_class"] if baseline else {}
    rows = []
    for procedure in sorted(set(new) | set(old)):
        after = new.get(procedure, {}).get("f1")
        before = old.get(procedure, {}).get("f1")
        rows.append({"procedure": procedure, "before": before, "after": after,
                     "support": (new.get(procedure) or old.get(procedure) or {}).get("support", 0),
                     "delta": None if after is None or before is None else round(after - before, 4)})
    return rows


def _changed(rows: list[dict[str, Any]], candidate: dict[str, Any],
             baseline: dict[str, Any] | None) -> list[dict[str, Any]]:
    if baseline is None:
        return []
    changed = []
    for row, new, old in zip(rows, candidate["accented"]["labels"], baseline["accented"]["labels"]):
        if new == old:
            continue
        gold = heldout_gold(row)
        changed.append({"text": row["text"], "gold": "/".join(gold), "before": "/".join(old),
                        "after": "/".join(new),
                        "effect": "fixed" if new == gold else "broken" if old == gold else "changed"})
    changed.sort(key=lambda c: {"broken": 0, "fixed": 1, "changed": 2}[c["effect"]])
    return changed[:CHANGED_LIMIT]


def compare(rows: list[dict[str, Any]], candidate: dict[str, Any], baseline: dict[str, Any] | None,
            reports_dir: Path, stem: str) -> dict[str, Any]:
    """The report a training job stores and the compare page shows (JSON-serialisable)."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    gold = [heldout_gold(row) for row in rows]
    report: dict[str, Any] = {"candidate": candidate["version"],
                              "baseline": baseline["version"] if baseline else None,
                              "heldout_size": len(rows), "macro_f1": {}, "confusion": {}}
    for view in VIEWS:
        report["macro_f1"][view] = {
            name: {"before": baseline[view]["summary"][name] if baseline else None,
                   "after": candidate[view]["summary"][name]} for name in LABEL_SETS}
        for cell in report["macro_f1"][view].values():
            cell["delta"] = None if cell["before"] is None else round(cell["after"] - cell["before"], 4)
    for role, result in (("candidate", candidate), ("baseline", baseline)):
        if result is None:
            continue
        labels, matrix = confusion(gold, result["accented"]["labels"])
        png = reports_dir / f"{stem}-{role}-confusion.png"
        plot_confusion(labels, matrix, f"Mô hình {result['version']}: lĩnh vực, tập kiểm tra", png)
        report["confusion"][role] = str(png)
        # The page draws it as a table (labels readable at any size); the PNG is the download.
        report.setdefault("confusion_table", {})[role] = {"labels": list(labels),
                                                          "matrix": matrix.tolist()}
    report["per_procedure"] = _per_procedure(candidate, baseline)
    report["changed"] = _changed(rows, candidate, baseline)
    report["fixed"] = sum(1 for c in report["changed"] if c["effect"] == "fixed")
    report["broken"] = sum(1 for c in report["changed"] if c["effect"] == "broken")
    return report


def activation_problems(report: dict[str, Any], margin: float) -> list[dict[str, Any]]:
    """Label sets whose held-out macro-F1 (either view) drops by more than `margin`."""
    problems = []
    for view in VIEWS:
        for name, cell in (report.get("macro_f1", {}).get(view) or {}).items():
            if cell.get("delta") is not None and cell["delta"] < -margin:
                problems.append({"view": view, "label_set": name, "before": cell["before"],
                                 "after": cell["after"], "delta": cell["delta"]})
    return problems


def worse_groups(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Procedure groups whose held-out F1 drops at all: asked about before activation, even when
    the overall figures stay within the margin (one group's citizens would be routed worse)."""
    return [row for row in report.get("per_procedure") or ()
            if row.get("delta") is not None and row["delta"] < 0]


def metrics_summary(result: dict[str, Any], threshold: float) -> dict[str, Any]:
    """The compact figures stored in a version's metadata.json (same shape as `nlu train`)."""
    return {"heldout": {"accented": result["accented"]["summary"], "folded": result["folded"]["summary"],
                        "threshold": threshold}}
