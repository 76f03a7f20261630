"""`python -m bot nlu evaluate`: run the evaluation for one or both backends, print, write reports.

Reports go to var/reports/nlu-<timestamp>.json plus one confusion-matrix PNG per backend
(procedure labels on the held-out set).
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from nlu.data import load_training_data
from nlu.training.calibration import print_reliability
from nlu.training.evaluate import (
    Labeller,
    Predictions,
    choose_threshold,
    confusion,
    cross_validate,
    decision_quality,
    errors,
    folded_copy,
    heldout_gold,
    load_heldout,
    predict,
    scores,
    summary,
)


def latency(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {}
    values = np.array(seconds) * 1000
    return {"p50_ms": round(float(np.percentile(values, 50)), 3),
            "p99_ms": round(float(np.percentile(values, 99)), 3)}


def heldout_section(parse_raw: Any, rows: list[dict[str, Any]], labeller: Labeller) -> dict[str, Any]:
    """Scores on the held-out texts as written and with diacritics removed."""
    texts = [row["text"] for row in rows]
    gold = [heldout_gold(row) for row in rows]
    section: dict[str, Any] = {}
    for view, view_texts in (("accented", texts), ("folded", folded_copy(texts))):
        predictions = predict(parse_raw, view_texts, gold)
        predicted = predictions.labels(labeller)
        section[view] = {"scores": scores(gold, predicted, labeller.catalogue),
                         "latency": latency(predictions.seconds),
                         "errors": errors(predictions, predicted)}
        section[view]["summary"] = summary(section[view]["scores"])
        section[view]["decisions"] = decision_quality(predictions, labeller)
        if view == "accented":
            _, sweep = choose_threshold(predictions, labeller, labeller.catalogue)
            section["threshold_sweep"] = sweep
            section["_confusion"] = confusion(gold, predicted)
    return section


def evaluate_backend(name: str, data_root: Path, heldout: Path, labeller: Labeller, folds: int,
                     trainer: Any, full_model: Any) -> dict[str, Any]:
    """CV on the training data (if folds >= 2) and the held-out evaluation of `full_model`."""
    result: dict[str, Any] = {"backend": name, "threshold": labeller.threshold}
    examples = load_training_data(data_root).examples
    if folds >= 2:
        started = time.perf_counter()
        oof: Predictions = cross_validate(examples, trainer, labeller, folds)
        chosen, sweep = choose_threshold(oof, labeller, labeller.catalogue)
        report = scores(oof.gold, oof.labels(labeller), labeller.catalogue)
        result["cv"] = {"folds": folds, "examples": len(examples), "scores": report,
                        "decisions": decision_quality(oof, labeller),
                        "summary": summary(report), "threshold_sweep": sweep,
                        "best_threshold": chosen, "seconds": round(time.perf_counter() - started, 1)}
    result["heldout"] = heldout_section(full_model.parse_raw, load_heldout(heldout), labeller)
    return result


def print_report(results: list[dict[str, Any]], out: TextIO) -> None:
    for result in results:
        name = result["backend"]
        print(f"\n=== backend {name} (threshold {result['threshold']}) ===", file=out)
        if "cv" in result:
            cv = result["cv"]
            print(f"cross-validation, {cv['folds']} folds on {cv['examples']} examples: "
                  f"{_fmt(cv['summary'])}; best threshold on CV {cv['best_threshold']}", file=out)
            print_reliability("calibration, cross-validation (intent + procedure decision)",
                              cv["decisions"]["calibration"], out)
        held = result["heldout"]
        for view in ("accented", "folded"):
            print(f"held-out {view:8s}: {_fmt(held[view]['summary'])}  "
                  f"agency accuracy {held[view]['scores']['agency']['accuracy']:.3f}  "
                  f"parse {held[view]['latency']}", file=out)
            _print_decisions(held[view]["decisions"], out)
        print_reliability("calibration, held-out accented (intent + procedure decision)",
                          held["accented"]["decisions"]["calibration"], out)
        print_reliability("calibration, held-out accented (is it a PAKN)",
                          held["accented"]["decisions"]["pakn_calibration"], out)
        for label in ("intent", "procedure", "agency"):
            print(f"\n{label} (held-out, accented)   precision  recall     f1  support", file=out)
            for cls, row in held["accented"]["scores"][label]["per_class"].items():
                print(f"  {cls:28s} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1']:6.3f} "
                      f"{row['support']:8d}", file=out)
            print(f"  {'macro-F1':28s} {held['accented']['scores'][label]['macro_f1']:24.3f}", file=out)
    if len(results) > 1:
        print("\n=== side by side (macro-F1) ===", file=out)
        print(f"{'':26s}" + "".join(f"{r['backend']:>12s}" for r in results), file=out)
        columns: tuple[tuple[str, str | None], ...] = (("cv", None), ("heldout", "accented"),
                                                       ("heldout", "folded"))
        for section, subview in columns:
            for label in ("intent", "procedure", "agency"):
                cells = []
                for r in results:
                    node = r.get(section, {})
                    node = node.get(subview, {}) if subview else node
                    cells.append(f"{node['summary'][label]:12.3f}" if "summary" in node else f"{'-':>12s}")
                title = f"{section}{'/' + subview if subview else ''} {label}"
                print(f"{title:26s}" + "".join(cells), file=out)


def _print_decisions(decisions: dict[str, Any], out: TextIO) -> None:
    print(f"    complaints {decisions['complaints']}: fallback {decisions['fallback_on_complaints']:.1%} "
          f"(not recognised as PAKN {decisions['complaints_not_recognised']:.1%}, PAKN sent to the "
          f"group choice {decisions['complaints_to_group_choice']:.1%}); non-requests taken as PAKN "
          f"{decisions['non_requests_taken_as_pakn']}/{decisions['non_requests']}", file=out)


def _fmt(values: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.3f}" for k, v in values.items())


def write_reports(results: list[dict[str, Any]], reports_dir: Path) -> Path:
    """JSON report plus confusion PNGs; returns the JSON path."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for result in results:
        labels, matrix = result["heldout"].pop("_confusion")
        png = reports_dir / f"nlu-{stamp}-{result['backend']}-confusion.png"
        plot_confusion(labels, matrix, f"{result['backend']}: lĩnh vực, tập kiểm tra", png)
        result["confusion_png"] = str(png)
        result["confusion"] = {"labels": labels, "matrix": matrix.tolist()}
    path = reports_dir / f"nlu-{stamp}.json"
    path.write_text(json.dumps({"created": stamp, "results": results}, ensure_ascii=False, indent=1))
    return path


