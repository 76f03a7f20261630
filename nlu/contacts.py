"""Contact details (name, phone, address, ward) read from any message by a CRF sequence labeller.

`ContactExtractor.train(examples)` fits a linear-chain CRF (python-crfsuite) on token features
(contact_features.py) over the entity annotations of nlu_data/ (contact_data.py); the model file
is CRFsuite's own binary format, saved with the NLU model version and opened without retraining.
`extract(text)` tags the tokens, turns the tags into spans with the model's marginal probability
as confidence, and applies the name knowledge: a span is a name only if it starts with a known
surname and its other syllables are name syllables, so "Thương Binh Hạng" or "Giá Vàng Hôm Nay"
never is, whatever the tagger thought.
"""
from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from nlu.contact_data import FIELDS, Example, training_views
from nlu.contact_features import Lexicon, Token, load_lexicon, token_features, tokenize
from nlu.entities import normalize_phone
from routing.text import fold, nfc, squash_spaces

logger = logging.getLogger(__name__)
MODEL_FILE = "contacts.crfsuite"
OUTSIDE = "O"
TRAINING_PARAMS = {"c1": 0.05, "c2": 0.02, "max_iterations": 80,
                   "feature.possible_transitions": True}
NAME_CUES = frozenset({"ten", "la", ":"})  # folded words right before a name
_EDGE_PUNCTUATION = " ,.;:-/()"
# Units that name a commune-level ward (preferred over an old district when both are given).
_WARD_UNITS = ("phuong", "xa", "p.", "p ", "thi tran", "tt ")


@dataclass(frozen=True)
class Field:
    """One contact detail: normalised value, the text as typed, where it is, how sure the model is."""

    value: str
    text: str
    start: int
    end: int
    confidence: float
    valid: bool = True  # False for a phone number that is not a Vietnamese number (a typo)


@dataclass(frozen=True)
class Contacts:
    name: Field | None = None
    phone: Field | None = None
    address: Field | None = None
    ward: Field | None = None

    def values(self) -> dict[str, str | None]:
        return {f: (getattr(self, f).value if getattr(self, f) else None) for f in FIELDS}


class ContactExtractor:
    def __init__(self, tagger: pycrfsuite.Tagger, lexicon: Lexicon) -> None:
        self._tagger = tagger
        self.lexicon = lexicon

    @classmethod
    def train(cls, examples: list[Example], lexicon: Lexicon, path: Path) -> "ContactExtractor":
        """Fit on `examples` (and their unaccented/capitalised views); the model goes to `path`."""
        trainer = pycrfsuite.Trainer(verbose=False)
        for example in training_views(examples):
            tokens = tokenize(example.text)
            trainer.append(token_features(tokens, lexicon), bio_tags(tokens, example))
        trainer.set_params(TRAINING_PARAMS)
        path.parent.mkdir(parents=True, exist_ok=True)
        trainer.train(str(path))
        return cls.load(path, lexicon)

    @classmethod
    def load(cls, path: Path, lexicon: Lexicon) -> "ContactExtractor":
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        return cls(tagger, lexicon)

    @classmethod
    def train_in_memory(cls, examples: list[Example]) -> "ContactExtractor":
        """For tests: train into a temporary file and open it (the tagger keeps it in memory)."""
        with tempfile.TemporaryDirectory() as directory:
            return cls.train(examples, load_lexicon(), Path(directory) / MODEL_FILE)

    def tag(self, text: str) -> tuple[list[Token], list[str], list[float]]:
        tokens = tokenize(nfc(text))
        if not tokens:
            return [], [], []
        tags = self._tagger.tag(token_features(tokens, self.lexicon))
        marginals = [self._tagger.marginal(tag, i) for i, tag in enumerate(tags)]
        return tokens, tags, marginals

    def extract(self, text: str) -> Contacts:
        text = nfc(text)
        tokens, tags, marginals = self.tag(text)
        found: dict[str, list[Field]] = {f: [] for f in FIELDS}
        for field, first, last in _spans(tags):
            trimmed = _trim(tokens, first, last)
            if trimmed is None:
                continue
            first, last = trimmed
            confidence = min(marginals[first:last + 1])
            made = self._field(field, text, tokens, first, last, confidence)
            if made is not None:
                found[field].append(made)
        return Contacts(name=_best(found["name"]), phone=_first(found["phone"]),
                        address=_best(found["address"]), ward=_ward(found["ward"]))

    def _field(self, field: str, text: str, tokens: list[Token], first: int, last: int,
               confidence: float) -> Field | None:
        start, end = tokens[first].start, tokens[last].end
        raw = text[start:end]
        if field == "name":
            words = [t.text for t in tokens[first:last + 1] if t.text[0].isalpha()]
            while words and nfc(words[0]).lower() in self.lexicon.honorifics and len(words) > 2 \
                    and self.lexicon.is_surname(words[1]):
                start = tokens[first + 1].start
                first, words = first + 1, words[1:]
            before = {fold(t.text) for t in tokens[max(0, first - 2):first]}
            cue = "ten" if "ten" in before else "la" if before & NAME_CUES else ""
            if not self.is_name(words, cue, _mixed_case(tokens)):
                return None
            raw = text[start:end]
            return Field(" ".join(w[:1].upper() + w[1:].lower() for w in words), raw, start, end,
                         confidence)
        if field == "phone":
            phone = normalize_phone(raw)
            return Field(phone or re.sub(r"\D", "", raw), raw, start, end, confidence, phone is not None)
        return Field(squash_spaces(raw), raw, start, end, confidence)

    def is_name(self, words: list[str], cue: str, mixed_case: bool) -> bool:
        """The name knowledge: a surname, then name syllables (one unknown syllable is allowed after
        a cue 'tên'/'là' or when capitalised in a mixed-case message); or one given-name syllable
        right after 'tên' ('em tên Linh'). 'là' alone never makes a name of other words."""
        lexicon = self.lexicon
        if not words or len(words) > 6 or any(not w.isalpha() for w in words):
            return False
        if not lexicon.is_surname(words[0]):
            return cue == "ten" and len(words) == 1 and lexicon.is_given(words[0])
        if len(words) == 1:
            return False
        unknown = [w for w in words[1:] if not (lexicon.is_given(w) or lexicon.is_surname(w))]
        capitalised = mixed_case and all(w[0].isupper() for w in unknown)
        return len(unknown) == 0 or (len(unknown) == 1 and (bool(cue) or capitalised))


