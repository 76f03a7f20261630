"""The built-in NLU backend: scikit-learn training, plain-NumPy inference, same Rasa YAML data.

Training fits TF-IDF views (see features.py) and a multinomial logistic regression with sklearn.
The fitted model is then compiled into a term -> (column, idf) dict per view and a weight matrix,
so a parse is a few dict lookups and one small dot product (~0.1 ms) instead of sklearn's
per-call transform machinery (~2 ms). `tests/unit/test_nlu_builtin.py` checks the compiled scores
equal sklearn's `predict_proba`.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.nlu.features import VIEWS, FeatureConfig, ViewAnalyzer, analyze
from bot.nlu.text import fold

NAME = "builtin"
MODEL_FILE = "model.npz"


def augment(examples: list[tuple[str, str]], config: FeatureConfig) -> list[tuple[str, str]]:
    """Add a diacritics-free copy of each accented example (citizens type both ways)."""
    if not config.augment_folded:
        return list(examples)
    extra = [(folded, label) for text, label in examples if (folded := fold(text)) != text.lower()]
    return list(examples) + extra


def build_pipeline(config: FeatureConfig) -> Pipeline:
    min_df = {"words": 1, "chars": config.char_min_df, "accented": 1}
    union = FeatureUnion(
        [(view, TfidfVectorizer(analyzer=ViewAnalyzer(view, config), sublinear_tf=True,
                                min_df=min_df[view])) for view in VIEWS],
        transformer_weights=dict(zip(VIEWS, config.weights)))
    classifier = LogisticRegression(C=config.C, max_iter=5000, class_weight=config.class_weight)
    return Pipeline([("features", union), ("classifier", classifier)])


def fit_pipeline(examples: list[tuple[str, str]], config: FeatureConfig) -> Pipeline:
    examples = augment(examples, config)
    pipeline = build_pipeline(config)
    pipeline.fit([text for text, _ in examples], [label for _, label in examples])
    return pipeline


@dataclass
class _View:
    index: dict[str, int]  # term -> row of the weight matrix
    idf: np.ndarray  # by row
    weight: float


class BuiltinModel:
    """A trained classifier that answers in Rasa's raw parse shape."""

    backend = NAME

    def __init__(self, labels: list[str], views: list[_View], coef: np.ndarray,
                 intercept: np.ndarray, config: FeatureConfig) -> None:
        self.labels = labels
        self.config = config
        self._views = views
        self._coef = np.ascontiguousarray(coef, dtype=np.float64)  # (features, classes)
        self._intercept = np.asarray(intercept, dtype=np.float64)

    @classmethod
    def train(cls, examples: list[tuple[str, str]], config: FeatureConfig | None = None) -> "BuiltinModel":
        return cls.compile(fit_pipeline(examples, config or FeatureConfig()))

    @classmethod
    def compile(cls, pipeline: Pipeline) -> "BuiltinModel":
        """Turn a fitted sklearn pipeline into dicts and arrays."""
        union, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
        config = union.transformer_list[0][1].analyzer.config
        views, offset = [], 0
        idf_parts = []
        for (view, vectorizer), weight in zip(union.transformer_list, config.weights):
            vocabulary = vectorizer.vocabulary_
            views.append(_View({term: offset + column for term, column in vocabulary.items()},
                               np.empty(0), float(weight)))
            idf_parts.append(vectorizer.idf_)
            offset += len(vocabulary)
        idf = np.concatenate(idf_parts)
        for view in views:
            view.idf = idf
        coef, intercept = classifier.coef_, classifier.intercept_
        if coef.shape[0] == 1:  # binary: sklearn scores class 1 against class 0
            coef, intercept = np.vstack([np.zeros_like(coef[0]), coef[0]]), np.array([0.0, intercept[0]])
        return cls([str(c) for c in classifier.classes_], views, coef.T, intercept, config)

    def scores(self, text: str) -> np.ndarray:
        """Class probabilities for one text (softmax of the linear scores)."""
        columns: list[int] = []
        values: list[float] = []
        for view, terms in zip(self._views, analyze(text, self.config)):
            counts: dict[int, int] = {}
            index = view.index
            for term in terms:
                column = index.get(term)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            cols = list(counts)
            tfidf = [(1.0 + math.log(count)) for count in counts.values()]
            weighted = np.asarray(tfidf) * view.idf[cols]
            norm = float(np.sqrt(weighted @ weighted))
            columns.extend(cols)
            values.extend((weighted * (view.weight / norm)).tolist())
        logits = self._intercept.copy()
        if columns:
            logits += np.asarray(values) @ self._coef[columns]
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()  # type: ignore[no-any-return]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self.scores(text) for text in texts])

    def parse_raw(self, text: str) -> dict[str, Any]:
        probabilities = self.scores(text)
        order = np.argsort(-probabilities)[:10]
        ranking = [{"name": self.labels[i], "confidence": float(probabilities[i])} for i in order]
        return {"text": text, "intent": ranking[0], "entities": [], "intent_ranking": ranking}

    def save(self, path: Path) -> None:
        """NumPy arrays and JSON only (no pickle: loading an artifact never runs code)."""
        arrays: dict[str, Any] = {"coef": self._coef, "intercept": self._intercept,
                                  "idf": self._views[0].idf if self._views else np.empty(0)}
        for name, view in zip(VIEWS, self._views):
            terms = sorted(view.index, key=view.index.__getitem__)
            arrays[f"terms_{name}"] = np.array(terms, dtype=np.str_)
            arrays[f"start_{name}"] = np.array([view.index[terms[0]] if terms else 0])
        meta = {"labels": self.labels, "config": self.config.to_dict()}
        arrays["meta"] = np.array(json.dumps(meta, ensure_ascii=False))
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **arrays)

    @classmethod
    def load(cls, path: Path) -> "BuiltinModel":
        with np.load(path, allow_pickle=False) as saved:
            meta = json.loads(str(saved["meta"]))
            config = FeatureConfig.from_dict(meta["config"])
            idf = saved["idf"]
            views = []
            for name, weight in zip(VIEWS, config.weights):
                terms = saved[f"terms_{name}"].tolist()
                start = int(saved[f"start_{name}"][0])
                views.append(_View({t: start + i for i, t in enumerate(terms)}, idf, float(weight)))
            return cls(meta["labels"], views, saved["coef"], saved["intercept"], config)
