"""The built-in NLU backend: scikit-learn training, plain-NumPy inference, same Rasa YAML data.

Training fits TF-IDF views (see features.py) and a multinomial logistic regression with sklearn.
The fitted model is then compiled into a term -> (column, idf) dict per view and a weight matrix,
so a parse is a few dict lookups and one small dot product (~0.1 ms) instead of sklearn's
per-call transform machinery (~2 ms). `tests/unit/test_nlu_builtin.py` checks the compiled scores
equal sklearn's `predict_proba`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlu.features import VIEWS, FeatureConfig, ViewAnalyzer, char_ngrams, tokens, word_ngrams
from routing.text import fold

NAME = "builtin"
MODEL_FILE = "model.npz"
TOKEN_CACHE_LIMIT = 100_000


def augment(examples: list[tuple[str, str]], config: FeatureConfig) -> list[tuple[str, str]]:
    """Add a diacritics-free copy of each accented example (citizens type both ways)."""
    if not config.augment_folded:
        return list(examples)
    extra = [(folded, label) for text, label in examples if (folded := fold(text)) != text.lower()]
    return list(examples) + extra


def build_pipeline(config: FeatureConfig) -> Any:
    # sklearn is imported here, not at module level: parsing never needs it (saves ~2 s startup).
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    min_df = {"words": 1, "chars": config.char_min_df, "accented": 1}
    union = FeatureUnion(
        [(view, TfidfVectorizer(analyzer=ViewAnalyzer(view, config), sublinear_tf=True,
                                min_df=min_df[view])) for view in VIEWS],
        transformer_weights=dict(zip(VIEWS, config.weights)))
    classifier = LogisticRegression(C=config.C, max_iter=5000, class_weight=config.class_weight)
    return Pipeline([("features", union), ("classifier", classifier)])


def fit_pipeline(examples: list[tuple[str, str]], config: FeatureConfig) -> Any:
    examples = augment(examples, config)
    pipeline = build_pipeline(config)
    pipeline.fit([text for text, _ in examples], [label for _, label in examples])
    return pipeline


@dataclass
class _View:
    index: dict[str, int]  # term -> row of the weight matrix
    idf: np.ndarray  # by row
    weight: float
    cache: dict[str, list[int]] = field(default_factory=dict)  # token -> char n-gram rows


def _lookup(index: dict[str, int], terms: list[str]) -> list[int]:
    get = index.get
    return [column for term in terms if (column := get(term)) is not None]


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
        self._idf = views[0].idf if views else np.empty(0)
        self._view_starts = np.array([min(v.index.values(), default=0) for v in views], dtype=np.intp)

    @classmethod
    def train(cls, examples: list[tuple[str, str]], config: FeatureConfig | None = None) -> "BuiltinModel":
        return cls.compile(fit_pipeline(examples, config or FeatureConfig()))

    @classmethod
    def compile(cls, pipeline: Any) -> "BuiltinModel":
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
        logits = self._intercept.copy()
        found = [column for view_columns in self._columns(text) for column in view_columns]
        if found:
            # Views own contiguous row ranges, so after np.unique each view is one slice.
            rows, counts = np.unique(np.asarray(found, dtype=np.intp), return_counts=True)
            values = (1.0 + np.log(counts)) * self._idf[rows]  # sublinear tf * idf
            bounds = np.searchsorted(rows, self._view_starts).tolist() + [len(rows)]
            for view, low, high in zip(self._views, bounds, bounds[1:]):
                if high > low:  # l2-normalise each view, then apply its weight
                    part = values[low:high]
                    part *= view.weight / np.sqrt(part @ part)
            logits += values @ self._coef[rows]
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()  # type: ignore[no-any-return]

    def _columns(self, text: str) -> tuple[list[int], list[int], list[int]]:
        """Weight-matrix rows of the text's known terms, per view (repeats kept: they are tf)."""
        config = self.config
        folded, accented = tokens(text)
        words, chars, accents = self._views
        char_columns: list[int] = []
        cache = chars.cache
        for token in folded:  # a word's char n-grams never change: look them up once
            hit = cache.get(token)
            if hit is None:
                hit = _lookup(chars.index, char_ngrams([token], config.char_min, config.char_max))
                if len(cache) < TOKEN_CACHE_LIMIT:
                    cache[token] = hit
            char_columns.extend(hit)
        return (_lookup(words.index, word_ngrams(folded, config.word_ngrams)), char_columns,
                _lookup(accents.index, word_ngrams(accented, config.accented_ngrams)))

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
