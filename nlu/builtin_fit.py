"""Training the built-in model's heads: is it a PAKN, which group, which other intent; calibrated.

One TF-IDF feature space (features.py) feeds three logistic regressions:
- `pakn`: PAKN (any `phan_anh__*` label) against everything else, so a long complaint is recognised
  as one even when its group is uncertain (a 29-way softmax spreads a narrative's probability over
  21 groups and none clears the threshold);
- `groups`: the procedure group among PAKN examples only;
- `others`: the other intents (questions, greetings, contact details, chit-chat...).
Each head gets a temperature fitted on out-of-fold logits (k-fold over the original examples, the
folded copy of an example always on its example's side), so a confidence of 0.8 is right about
80 % of the time on data the head did not see. sklearn is imported inside the functions: parsing
never needs it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nlu.features import VIEWS, FeatureConfig, ViewAnalyzer
from routing.text import fold

PAKN_PREFIX = "phan_anh__"
PAKN_HEAD, GROUPS_HEAD, OTHERS_HEAD = "pakn", "groups", "others"
NOT_PAKN, IS_PAKN = "other", "pakn"
TEMPERATURES = np.geomspace(0.2, 5.0, 61)


@dataclass
class FittedHead:
    labels: list[str]
    coef: np.ndarray  # (features, classes)
    intercept: np.ndarray
    temperature: float = 1.0


def feature_union(config: FeatureConfig) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    min_df = {"words": 1, "chars": config.char_min_df, "accented": 1}
    return FeatureUnion(
        [(view, TfidfVectorizer(analyzer=ViewAnalyzer(view, config), sublinear_tf=True,
                                min_df=min_df[view])) for view in VIEWS],
        transformer_weights=dict(zip(VIEWS, config.weights)))


def _classifier(config: FeatureConfig) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=config.C, max_iter=5000, tol=config.tol,
                              class_weight=config.class_weight)


def head_of(classifier: Any) -> FittedHead:
    coef, intercept = classifier.coef_, classifier.intercept_
    if coef.shape[0] == 1:  # binary: sklearn scores class 1 against class 0
        coef, intercept = np.vstack([np.zeros_like(coef[0]), coef[0]]), np.array([0.0, intercept[0]])
    return FittedHead([str(c) for c in classifier.classes_], np.ascontiguousarray(coef.T),
                      np.asarray(intercept, dtype=np.float64))


def head_targets(labels: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each head, (row mask, targets) over the training rows."""
    pakn = np.char.startswith(labels.astype(str), PAKN_PREFIX)
    return {PAKN_HEAD: (np.ones(len(labels), dtype=bool), np.where(pakn, IS_PAKN, NOT_PAKN)),
            GROUPS_HEAD: (pakn, labels), OTHERS_HEAD: (~pakn, labels)}


def can_split(labels: list[str]) -> bool:
    """Three heads need two PAKN groups and two other intents (else one flat classifier)."""
    pakn = {label for label in labels if label.startswith(PAKN_PREFIX)}
    return len(pakn) >= 2 and len(set(labels) - pakn) >= 2


def fit_heads(x: Any, labels: np.ndarray, config: FeatureConfig) -> dict[str, FittedHead]:
    heads = {}
    for name, (mask, targets) in head_targets(labels).items():
        heads[name] = head_of(_classifier(config).fit(x[mask], targets[mask]))
    return heads


def logits(x: Any, head: FittedHead) -> np.ndarray:
    return np.asarray(x @ head.coef) + head.intercept


def best_temperature(scores: np.ndarray, gold: np.ndarray) -> float:
    """The temperature with the lowest negative log-likelihood of the gold classes."""
    best, best_nll = 1.0, np.inf
    for temperature in TEMPERATURES:
        z = scores / temperature
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        nll = -float(log_p[np.arange(len(gold)), gold].mean())
        if nll < best_nll:
            best, best_nll = float(temperature), nll
    return best


def calibrate(x: Any, labels: np.ndarray, source: np.ndarray, heads: dict[str, FittedHead],
              config: FeatureConfig) -> None:
    """Fit each head's temperature on out-of-fold logits (folds over the original examples)."""
    from sklearn.model_selection import StratifiedKFold

    originals = np.flatnonzero(source == np.arange(len(source)))
    smallest = min(np.unique(labels[originals], return_counts=True)[1])
    folds = min(config.calibration_folds, int(smallest))
    if folds < 2:
        return
    collected: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {name: [] for name in heads}
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=13)
    targets = head_targets(labels)
    for _, held in splitter.split(np.zeros(len(originals)), labels[originals]):
        held_rows = np.isin(source, originals[held])
        for name, (mask, target) in targets.items():
            fitted = head_of(_classifier(config).fit(x[mask & ~held_rows], target[mask & ~held_rows]))
            rows = mask & held_rows
            index = {label: i for i, label in enumerate(fitted.labels)}
            known = np.array([t in index for t in target[rows]])
            gold = np.array([index.get(t, 0) for t in target[rows]])
            collected[name].append((logits(x[rows], fitted)[known], gold[known]))
    for name, parts in collected.items():
        scores = np.vstack([p[0] for p in parts])
        gold = np.concatenate([p[1] for p in parts])
        if len(gold):
            heads[name].temperature = best_temperature(scores, gold)


def augment_with_source(examples: list[tuple[str, str]], config: FeatureConfig
                        ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts, labels and, for each row, the index of the original example it comes from."""
    texts = [text for text, _ in examples]
    labels = [label for _, label in examples]
    source = list(range(len(examples)))
    if config.augment_folded:
        for i, (text, label) in enumerate(examples):
            folded = fold(text)
            if folded != text.lower():
                texts.append(folded)
                labels.append(label)
                source.append(i)
    return texts, np.array(labels), np.array(source)


def fit_split(examples: list[tuple[str, str]], config: FeatureConfig
              ) -> tuple[Any, dict[str, FittedHead]]:
    """The fitted FeatureUnion and the three calibrated heads."""
    texts, labels, source = augment_with_source(examples, config)
    union = feature_union(config)
    x = union.fit_transform(texts).tocsr()
    heads = fit_heads(x, labels, config)
    if config.calibration_folds >= 2:
        calibrate(x, labels, source, heads, config)
    return union, heads
