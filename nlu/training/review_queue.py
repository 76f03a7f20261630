"""The NLU review queue: what the model was unsure of or staff corrected, and accepting it.

Collecting is incremental (a cursor per origin table) and idempotent (`origin` is unique), so the
console page and `python -m bot nlu review list` can both call it on every visit.

- inbound messages: below the threshold (`low_confidence`), out of scope (`fallback`), or with the
  top two labels within `nlu.review.margin` (`close_top_two`), as the pipeline stored them when
  it parsed the message (older messages are re-parsed with the active model).
- `labelled_examples` written by `reclassify_case` (`reclassification`).
- case transfers to another agency (`transfer`), from the case timeline.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from nlu.result import FALLBACK, ParseResult
from nlu.training import data_edits
from nlu.training import review_data as rd
from routing.catalogue import Catalogue
from storage import data_documents as dd
from storage.orm import (
    case_events,
    cases,
    conversations,
    labelled_examples,
    messages,
    nlu_review_cursors,
    nlu_review_items,
)

logger = logging.getLogger(__name__)
SOURCES = ("low_confidence", "close_top_two", "fallback", "reclassification", "transfer")
MIN_WORDS = 3  # shorter inbound texts are answers to the intake's questions (names, "có", ...)
BATCH = 5000


def _cursor(session: Session, name: str) -> int:
    value = session.scalar(sa.select(nlu_review_cursors.c.position).where(nlu_review_cursors.c.name == name))
    return int(value or 0)


def _set_cursor(session: Session, name: str, position: int) -> None:
    if session.scalar(sa.select(sa.func.count()).where(nlu_review_cursors.c.name == name)):
        session.execute(nlu_review_cursors.update().where(nlu_review_cursors.c.name == name)
                        .values(position=position))
    else:
        session.execute(nlu_review_cursors.insert().values(name=name, position=position))


def _add(session: Session, now: datetime, **values: Any) -> bool:
    if session.scalar(sa.select(nlu_review_items.c.id).where(nlu_review_items.c.origin == values["origin"])):
        return False
    session.execute(nlu_review_items.insert().values(status="pending", collected_at=now, **values))
    return True


def message_source(nlu: dict[str, Any], threshold: float, margin: float,
                   parse: Callable[[str], ParseResult] | None, text: str) -> tuple[str | None, dict[str, Any]]:
    """Why a parsed message needs review (None: it does not), and what the model predicted."""
    predicted: dict[str, Any] = {k: nlu.get(k) for k in ("intent", "confidence", "procedure",
                                                         "agency", "backend")}
    if "ranking" in nlu:  # what the model that answered the citizen saw
        predicted["ranking"] = nlu["ranking"]
        if nlu.get("margin") is not None:
            predicted["margin"] = float(nlu["margin"])
    elif parse is not None:  # messages stored before the pipeline kept its ranking
        parsed = parse(text)
        predicted["ranking"] = parsed.top_two()
        if parsed.margin is not None:
            predicted["margin"] = parsed.margin
    confidence = float(nlu.get("confidence") or 0.0)
    if confidence < threshold:
        return "low_confidence", predicted
    if nlu.get("intent") == FALLBACK:
        return "fallback", predicted
    if predicted.get("margin") is not None and predicted["margin"] < margin:
        return "close_top_two", predicted
    return None, predicted


# Which contact detail (name, phone, address) a bot message asks for, or None: the dialogue's own
# question texts, given by the caller (nlu/ does not import the dialogue).
ContactQuestion = Callable[[str], "str | None"]
CONTACT_STATES = {"ask_name": "name", "ask_phone": "phone", "ask_address": "address"}


def collect(session: Session, now: datetime, threshold: float, margin: float,
            parse: Callable[[str], ParseResult] | None = None,
            asked: ContactQuestion | None = None) -> int:
    """Add new queue items from messages, labelled examples and transfers; returns how many.

    An answer to a contact question (`asked` reads the bot's message before it) never enters the
    queue: it is a citizen's name, phone or address, not a way of asking for something. Pending
    items collected before that rule are taken out once (the 'contact_sweep' cursor)."""
    added = _collect_messages(session, now, threshold, margin, parse, asked)
    added += _collect_examples(session, now)
    added += _collect_transfers(session, now)
    if asked is not None:
        _sweep_contact_turns(session, asked)
    return added


def contact_turn(session: Session, message_id: int, nlu: dict[str, Any],
                 asked: ContactQuestion | None) -> str | None:
    """The contact detail a citizen's message answered ('name', 'phone', 'address'), or None.

    The dialogue state at the time, when the message carries it; else the bot's question: the last
    message sent to the citizen before this one, when the bot (not a person) wrote it."""
    state = nlu.get("state")
    if isinstance(state, str):
        return CONTACT_STATES.get(state)
    if asked is None:
        return None
    conversation = sa.select(messages.c.conversation_id).where(messages.c.id == message_id).scalar_subquery()
    previous = session.execute(
        sa.select(messages.c.text, messages.c.author)
        .where(messages.c.conversation_id == conversation, messages.c.id < message_id,
               messages.c.direction == "out")
        .order_by(messages.c.id.desc()).limit(1)).first()
    if previous is None or previous.author != "bot":
        return None
    return asked(previous.text)


def _sweep_contact_turns(session: Session, asked: ContactQuestion) -> None:
    start = _cursor(session, "contact_sweep")
    rows = session.execute(
        sa.select(nlu_review_items.c.id, nlu_review_items.c.message_id, messages.c.nlu)
        .select_from(nlu_review_items.join(messages, messages.c.id == nlu_review_items.c.message_id))
        .where(nlu_review_items.c.id > start, nlu_review_items.c.status == "pending")
        .order_by(nlu_review_items.c.id).limit(BATCH)).all()
    gone = [r.id for r in rows if contact_turn(session, r.message_id, r.nlu or {}, asked)]
    if gone:  # personal data that should never have been copied here: deleted, not kept as 'rejected'
        session.execute(nlu_review_items.delete().where(nlu_review_items.c.id.in_(gone)))
        logger.info("%d contact-detail answers taken out of the review queue", len(gone))
    last = session.scalar(sa.select(sa.func.max(nlu_review_items.c.id)))
    if last:
        _set_cursor(session, "contact_sweep", int(last))


def _collect_messages(session: Session, now: datetime, threshold: float, margin: float,
                      parse: Callable[[str], ParseResult] | None,
                      asked: ContactQuestion | None = None) -> int:
    start = _cursor(session, "messages")
    rows = session.execute(
        sa.select(messages.c.id, messages.c.text, messages.c.nlu, messages.c.channel,
                  messages.c.case_code, messages.c.created_at)
        .where(messages.c.direction == "in", messages.c.id > start)
        .order_by(messages.c.id).limit(BATCH)).all()
    added = 0
    for row in rows:
        nlu = row.nlu or {}
        if "intent" not in nlu or len(row.text.split()) < MIN_WORDS:
            continue  # button payloads, and short answers to the intake's questions
        if contact_turn(session, row.id, nlu, asked):
            continue  # a name, phone or address given to the bot's question
        source, predicted = message_source(nlu, threshold, margin, parse, row.text)
        if source:
            added += _add(session, now, origin=f"message:{row.id}", source=source, message_id=row.id,
                          case_code=row.case_code, channel=row.channel, text=row.text,
                          predicted=predicted, received_at=row.created_at)
    if rows:
        _set_cursor(session, "messages", rows[-1].id)
    return added


def _collect_examples(session: Session, now: datetime) -> int:
    start = _cursor(session, "labelled_examples")
    rows = session.execute(
        sa.select(labelled_examples, cases.c.channel)
        .select_from(labelled_examples.outerjoin(cases, cases.c.code == labelled_examples.c.case_code))
        .where(labelled_examples.c.id > start).order_by(labelled_examples.c.id).limit(BATCH)).all()
    added = 0
    for row in rows:
        suggested = {"intent": row.intent or "phan_anh", "procedure": row.procedure_id,
                     "agency": row.agency_id}
        predicted = {"intent": "phan_anh" if row.previous_procedure_id else None,
                     "procedure": row.previous_procedure_id}
        added += _add(session, now, origin=f"example:{row.id}", source=row.source[:32],
                      example_id=row.id, case_code=row.case_code, channel=row.channel, text=row.text,
                      predicted=predicted, suggested=suggested, received_at=row.created_at)
        session.execute(labelled_examples.update().where(labelled_examples.c.id == row.id)
                        .values(status="queued"))
    if rows:
        _set_cursor(session, "labelled_examples", rows[-1].id)
    return added


def _collect_transfers(session: Session, now: datetime) -> int:
    start = _cursor(session, "case_events")
    rows = session.execute(
        sa.select(case_events.c.id, case_events.c.at, case_events.c.data, case_events.c.actor,
                  cases.c.code, cases.c.text, cases.c.channel, cases.c.procedure_id)
        .select_from(case_events.join(cases, cases.c.id == case_events.c.case_id))
        .where(case_events.c.id > start).order_by(case_events.c.id).limit(BATCH)).all()
    added = 0
    for row in rows:
        data = row.data or {}
        if data.get("from_agency") and data.get("agency_id") and data["from_agency"] != data["agency_id"]:
            added += _add(session, now, origin=f"event:{row.id}", source="transfer", case_code=row.code,
                          channel=row.channel, text=row.text,
                          predicted={"intent": "phan_anh", "procedure": row.procedure_id,
                                     "agency": data["from_agency"]},
                          suggested={"intent": "phan_anh", "procedure": row.procedure_id,
                                     "agency": data["agency_id"]},
                          received_at=row.at)
    if rows:
        _set_cursor(session, "case_events", rows[-1].id)
    return added


def list_items(session: Session, status: str = "pending", source: str = "", limit: int = 100,
               offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    query = sa.select(nlu_review_items).where(nlu_review_items.c.status == status)
    if source:
        query = query.where(nlu_review_items.c.source == source)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(nlu_review_items.c.id).limit(limit).offset(offset)).all()
    return [dict(r._mapping) for r in rows], int(total)


def next_pending(session: Session, after: int, source: str = "") -> int | None:
    """The pending item after `after` in queue order, else the first pending one; None: none left."""
    query = sa.select(nlu_review_items.c.id).where(nlu_review_items.c.status == "pending")
    if source:
        query = query.where(nlu_review_items.c.source == source)
    following = session.scalar(query.where(nlu_review_items.c.id > after)
                               .order_by(nlu_review_items.c.id).limit(1))
    if following is not None:
        return int(following)
    first = session.scalar(query.where(nlu_review_items.c.id != after).order_by(nlu_review_items.c.id).limit(1))
    return int(first) if first is not None else None


def counts_by_source(session: Session) -> dict[str, int]:
    rows = session.execute(sa.select(nlu_review_items.c.source, sa.func.count())
                           .where(nlu_review_items.c.status == "pending")
                           .group_by(nlu_review_items.c.source)).all()
    return {source: int(n) for source, n in rows}


def get_item(session: Session, item_id: int) -> dict[str, Any] | None:
    row = session.execute(sa.select(nlu_review_items).where(nlu_review_items.c.id == item_id)).first()
    return dict(row._mapping) if row else None


def known_personal_data(session: Session, item: dict[str, Any]) -> tuple[str, ...]:
    """Names, phones and addresses the citizen gave: masked even where no pattern finds them."""
    values: list[str] = []
    conversation_id = None
    if item.get("message_id"):
        conversation_id = session.scalar(sa.select(messages.c.conversation_id)
                                         .where(messages.c.id == item["message_id"]))
    case_filter = []
    if item.get("case_code"):
        case_filter.append(cases.c.code == item["case_code"])
    if conversation_id:
        case_filter.append(cases.c.conversation_id == conversation_id)
        name = session.scalar(sa.select(conversations.c.display_name)
                              .where(conversations.c.id == conversation_id))
        values.append(name or "")
    if case_filter:
        for row in session.execute(sa.select(cases.c.citizen_name, cases.c.citizen_phone,
                                             cases.c.citizen_address).where(sa.or_(*case_filter))):
            values += [row.citizen_name, row.citizen_phone, row.citizen_address]
    return tuple(v for v in dict.fromkeys(values) if v and v.strip())


@dataclass
class Decision:
    intent: str
    procedure: str | None
    agency: str | None
    text: str  # the example as the admin left it (Rasa inline annotations allowed)
    replace_conflicts: bool = False
    note: str = ""


@dataclass
class Outcome:
    accepted: bool
    label: str = ""
    example: str = ""
    file: str = ""
    clashes: list[rd.Clash] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    error: str = ""


# Masking writes "[họ tên]"-style placeholders; square brackets are Rasa's annotation syntax, so a
# training example gets a fixed, obviously invented stand-in instead (README: invented names and
# numbers). Phone and dossier stand-ins still match the entity rules, so they are annotated too.
SURROGATES = {"[họ tên]": "Nguyễn Văn A", "[số điện thoại]": "0900 000 000",
              "[số CCCD]": "001000000000", "[email]": "email", "[số nhà]": "số nhà",
              "[biển số xe]": "biển số xe", "[địa chỉ]": "địa chỉ nhà tôi",
              "[mã hồ sơ]": "000.00.00.H26-000000-0000", "[số thửa đất]": "số thửa",
              "[dãy số]": "dãy số"}
KEEP_ANNOTATED = frozenset({"ward", "agency", "case_code"})  # places and agencies are not personal


def _mask_plain(text: str, known: tuple[str, ...]) -> str:
    from routing.masking import mask

    masked = mask(text, known=known)
    for placeholder, stand_in in SURROGATES.items():
        masked = masked.replace(placeholder, stand_in)
    return masked.replace("[", "(").replace("]", ")")  # any placeholder masking adds later


def mask_example(text: str, known: tuple[str, ...]) -> str:
    """`text` with personal data masked; Rasa annotations of wards and agencies are kept as they
    are (their words are not personal data, and a ward named after a person must stay a ward).
    Annotations are swapped for sentinels while the whole sentence is masked, so the masker keeps
    its context ("tôi là ...")."""
    from nlu.data import ANNOTATION

    kept: list[str] = []

    def hold(match: re.Match[str]) -> str:
        entity = match.group("entity") or ""
        if match.group("json"):
            entity = "agency" if '"agency"' in match.group("json") else "other"
        if entity.split(":")[0].strip() in KEEP_ANNOTATED:
            kept.append(match.group(0))
        else:
            suffix = match.group(0)[len(match.group("text")) + 2:]
            kept.append(f"[{_mask_plain(match.group('text'), known)}]{suffix}")
        return f"§{len(kept) - 1}§"

    masked = _mask_plain(ANNOTATION.sub(hold, text), known)
    masked = re.sub(r"§(\d+)§", lambda m: kept[int(m.group(1))] if int(m.group(1)) < len(kept) else "",
                    masked)
    return rd.one_line(masked)


def accept_item(session: Session, item_id: int, decision: Decision, catalogue: Catalogue,
                reviewer: str, now: datetime) -> Outcome:
    """Mask, check clashes and the validator, append to reviewed/<source>.yml, mark accepted.

    Nothing is written when the example duplicates or contradicts existing data (unless the admin
    chose to move the contradicting examples to the new label) or would add validator problems.
    """
    item = get_item(session, item_id)
    if item is None or item["status"] != "pending":
        return Outcome(False, error="not_pending")
    if decision.intent == "phan_anh" and decision.procedure not in catalogue.procedures:
        return Outcome(False, error="unknown_procedure")
    if decision.agency and decision.agency not in catalogue.agencies:
        return Outcome(False, error="unknown_agency")
    try:
        label = rd.training_label(decision.intent, decision.procedure)
    except ValueError:
        return Outcome(False, error="unknown_intent")
    example = mask_example(decision.text or item["text"], known_personal_data(session, item))
    if not example.strip():
        return Outcome(False, error="empty")
    relative = rd.reviewed_file(item["source"])
    details = {"review": item["id"], "source": item["source"], "channel": item.get("channel"),
               "received": item["received_at"].date().isoformat(), "reviewed": now.date().isoformat(),
               "reviewer": reviewer, "case": item.get("case_code"), "agency": decision.agency,
               "note": decision.note}
    with data_edits.locked_copy(session) as (data_root, catalogue_dir):
        clashes = rd.find_clashes(data_root, example, label)
        conflicts = [c for c in clashes if c.kind == "conflict"]
        if any(c.kind == "duplicate" for c in clashes) or (conflicts and not decision.replace_conflicts):
            return Outcome(False, label, example, relative, clashes=clashes)
        changes: dict[str, str] = {}
        for clash in conflicts:  # the admin moves the contradicting examples to the new label
            current = changes.get(clash.file) or (data_root / clash.file).read_text(encoding="utf-8")
            changes[clash.file] = rd.without_example(current, example)
        base = changes.get(relative)
        block = rd.block(label, example, details)
        changes[relative] = (base + block) if base is not None else rd.appended(data_root, relative,
                                                                                 item["source"], block)
        problems = rd.staged_problems(data_root, catalogue_dir, changes)
        if problems:
            return Outcome(False, label, example, relative, clashes=clashes, problems=problems)
        dd.write(session, dd.NLU, changes, reviewer, now)
    result = {"label": label, "intent": decision.intent, "procedure": decision.procedure,
              "agency": decision.agency, "example": example, "file": relative,
              "replaced": [c.file for c in conflicts], "note": decision.note}
    _finish(session, item, "accepted", reviewer, now, result)
    logger.info("review item %s accepted as %s into %s", item_id, label, relative)
    return Outcome(True, label, example, relative, clashes=clashes)


def reject_item(session: Session, item_id: int, reviewer: str, now: datetime, note: str = "") -> bool:
    item = get_item(session, item_id)
    if item is None or item["status"] != "pending":
        return False
    _finish(session, item, "rejected", reviewer, now, {"note": note})
    return True


def _finish(session: Session, item: dict[str, Any], status: str, reviewer: str, now: datetime,
            result: dict[str, Any]) -> None:
    session.execute(nlu_review_items.update().where(nlu_review_items.c.id == item["id"])
                    .values(status=status, reviewer=reviewer, reviewed_at=now, result=result))
    if item.get("example_id"):
        session.execute(labelled_examples.update().where(labelled_examples.c.id == item["example_id"])
                        .values(status=status))


def proposal(session: Session, item: dict[str, Any], extractor: Any, catalogue: Catalogue) -> Decision:
    """What the review form starts from: staff's correction, else the model's best guess; masked
    text with the entities the rules find already annotated."""
    from nlu.result import OUT_OF_SCOPE_INTENT, split_label
    from routing.rules import choose_agency

    guess = dict(item.get("suggested") or item.get("predicted") or {})
    ranking = (item.get("predicted") or {}).get("ranking") or []
    if not item.get("suggested") and ranking and guess.get("intent") in (None, FALLBACK):
        guess["intent"], guess["procedure"] = split_label(ranking[0]["name"])
    intent = guess.get("intent") or "phan_anh"
    intent = OUT_OF_SCOPE_INTENT if intent == FALLBACK else intent
    procedure = guess.get("procedure") if intent == "phan_anh" else None
    masked = mask_example(item["text"], known_personal_data(session, item))
    entities = extractor.extract(masked)
    text = rd.annotate(masked, entities,
                       lambda agency: bool(procedure and catalogue.can_handle(agency, procedure)))
    named = [str(e["value"]) for e in entities if e["entity"] == "agency"]
    agency = guess.get("agency") or (choose_agency(catalogue, procedure, named) if procedure else None)
    return Decision(intent, procedure, agency, text)