# Axis titles of the confusion matrix, shown to staff on the console's comparison page.
PREDICTED_AXIS = "Mô hình dự đoán (mã lĩnh vực)"
GOLD_AXIS = "Nhãn đúng (mã lĩnh vực)"


def confusion_figure(labels: list[str], matrix: np.ndarray, title: str) -> Any:
    """The confusion matrix as a matplotlib figure (rows: gold labels, columns: predictions)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    size = max(6.0, 0.42 * len(labels) + 2)
    figure, axes = plt.subplots(figsize=(size, size))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_xlabel(PREDICTED_AXIS)
    axes.set_ylabel(GOLD_AXIS)
    axes.set_title(title)
    for (row, column), value in np.ndenumerate(matrix):
        if value:
            axes.text(column, row, str(value), ha="center", va="center", fontsize=7,
                      color="white" if value > matrix.max() / 2 else "black")
    figure.tight_layout()
    return figure


def plot_confusion(labels: list[str], matrix: np.ndarray, title: str, path: Path) -> None:
    from matplotlib import pyplot as plt

    figure = confusion_figure(labels, matrix, title)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def metrics_for_metadata(result: dict[str, Any]) -> dict[str, Any]:
    """The compact held-out figures stored in a model's metadata.json."""
    held = result["heldout"]
    return {"heldout": {"accented": held["accented"]["summary"], "folded": held["folded"]["summary"],
                        "threshold": result["threshold"],
                        "latency": held["accented"]["latency"]}}
