"""Does a confidence mean what it says? Reliability table and expected calibration error (ECE).

Decisions are put in equal-width confidence bins; in a calibrated model each bin's accuracy equals
its mean confidence. ECE is the support-weighted mean gap |accuracy - confidence| over the bins.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

import numpy as np

BINS = 10


def reliability(confidences: Sequence[float], correct: Sequence[bool], bins: int = BINS
                ) -> dict[str, Any]:
    """{"rows": [{low, high, count, confidence, accuracy}], "ece": float, "count": n}."""
    conf = np.clip(np.asarray(confidences, dtype=float), 0.0, 1.0)
    hits = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.minimum(np.searchsorted(edges, conf, side="right") - 1, bins - 1)
    rows, ece = [], 0.0
    for b in range(bins):
        members = index == b
        count = int(members.sum())
        row: dict[str, Any] = {"low": round(float(edges[b]), 2), "high": round(float(edges[b + 1]), 2),
                               "count": count, "confidence": None, "accuracy": None}
        if count:
            confidence, accuracy = float(conf[members].mean()), float(hits[members].mean())
            row["confidence"], row["accuracy"] = round(confidence, 4), round(accuracy, 4)
            ece += count / len(conf) * abs(accuracy - confidence)
        rows.append(row)
    return {"rows": rows, "ece": round(float(ece), 4), "count": int(len(conf))}


def print_reliability(title: str, table: dict[str, Any], out: TextIO) -> None:
    print(f"\n{title}: expected calibration error {table['ece']:.3f} over {table['count']} decisions",
          file=out)
    print(f"  {'confidence':>12s} {'n':>6s} {'mean conf':>10s} {'accuracy':>9s}", file=out)
    for row in table["rows"]:
        if row["count"]:
            print(f"  {row['low']:5.1f}-{row['high']:<5.1f} {row['count']:6d} {row['confidence']:10.3f} "
                  f"{row['accuracy']:9.3f}", file=out)
