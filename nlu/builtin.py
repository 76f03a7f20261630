"""The built-in NLU backend: scikit-learn training, plain-NumPy inference, same Rasa YAML data.

Training fits TF-IDF views (see features.py) and logistic regressions with sklearn: three calibrated
heads (builtin_fit.py: is it a PAKN, which group, which other intent) or, for tiny data, one flat
one. The fitted model is then compiled into a term -> (column, idf) dict per view and a weight
matrix per head, so a parse is a few dict lookups and small dot products (~0.2 ms) instead of
sklearn's per-call transform machinery (~2 ms). `tests/unit/test_nlu_builtin.py` checks the
compiled scores equal sklearn's `predict_proba`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlu.builtin_fit import (
    GROUPS_HEAD,
    IS_PAKN,
    OTHERS_HEAD,
    PAKN_HEAD,
    FittedHead,
    can_split,
    feature_union,
    fit_split,
    head_of,
)
from nlu.features import VIEWS, FeatureConfig, char_ngrams, tokens, word_ngrams
from routing.text import fold

NAME = "builtin"
MODEL_FILE = "model.npz"
FLAT_HEAD = "flat"
TOKEN_CACHE_LIMIT = 100_000


def augment(examples: list[tuple[str, str]], config: FeatureConfig) -> list[tuple[str, str]]:
    """Add a diacritics-free copy of each accented example (citizens type both ways)."""
    if not config.augment_folded:
        return list(examples)
    extra = [(folded, label) for text, label in examples if (folded := fold(text)) != text.lower()]
    return list(examples) + extra


def build_pipeline(config: FeatureConfig) -> Any:
    """One flat classifier over every label (the model before issue 14; tiny data sets)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    classifier = LogisticRegression(C=config.C, max_iter=5000, class_weight=config.class_weight)
    return Pipeline([("features", feature_union(config)), ("classifier", classifier)])


def fit_pipeline(examples: list[tuple[str, str]], config: FeatureConfig) -> Any:
    examples = augment(examples, config)
    pipeline = build_pipeline(config)
    pipeline.fit([text for text, _ in examples], [label for _, label in examples])
    return pipeline


@dataclass
class _View:
    index: dict[str, int]  # term -> row of the weight matrices
    idf: np.ndarray  # by row
    weight: float
    cache: dict[str, list[int]] = field(default_factory=dict)  # token -> char n-gram rows


def _lookup(index: dict[str, int], terms: list[str]) -> list[int]:
    get = index.get
    return [column for term in terms if (column := get(term)) is not None]


