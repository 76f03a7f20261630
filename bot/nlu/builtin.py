"""The built-in NLU backend: scikit-learn, no TensorFlow, trained on the same Rasa YAML.

Features: word 1-2-grams and character 2-5-grams of the diacritics-folded text (so "so do" and
"sổ đỏ" meet), plus words of the text with its diacritics (which disambiguate when present).
"""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from bot.nlu.text import fold, nfc

NAME = "builtin"


def _folded(texts: list[str]) -> list[str]:
    return [fold(t) for t in texts]


def _accented(texts: list[str]) -> list[str]:
    return [nfc(t).lower() for t in texts]


def build_pipeline() -> Any:
    features = FeatureUnion([
        ("folded_words", make_pipeline(FunctionTransformer(_folded),
                                       TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True))),
        ("folded_chars", make_pipeline(FunctionTransformer(_folded),
                                       TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                                       sublinear_tf=True, min_df=2))),
        ("accented_words", make_pipeline(FunctionTransformer(_accented),
                                         TfidfVectorizer(ngram_range=(1, 1), sublinear_tf=True))),
    ])
    return make_pipeline(features, LogisticRegression(C=20.0, max_iter=3000))


class BuiltinModel:
    """A trained classifier that answers in Rasa's raw parse shape."""

    backend = NAME

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        self.labels: list[str] = list(pipeline.classes_)

    @classmethod
    def train(cls, examples: list[tuple[str, str]]) -> "BuiltinModel":
        pipeline = build_pipeline()
        pipeline.fit([text for text, _ in examples], [label for _, label in examples])
        return cls(pipeline)

    def parse_raw(self, text: str) -> dict[str, Any]:
        probabilities = self.predict_proba([text])[0]
        order = np.argsort(-probabilities)
        ranking = [{"name": self.labels[i], "confidence": float(probabilities[i])} for i in order[:10]]
        return {"text": text, "intent": ranking[0], "entities": [], "intent_ranking": ranking}

    def predict_proba(self, texts: list[str]) -> Any:
        return self.pipeline.predict_proba(texts)

    def save(self, path: Path) -> None:
        path.write_bytes(pickle.dumps(self.pipeline, protocol=pickle.HIGHEST_PROTOCOL))

    @classmethod
    def load(cls, path: Path) -> "BuiltinModel":
        # Only our own artifacts under var/models are ever loaded (pickle runs code on load).
        return cls(pickle.loads(path.read_bytes()))
