"""Evaluation: stratified k-fold cross-validation on nlu_data/ and the held-out set.

Scores follow the label contract (result.py): intent over the seven output intents, procedure over
the catalogue's procedure ids (null counts as "-" and is not averaged), agency over the agency ids
that occur (explicit competent agency mention, else procedure default; null for khiếu nại / tố cáo
and non-PAKN). Cross-validation gold agencies come from the same routing rule applied to the gold
procedure, so there they measure routing given the classifier; the held-out agencies are
independent annotations.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from nlu.entities import EntityExtractor
from nlu.result import INTENTS, ParseResult, interpret, split_label
from routing.catalogue import Catalogue
from routing.rules import choose_agency
from routing.text import fold, nfc

NONE = "-"
Labels = tuple[str, str, str]  # intent, procedure, agency ("-" for null)


@dataclass
class Labeller:
    """Turns any backend's raw parse into contract labels, the way NluService does."""

    catalogue: Catalogue
    extractor: EntityExtractor
    threshold: float

    def result(self, raw: dict[str, Any], text: str, threshold: float | None = None) -> ParseResult:
        return interpret(raw, self.catalogue, self.threshold if threshold is None else threshold,
                         "", self.extractor.extract(text))

    def raw_to_labels(self, raw: dict[str, Any], text: str, threshold: float | None = None) -> Labels:
        result = self.result(raw, text, threshold)
        return result.intent, result.procedure or NONE, result.agency or NONE

    def gold_for_label(self, label: str, text: str) -> Labels:
        intent, procedure = split_label(label)
        agency = None
        if intent == "phan_anh":
            named = [str(e["value"]) for e in self.extractor.extract(text) if e["entity"] == "agency"]
            agency = choose_agency(self.catalogue, procedure, named)
        return intent, procedure or NONE, agency or NONE


def load_heldout(path: Path) -> list[dict[str, Any]]:
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def heldout_gold(row: dict[str, Any]) -> Labels:
    return row["intent"], row.get("procedure") or NONE, row.get("agency") or NONE


def scores(gold: list[Labels], predicted: list[Labels], catalogue: Catalogue) -> dict[str, Any]:
    """Per-class precision/recall/F1/support and macro-F1 for intent, procedure and agency."""
    report: dict[str, Any] = {}
    label_sets = {
        "intent": list(INTENTS),
        "procedure": sorted(catalogue.procedures),
        "agency": sorted(({g[2] for g in gold} | {p[2] for p in predicted}) - {NONE}),
    }
    for position, (name, labels) in enumerate(label_sets.items()):
        y_true = [g[position] for g in gold]
        y_pred = [p[position] for p in predicted]
        present = [label for label in labels if label in set(y_true)]
        precision, recall, f1, support = precision_recall_fscore_support(
            y_true, y_pred, labels=present, zero_division=0)
        report[name] = {
            "macro_f1": float(np.mean(f1)) if len(present) else 0.0,
            "accuracy": float(np.mean([t == p for t, p in zip(y_true, y_pred)])) if y_true else 0.0,
            "per_class": {label: {"precision": float(p), "recall": float(r), "f1": float(f),
                                  "support": int(s)}
                          for label, p, r, f, s in zip(present, precision, recall, f1, support)},
        }
    return report


def summary(report: dict[str, Any]) -> dict[str, float]:
    return {name: round(report[name]["macro_f1"], 4) for name in ("intent", "procedure", "agency")}


@dataclass
class Predictions:
    """Raw parses kept with their texts, so thresholds can be swept without re-parsing."""

    texts: list[str]
    gold: list[Labels]
    raws: list[dict[str, Any]]
    seconds: list[float] = field(default_factory=list)

    def labels(self, labeller: Labeller, threshold: float | None = None) -> list[Labels]:
        return [labeller.raw_to_labels(raw, text, threshold) for raw, text in zip(self.raws, self.texts)]

    def results(self, labeller: Labeller) -> list[ParseResult]:
        return [labeller.result(raw, text) for raw, text in zip(self.raws, self.texts)]

    def extend(self, other: "Predictions") -> None:
        self.texts += other.texts
        self.gold += other.gold
        self.raws += other.raws
        self.seconds += other.seconds


def predict(parse_raw: Callable[[str], dict[str, Any]], texts: Iterable[str],
            gold: Iterable[Labels]) -> Predictions:
    out = Predictions([], list(gold), [])
    for text in texts:
        text = nfc(text)
        started = time.perf_counter()
        out.raws.append(parse_raw(text))
        out.seconds.append(time.perf_counter() - started)
        out.texts.append(text)
    return out


Trainer = Callable[[list[tuple[str, str]]], Any]  # examples -> model with parse_raw (and close())


