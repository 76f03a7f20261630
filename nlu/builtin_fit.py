"""Training the built-in model's heads: is it a PAKN, which group, which other intent; calibrated.

One TF-IDF feature space (features.py) feeds three logistic regressions:
- `pakn`: PAKN (any `phan_anh__*` label) against everything else, so a long complaint is recognised
  as one even when its group is uncertain (a 29-way softmax spreads a narrative's probability over
  21 groups and none clears the threshold);
- `groups`: the procedure group among PAKN examples only, as the average of two linear learners
  (`FeatureConfig.group_learners`: a linear SVM and complement naive Bayes, each with its own
  temperature); chosen by 5-fold CV on nlu_data/ only, where they beat the logistic regression
  (procedure macro-F1 0.935 accented / 0.938 folded against 0.908 / 0.908);
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
LOGISTIC, SVM, NAIVE_BAYES = "logistic", "svm", "naive_bayes"
NOT_PAKN, IS_PAKN = "other", "pakn"
# Wide enough for naive Bayes, whose log-likelihood differences are a small fraction of the others'.
TEMPERATURES = np.geomspace(0.01, 10.0, 121)


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


def _classifier(config: FeatureConfig, learner: str = LOGISTIC) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    if learner == SVM:
        return LinearSVC(C=config.svm_C, class_weight=config.class_weight)
    if learner == NAIVE_BAYES:
        return ComplementNB(alpha=config.nb_alpha)
    return LogisticRegression(C=config.C, max_iter=5000, tol=config.tol,
                              class_weight=config.class_weight)


def head_of(classifier: Any) -> FittedHead:
    """Any fitted linear sklearn classifier as (labels, coef, intercept): scores = x @ coef + intercept."""
    if hasattr(classifier, "feature_log_prob_"):  # ComplementNB: its joint log-likelihood is linear
        coef = classifier.feature_log_prob_
        intercept = np.zeros(coef.shape[0])
    else:
        coef, intercept = classifier.coef_, classifier.intercept_
    if coef.shape[0] == 1:  # binary: sklearn scores class 1 against class 0
        coef, intercept = np.vstack([np.zeros_like(coef[0]), coef[0]]), np.array([0.0, intercept[0]])
    return FittedHead([str(c) for c in classifier.classes_], np.ascontiguousarray(coef.T),
                      np.asarray(intercept, dtype=np.float64))


def group_head_names(config: FeatureConfig) -> list[str]:
    """`groups` for the first group learner, `groups_<learner>` for the others."""
    return [GROUPS_HEAD] + [f"{GROUPS_HEAD}_{learner}" for learner in config.group_learners[1:]]


def head_targets(labels: np.ndarray, config: FeatureConfig
                 ) -> dict[str, tuple[np.ndarray, np.ndarray, str]]:
    """For each head, (row mask, targets, learner) over the training rows."""
    pakn = np.char.startswith(labels.astype(str), PAKN_PREFIX)
    heads = {PAKN_HEAD: (np.ones(len(labels), dtype=bool), np.where(pakn, IS_PAKN, NOT_PAKN), LOGISTIC)}
    for name, learner in zip(group_head_names(config), config.group_learners or (LOGISTIC,)):
        heads[name] = (pakn, labels, learner)
    heads[OTHERS_HEAD] = (~pakn, labels, LOGISTIC)
    return heads


def can_split(labels: list[str]) -> bool:
    """Three heads need two PAKN groups and two other intents (else one flat classifier)."""
    pakn = {label for label in labels if label.startswith(PAKN_PREFIX)}
    return len(pakn) >= 2 and len(set(labels) - pakn) >= 2


def fit_heads(x: Any, labels: np.ndarray, config: FeatureConfig) -> dict[str, FittedHead]:
    heads = {}
    for name, (mask, targets, learner) in head_targets(labels, config).items():
        heads[name] = head_of(_classifier(config, learner).fit(x[mask], targets[mask]))
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
    targets = head_targets(labels, config)
    for _, held in splitter.split(np.zeros(len(originals)), labels[originals]):
        held_rows = np.isin(source, originals[held])
        for name, (mask, target, learner) in targets.items():
            train = mask & ~held_rows
            fitted = head_of(_classifier(config, learner).fit(x[train], target[train]))
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
