"""Two problems in one message (issue 13): where a message may change subject, and which of its
pieces are separate PAKN for different procedure groups.

`pieces(text)` cuts a message where people start another matter: an enumeration ("1. … 2. …",
lines starting with "-"), a connector that opens a new matter ("Ngoài ra", "Thêm nữa", "Một việc
nữa", "Với lại", "Tiện đây"…, with or without diacritics) or, failing those, sentence ends.
The pipeline parses each piece (the dialogue does no I/O); `separate(parses)` then keeps the pieces
the model reads as PAKN with confidence, joins neighbours of the same group (a long narrative about
one matter stays one), and returns two or more problems only when their groups differ.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.result import FALLBACK, ParseResult
from routing.catalogue import OUT_OF_SCOPE_PROCEDURE
from routing.text import fold, nfc

MIN_PIECE_WORDS = 5  # a shorter piece ("Xin cảm ơn.", "Mong được giải quyết sớm.") joins its neighbour
# A piece's group: its share of the probability the model gives to all PAKN groups, after an explicit
# marker and after a mere sentence end (where a narrative also changes topic), and its least probability.
MARKED_SHARE = 0.75
SENTENCE_SHARE = 0.9
MIN_GROUP_PROBABILITY = 0.25
PIECE_INTENTS = {"phan_anh", "cung_cap_thong_tin", FALLBACK}  # a question or a greeting is no problem
MAX_PIECES = 6

# Connectors that open another matter, folded; at the start of a clause only.
_CONNECTORS = (
    "ngoai ra", "them nua", "them mot viec", "mot viec nua", "mot van de nua", "mot chuyen nua",
    "con mot viec", "con mot van de", "ben canh do", "tien day", "nhan tien", "tien the",
    "voi lai", "vs lai", "ngoai viec do", "van de thu hai", "viec thu hai", "thu hai la",
    "them vao do", "mat khac")
_CONNECTOR = re.compile(r"(?:^|[.!?;,\n]\s*)((?:va |con |va con )?(?:"
                        + "|".join(re.escape(c) for c in _CONNECTORS) + r")\b)")
# "Thứ nhất, … Thứ hai, …": ordinals count only when "thứ nhất" is among them ("thứ hai" is Monday).
_ORDINAL = re.compile(r"(?:^|[.!?;,:\n]\s*)(thu (?:nhat|hai|ba|tu)|mot la|hai la|ba la)\b")
_ENUMERATION = re.compile(r"(?:^|\s)(\(?[1-9][.)]|[-•*+])\s+(?=\w)")
_LEAD = re.compile(r"^\s*(?:\(?[1-9][.)]|[-•*+])\s+")  # the enumerator itself is not the problem
_SENTENCE_END = re.compile(r"[.!?]+\s+(\S)|\n+\s*(\S)")


@dataclass(frozen=True)
class Piece:
    text: str
    marked: bool  # it starts at an enumeration or a connector, not at a mere sentence end


@dataclass(frozen=True)
class Problem:
    text: str
    procedure: str


def pieces(text: str) -> list[Piece]:
    """The message cut where another matter may start; [] when it cannot be cut."""
    text = nfc(text)
    folded = fold(text)
    cuts = _starts(folded, _ENUMERATION)
    if len(cuts) < 2:  # one "1." or one dash is not an enumeration
        cuts = []
    ordinals = _starts(folded, _ORDINAL)
    if len(ordinals) < 2 or not re.search(r"\b(?:thu nhat|mot la)\b", folded):
        ordinals = []
    cuts = [c for c in cuts if c > 0] or [c for c in ordinals if c > 0] or _starts(folded, _CONNECTOR)
    marked = bool(cuts)
    if not cuts:
        cuts = _starts(folded, _SENTENCE_END)
    bounds = sorted({0, len(text), *cuts})
    found = [Piece(_LEAD.sub("", text[a:b]).strip(" \n;,"), marked)
             for a, b in zip(bounds, bounds[1:])]
    found = [p for p in found if p.text]
    return found if 2 <= len(found) <= MAX_PIECES else []


def _starts(folded: str, pattern: re.Pattern[str]) -> list[int]:
    """Where each match's first group starts: the first character of a new piece."""
    found = []
    for match in pattern.finditer(folded):
        group = next(g for g in range(1, (pattern.groups or 0) + 1) if match.group(g) is not None)
        found.append(match.start(group))
    return [s for s in found if s == 0 or folded[:s].strip()]


def separate(found: list[Piece], parses: list[ParseResult]) -> list[Problem]:
    """Two or more problems of different groups, or [] when the message is about one matter."""
    problems: list[Problem] = []
    for piece, parse in zip(found, parses):
        group = _group(piece, parse)
        if problems and (group is None or group == problems[-1].procedure):
            problems[-1] = Problem(f"{problems[-1].text} {piece.text}", problems[-1].procedure)
        elif group is None:  # an opening greeting or context before the first matter
            problems.append(Problem(piece.text, ""))
        elif problems and not problems[-1].procedure:
            problems[-1] = Problem(f"{problems[-1].text} {piece.text}", group)
        else:
            problems.append(Problem(piece.text, group))
    problems = [p for p in problems if p.procedure]
    return problems if len({p.procedure for p in problems}) >= 2 else []


def _group(piece: Piece, parse: ParseResult) -> str | None:
    """The piece's procedure group if the model reads it clearly as about one group.

    A piece is judged on the model's PAKN labels alone: a piece naming a street ("rác ở đầu ngõ
    45 Kim Giang…") also looks like contact details, which takes probability from every group but
    not the group's share among them. After a mere sentence end the bar is higher: a narrative's
    "Tôi rất bức xúc, đề nghị phường xem xét." belongs to the matter before it.
    """
    if len(re.findall(r"\w+", piece.text)) < MIN_PIECE_WORDS or not parse.procedure_ranking:
        return None
    if parse.intent not in PIECE_INTENTS:
        return None
    group, top = parse.procedure_ranking[0]
    total = sum(confidence for _, confidence in parse.procedure_ranking)
    if not group or group == OUT_OF_SCOPE_PROCEDURE or top < MIN_GROUP_PROBABILITY or total <= 0:
        return None
    return group if top / total >= (MARKED_SHARE if piece.marked else SENTENCE_SHARE) else None