def cross_validate(examples: list[tuple[str, str]], train: Trainer, labeller: Labeller,
                   folds: int = 5, seed: int = 13) -> Predictions:
    """Out-of-fold raw parses of every training example (stratified by training label)."""
    labels = [label for _, label in examples]
    smallest = min(labels.count(label) for label in set(labels))
    splitter = StratifiedKFold(n_splits=min(folds, smallest), shuffle=True, random_state=seed)
    pooled = Predictions([], [], [])
    for train_index, test_index in splitter.split(np.zeros(len(labels)), labels):
        model = train([examples[i] for i in train_index])
        try:
            texts = [examples[i][0] for i in test_index]
            gold = [labeller.gold_for_label(examples[i][1], nfc(examples[i][0])) for i in test_index]
            pooled.extend(predict(model.parse_raw, texts, gold))
        finally:
            getattr(model, "close", lambda: None)()
    return pooled


def choose_threshold(predictions: Predictions, labeller: Labeller, catalogue: Catalogue,
                     grid: Iterable[float] = tuple(np.round(np.arange(0.10, 0.81, 0.05), 2))
                     ) -> tuple[float, list[dict[str, float]]]:
    """The threshold that maximises procedure macro-F1, then intent macro-F1, then is highest.

    Procedure is the label that decides routing. Intent macro-F1 alone would always pick the lowest
    threshold, because out-of-scope chit-chat is a trained class (ngoai_pham_vi) rather than
    something the threshold has to catch; the threshold's job is to ask instead of misrouting.
    """
    sweep = []
    for threshold in grid:
        result = summary(scores(predictions.gold, predictions.labels(labeller, float(threshold)),
                                catalogue))
        sweep.append({"threshold": float(threshold), **result})
    best = max(sweep, key=lambda row: (round(row["procedure"], 3), row["intent"], row["threshold"]))
    return best["threshold"], sweep


def folded_copy(texts: list[str]) -> list[str]:
    """The held-out texts as typed without diacritics."""
    return [fold(text) for text in texts]


def nearest_training_similarity(texts: list[str], training_texts: list[str]) -> np.ndarray:
    """For each text, the cosine similarity (character 3-5-grams, TF-IDF, diacritics folded) of
    its closest training example: 1.0 is a copy, above ~0.7 a light paraphrase.

    A held-out set is only a measure of generalisation where this is low, so the held-out hygiene
    test bounds it and the benchmark also scores the rows far from any training example.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    held = [fold(nfc(text)).lower() for text in texts]
    train = [fold(nfc(text)).lower() for text in training_texts]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit(train + held)
    similarity = vectorizer.transform(held) @ vectorizer.transform(train).T
    return np.asarray(similarity.max(axis=1).todense()).ravel()


def confusion(gold: list[Labels], predicted: list[Labels], position: int = 1
              ) -> tuple[list[str], np.ndarray]:
    labels = sorted({g[position] for g in gold} | {p[position] for p in predicted})
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for g, p in zip(gold, predicted):
        matrix[index[g[position]], index[p[position]]] += 1
    return labels, matrix


def errors(predictions: Predictions, predicted: list[Labels], limit: int = 40) -> list[dict[str, str]]:
    wrong = []
    for text, gold, guess in zip(predictions.texts, predictions.gold, predicted):
        if gold[:2] != guess[:2]:
            wrong.append({"text": text, "gold": "/".join(gold[:2]), "predicted": "/".join(guess[:2])})
    return wrong[:limit]



def decision_quality(predictions: Predictions, labeller: Labeller) -> dict[str, Any]:
    """What the citizen meets: complaints not taken as one, complaints sent to the group choice,
    non-requests taken as a complaint, and how well the decision's confidence is calibrated
    (a decision is right when intent and procedure both are)."""
    from nlu.training.calibration import reliability

    results = predictions.results(labeller)
    complaints = [(g, r) for g, r in zip(predictions.gold, results) if g[0] == "phan_anh"]
    others = [(g, r) for g, r in zip(predictions.gold, results) if g[0] != "phan_anh"]
    fallback = sum(r.intent != "phan_anh" for _, r in complaints)
    choice = sum(r.intent != "phan_anh" and r.is_pakn for _, r in complaints)
    return {
        "complaints": len(complaints),
        "fallback_on_complaints": round(fallback / len(complaints), 4) if complaints else 0.0,
        "complaints_not_recognised": round((fallback - choice) / len(complaints), 4) if complaints else 0.0,
        "complaints_to_group_choice": round(choice / len(complaints), 4) if complaints else 0.0,
        "non_requests_taken_as_pakn": sum(r.intent == "phan_anh" for _, r in others),
        "non_requests": len(others),
        "calibration": reliability([r.confidence for r in results],
                                   [(r.intent, r.procedure or NONE) == g[:2]
                                    for r, g in zip(results, predictions.gold)]),
        "pakn_calibration": reliability([max(r.pakn_confidence, 1 - r.pakn_confidence) for r in results],
                                        [(r.pakn_confidence >= 0.5) == (g[0] == "phan_anh")
                                         for r, g in zip(results, predictions.gold)]),
    }
