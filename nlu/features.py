"""Feature views of a message for the built-in classifier, shared by training and inference.

Three views, each a bag of terms: words and word bigrams of the diacritics-folded text (so "so do"
and "sổ đỏ" meet), character n-grams of the folded words (typos, run-together words, "ko"/"khong"),
and words of the text with its diacritics, which disambiguate when present ("đăng ký" / "đang kỳ").
The same functions feed sklearn at training time and the compiled scorer at parse time, so the two
cannot drift apart.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from routing.text import fold, nfc

_TOKEN = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")
# Initials of a person in press style ("ông N.C.T", "bà P.H.N.K", "chị Ng.T.Th"): one token, so
# "a press summary about someone" is a feature and the letters do not read as words ("t", "k").
_INITIALS = re.compile(r"(?<![\w.])(?:[A-ZĐ][a-zđ]{0,2}\.){1,4}[A-ZĐ][a-zđ]?(?![\w])")
INITIALS_TOKEN = "xinitialsx"
VIEWS = ("words", "chars", "accented")


@dataclass(frozen=True)
class FeatureConfig:
    # Defaults chosen by 5-fold CV on nlu_data/ only (procedure macro-F1 on the texts as written
    # and folded); other settings tried were within +-0.01: C 5-100, chars 2-5/2-6/3-5, view
    # weights, class_weight=balanced, word trigrams.
    word_ngrams: int = 2  # folded words, 1..n
    char_min: int = 1
    char_max: int = 4
    accented_ngrams: int = 2  # words with diacritics, 1..n
    char_min_df: int = 2
    weights: tuple[float, float, float] = (1.0, 1.0, 1.0)  # words, chars, accented
    C: float = 50.0
    class_weight: str | None = None
    augment_folded: bool = True  # also train on a diacritics-free copy of each accented example
    # Issue 14: three heads (is it a PAKN / which group / which other intent) instead of one flat
    # softmax, temperatures fitted on `calibration_folds` out-of-fold logits, lbfgs stopped at
    # `tol` (1e-4 took twice as long for the same CV scores), and texts longer than `window_words`
    # also scored sentence window by sentence window (see builtin.py).
    split_heads: bool = True
    calibration_folds: int = 3
    tol: float = 1e-3
    window_words: int = 40
    # The group head: the average of these learners' calibrated probabilities ("logistic", "svm",
    # "naive_bayes"; see builtin_fit.py). Models saved before this field read back as ("logistic",).
    group_learners: tuple[str, ...] = ("svm", "naive_bayes")
    svm_C: float = 1.0
    nb_alpha: float = 0.3

    def to_dict(self) -> dict[str, object]:
        values = asdict(self)
        values["weights"] = list(self.weights)  # as it reads back from JSON
        values["group_learners"] = list(self.group_learners)
        return values

    @classmethod
    def from_dict(cls, values: dict[str, object]) -> "FeatureConfig":
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        if "weights" in known:
            known["weights"] = tuple(known["weights"])  # type: ignore[arg-type]
        # saved before the group learners were configurable: one logistic group head
        known["group_learners"] = tuple(known.get("group_learners", ("logistic",)))  # type: ignore[arg-type]
        return cls(**known)  # type: ignore[arg-type]


def tokens(text: str) -> tuple[list[str], list[str]]:
    """(folded tokens, accented tokens) of a message; digit runs become '0'."""
    lowered = _DIGITS.sub("0", _INITIALS.sub(f" {INITIALS_TOKEN} ", nfc(text)).lower())
    return _TOKEN.findall(fold(lowered)), _TOKEN.findall(lowered)


def word_ngrams(words: list[str], n: int) -> list[str]:
    terms = list(words)
    for size in range(2, n + 1):
        terms.extend(" ".join(words[i:i + size]) for i in range(len(words) - size + 1))
    return terms


def char_ngrams(words: list[str], low: int, high: int) -> list[str]:
    """Character n-grams inside word boundaries, padded with a space as sklearn's char_wb does."""
    terms: list[str] = []
    append = terms.append
    for word in words:
        padded = f" {word} "
        length = len(padded)
        for size in range(low, min(high, length) + 1):
            for start in range(length - size + 1):
                append(padded[start:start + size])
    return terms


class ViewAnalyzer:
    """sklearn `analyzer=` callable for one view (a class, so fitted pipelines pickle)."""

    def __init__(self, view: str, config: FeatureConfig) -> None:
        self.view = view
        self.config = config

    def __call__(self, text: str) -> list[str]:
        return analyze(text, self.config)[VIEWS.index(self.view)]


def analyze(text: str, config: FeatureConfig) -> tuple[list[str], list[str], list[str]]:
    folded, accented = tokens(text)
    return (word_ngrams(folded, config.word_ngrams),
            char_ngrams(folded, config.char_min, config.char_max),
            word_ngrams(accented, config.accented_ngrams))