def bio_tags(tokens: list[Token], example: Example) -> list[str]:
    """B-/I- tags from the character spans (a token belongs to the span its start falls in)."""
    tags = [OUTSIDE] * len(tokens)
    for span in example.spans:
        inside = [i for i, t in enumerate(tokens) if span.start <= t.start < span.end]
        for position, i in enumerate(inside):
            tags[i] = ("B-" if position == 0 else "I-") + span.field
    return tags


def _spans(tags: list[str]) -> list[tuple[str, int, int]]:
    spans: list[tuple[str, int, int]] = []
    for i, tag in enumerate(tags):
        if tag == OUTSIDE:
            continue
        field = tag[2:]
        if tag.startswith("I-") and spans and spans[-1][0] == field and spans[-1][2] == i - 1:
            spans[-1] = (field, spans[-1][1], i)
        else:
            spans.append((field, i, i))
    return spans


def _trim(tokens: list[Token], first: int, last: int) -> tuple[int, int] | None:
    """Drop punctuation at a span's edges ('số 5 Đội Cấn,' -> 'số 5 Đội Cấn')."""
    while first <= last and tokens[first].text in _EDGE_PUNCTUATION:
        first += 1
    while last >= first and tokens[last].text in _EDGE_PUNCTUATION:
        last -= 1
    return (first, last) if first <= last else None


def _mixed_case(tokens: list[Token]) -> bool:
    letters = [t.text for t in tokens if t.text[0].isalpha()]
    return not (all(w.isupper() for w in letters) or all(w.islower() for w in letters))


def _first(fields: list[Field]) -> Field | None:
    return fields[0] if fields else None


def _best(fields: list[Field]) -> Field | None:
    """The longest span (an address split by a stray tag keeps its main part)."""
    return max(fields, key=lambda f: (f.end - f.start, f.confidence)) if fields else None


def _ward(fields: list[Field]) -> Field | None:
    """A commune-level unit (phường/xã) before an old district named with it."""
    for field in fields:
        if fold(field.text).startswith(_WARD_UNITS):
            return field
    return _first(fields)


def normalise_value(field: str, value: str | None) -> str | None:
    """The comparison key of a field value for evaluation: digits for phones, else lowercase
    text with single spaces and no punctuation at the edges."""
    if value is None:
        return None
    if field == "phone":
        return normalize_phone(value) or re.sub(r"\D", "", value)
    return squash_spaces(nfc(value).lower()).strip(_EDGE_PUNCTUATION) or None


def train_artifact(data_root: Path, directory: Path) -> dict[str, object]:
    """Train the contact tagger on `data_root` into `directory`; returns metadata to store."""
    import time

    from nlu.contact_data import load_examples
    from nlu.contact_features import lexicon_fingerprint

    started = time.perf_counter()
    examples = load_examples(data_root)
    ContactExtractor.train(examples, load_lexicon(), directory / MODEL_FILE)
    seconds = time.perf_counter() - started
    logger.info("trained contact tagger on %d examples in %.1fs", len(examples), seconds)
    return {"file": MODEL_FILE, "examples": len(examples),
            "annotated": sum(1 for e in examples if e.spans), "training_seconds": round(seconds, 2),
            "lexicon": lexicon_fingerprint()}


def load_artifact(directory: Path) -> ContactExtractor | None:
    """The tagger saved in a model version's directory, or None if that version has none."""
    path = directory / MODEL_FILE
    return ContactExtractor.load(path, load_lexicon()) if path.exists() else None
