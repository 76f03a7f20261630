"""What the bot knows about Vietnamese personal names (surnames, lead-ins, honorifics), read from
`catalogue/names.yaml`. Knowing the few hundred surnames is what lets "bui quang huy" or "Nguyễn Văn
Thôi" be a name although 'huy' and 'thôi' are also words for cancelling.

The file is language knowledge shipped with the code, like `nlu_data/`: it is read from the
repository's catalogue folder on first use, whatever folder the deployment's catalogue lives in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from routing.text import fold, nfc

NAMES_FILE = "names.yaml"
BUNDLED_CATALOGUE = Path(__file__).resolve().parent.parent / "catalogue"


@dataclass(frozen=True)
class NameKnowledge:
    surnames: frozenset[str]  # first syllables of the surnames, folded: 'nguyen', 'bui'
    spelled_surnames: frozenset[str]  # the same, lowercase with diacritics: 'nguyễn', 'bùi'
    lead_ins: tuple[str, ...]  # folded, longest first: 'ho va ten cua toi la', …, 'e ten'
    honorifics: frozenset[str]  # lowercase with diacritics: 'ông', 'chị'

    def is_surname(self, word: str) -> bool:
        """'Bùi' and 'bui' are; 'Phường' is not although it folds like 'Phương'. A word typed with
        diacritics must be spelled as the surname; one typed without any is compared folded."""
        lowered = nfc(word).lower()
        if fold(lowered) != lowered:
            return lowered in self.spelled_surnames
        return lowered in self.surnames

    def without_lead_in(self, text: str) -> str:
        """`text` without what citizens type before a name ('Dạ tên tôi là', 'e ten', 'mik là:')."""
        changed = True
        while changed:
            changed = False
            folded = fold(text)
            for lead in self.lead_ins:
                match = re.match(rf"{re.escape(lead)}(?:\s*[:\-]\s*|\s+)", folded)
                if match and match.end() < len(text):
                    removed, rest = text[:match.end()].split(), text[match.end():]
                    if removed[-1] == "La" and len(rest.split()) == 2:  # 'e ten La Van Dung': La is
                        text = text[text.rindex("La", 0, match.end()):]  # the surname, not 'là'
                        return text
                    text, changed = rest, True
                    break
        return text


def load_names(directory: Path) -> NameKnowledge:
    data = yaml.safe_load((directory / NAMES_FILE).read_text(encoding="utf-8")) or {}
    firsts = [nfc(str(s)).lower().split()[0] for s in data.get("surnames") or ()]
    leads = {fold(nfc(str(lead)).lower()) for lead in data.get("lead_ins") or ()}
    return NameKnowledge(
        surnames=frozenset(fold(s) for s in firsts), spelled_surnames=frozenset(firsts),
        lead_ins=tuple(sorted(leads, key=lambda lead: (-len(lead), lead))),
        honorifics=frozenset(nfc(str(h)).lower() for h in data.get("honorifics") or ()))


@lru_cache(maxsize=1)
def known_names() -> NameKnowledge:
    return load_names(BUNDLED_CATALOGUE)