class BuiltinModel:
    """A trained classifier that answers in Rasa's raw parse shape.

    Either one flat head over every label (models trained before issue 14, and tiny data sets) or
    the three calibrated heads of builtin_fit.py: P(label) = P(PAKN) * P(group | PAKN) for the
    `phan_anh__*` labels and (1 - P(PAKN)) * P(intent | not PAKN) for the others.
    """

    backend = NAME

    def __init__(self, labels: list[str], views: list[_View], heads: dict[str, FittedHead],
                 config: FeatureConfig) -> None:
        self.config = config
        self._views = views
        self._heads = heads
        self._idf = views[0].idf if views else np.empty(0)
        self._view_starts = np.array([min(v.index.values(), default=0) for v in views], dtype=np.intp)
        self.split = GROUPS_HEAD in heads
        self._group_names = [name for name in heads if name.split("_")[0] == GROUPS_HEAD]
        self.labels = (heads[GROUPS_HEAD].labels + heads[OTHERS_HEAD].labels) if self.split else labels

    @classmethod
    def train(cls, examples: list[tuple[str, str]], config: FeatureConfig | None = None) -> "BuiltinModel":
        config = config or FeatureConfig()
        if config.split_heads and can_split([label for _, label in examples]):
            union, heads = fit_split(examples, config)
            return cls._from_union(union, heads, config)
        return cls.compile(fit_pipeline(examples, config))

    @classmethod
    def compile(cls, pipeline: Any) -> "BuiltinModel":
        """Turn a fitted sklearn pipeline (one flat classifier) into dicts and arrays."""
        union, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
        config = union.transformer_list[0][1].analyzer.config
        return cls._from_union(union, {FLAT_HEAD: head_of(classifier)}, config)

    @classmethod
    def _from_union(cls, union: Any, heads: dict[str, FittedHead], config: FeatureConfig) -> "BuiltinModel":
        views, offset, idf_parts = [], 0, []
        for (view, vectorizer), weight in zip(union.transformer_list, config.weights):
            vocabulary = vectorizer.vocabulary_
            views.append(_View({term: offset + column for term, column in vocabulary.items()},
                               np.empty(0), float(weight)))
            idf_parts.append(vectorizer.idf_)
            offset += len(vocabulary)
        idf = np.concatenate(idf_parts)
        for view in views:
            view.idf = idf
        labels = heads[FLAT_HEAD].labels if FLAT_HEAD in heads else []
        return cls(labels, views, heads, config)

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's TF-IDF vector as (rows, values): per-view l2-normalised and weighted."""
        found = [column for view_columns in self._columns(text) for column in view_columns]
        if not found:
            return np.empty(0, dtype=np.intp), np.empty(0)
        # Views own contiguous row ranges, so after np.unique each view is one slice.
        rows, counts = np.unique(np.asarray(found, dtype=np.intp), return_counts=True)
        values = (1.0 + np.log(counts)) * self._idf[rows]  # sublinear tf * idf
        bounds = np.searchsorted(rows, self._view_starts).tolist() + [len(rows)]
        for view, low, high in zip(self._views, bounds, bounds[1:]):
            if high > low:  # l2-normalise each view, then apply its weight
                part = values[low:high]
                part *= view.weight / np.sqrt(part @ part)
        return rows, values

    def _head(self, name: str, vector: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Calibrated probabilities of one head (softmax of logits / temperature)."""
        head = self._heads[name]
        rows, values = vector
        logits = head.intercept + (values @ head.coef[rows] if len(rows) else 0.0)
        logits = logits / head.temperature
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()  # type: ignore[no-any-return]

    def pakn_probability(self, text: str) -> float | None:
        """P(the text is a PAKN), or None for a flat model."""
        if not self.split:
            return None
        return float(self._head(PAKN_HEAD, self._vector(text))[self._pakn_column])

    @property
    def _pakn_column(self) -> int:
        return self._heads[PAKN_HEAD].labels.index(IS_PAKN)

    def scores(self, text: str) -> np.ndarray:
        """Probabilities over `self.labels` for one text."""
        vector = self._vector(text)
        if not self.split:
            return self._head(FLAT_HEAD, vector)
        pakn = float(self._head(PAKN_HEAD, vector)[self._pakn_column])
        groups = self._groups(text, vector)
        return np.concatenate([pakn * groups, (1.0 - pakn) * self._head(OTHERS_HEAD, vector)])

    def _groups(self, text: str, vector: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """P(group | PAKN). A long text is also scored sentence window by sentence window: its
        whole-text vector is diluted by narrative words, while one window ("VNeID báo Hệ thống
        đang bảo trì") may carry the group's evidence; the two estimates are averaged, the windows'
        taken as the strongest window's per group, renormalised."""
        whole = self._group_heads(vector)
        windows = sentence_windows(text, self.config.window_words)
        if len(windows) < 2:
            return whole
        best = np.max([self._group_heads(self._vector(w)) for w in windows], axis=0)
        combined = whole + best / best.sum()
        return combined / combined.sum()  # type: ignore[no-any-return]

    def _group_heads(self, vector: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """P(group | PAKN): the mean of the group learners' calibrated probabilities."""
        names = self._group_names
        if len(names) == 1:
            return self._head(names[0], vector)
        return np.mean([self._head(name, vector) for name in names], axis=0)  # type: ignore[no-any-return]

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
        raw: dict[str, Any] = {"text": text, "intent": ranking[0], "entities": [],
                               "intent_ranking": ranking}
        if self.split:  # P(PAKN) = the sum over the groups; kept apart for the PAKN decision
            raw["pakn_confidence"] = float(probabilities[:len(self._heads[GROUPS_HEAD].labels)].sum())
        return raw

    def save(self, path: Path) -> None:
        """NumPy arrays and JSON only (no pickle: loading an artifact never runs code)."""
        arrays: dict[str, Any] = {"idf": self._views[0].idf if self._views else np.empty(0)}
        for name, head in self._heads.items():
            arrays[f"coef_{name}"] = head.coef
            arrays[f"intercept_{name}"] = head.intercept
        for name, view in zip(VIEWS, self._views):
            terms = sorted(view.index, key=view.index.__getitem__)
            arrays[f"terms_{name}"] = np.array(terms, dtype=np.str_)
            arrays[f"start_{name}"] = np.array([view.index[terms[0]] if terms else 0])
        heads = {name: {"labels": h.labels, "temperature": h.temperature} for name, h in self._heads.items()}
        meta = {"labels": self.labels, "config": self.config.to_dict(), "heads": heads}
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
            if "heads" not in meta:  # saved before issue 14: one flat head
                heads = {FLAT_HEAD: FittedHead(meta["labels"], saved["coef"], saved["intercept"])}
            else:
                heads = {name: FittedHead(h["labels"], saved[f"coef_{name}"], saved[f"intercept_{name}"],
                                          float(h["temperature"]))
                         for name, h in meta["heads"].items()}
            return cls(meta["labels"], views, heads, config)


_SENTENCE_END = re.compile(r"(?<=[.!?;:\n])\s+|\s*\n\s*")


def sentence_windows(text: str, min_words: int) -> list[str]:
    """A text longer than `min_words` words as windows of about a quarter of it, sentence-aligned
    (sentences merged until a window has min_words / 4 words); [] for shorter texts."""
    if min_words <= 0 or len(text.split()) <= min_words:
        return []
    windows: list[str] = []
    current: list[str] = []
    size = max(8, min_words // 4)
    for sentence in _SENTENCE_END.split(text):
        current.extend(sentence.split())
        if len(current) >= size:
            windows.append(" ".join(current))
            current = []
    if current:
        if windows and len(current) < size // 2:
            windows[-1] += " " + " ".join(current)
        else:
            windows.append(" ".join(current))
    return windows
