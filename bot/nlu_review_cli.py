"""`python -m bot nlu review list|accept|reject`: the console's review queue, non-interactively."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from console.nlu_review import contact_question
from nlu.training import review_queue as rq
from nlu.training import services as review
from settings import Settings


def add_review_commands(sub: Any) -> None:
    review = sub.add_parser("review", help="the review queue: list, accept or reject items")
    actions = review.add_subparsers(dest="review_command", required=True)
    listing = actions.add_parser("list", help="collect new items, then list them")
    listing.add_argument("--status", choices=("pending", "accepted", "rejected"), default="pending")
    listing.add_argument("--source", choices=rq.SOURCES, default="")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    accept = actions.add_parser("accept", help="mask and add an item to nlu_data/reviewed/<source>.yml")
    accept.add_argument("item", type=int)
    accept.add_argument("--intent", default=None, help="phan_anh, tra_cuu, ... (default: the proposal)")
    accept.add_argument("--procedure", default=None)
    accept.add_argument("--agency", default=None)
    accept.add_argument("--text", default=None, help="the example (Rasa annotations allowed)")
    accept.add_argument("--replace-conflicts", action="store_true",
                        help="move the same text out of the intent it has now")
    accept.add_argument("--reviewer", default="cli")
    accept.add_argument("--note", default="")
    reject = actions.add_parser("reject", help="drop an item from the queue")
    reject.add_argument("item", type=int)
    reject.add_argument("--reviewer", default="cli")
    reject.add_argument("--note", default="")


def _service(settings: Settings, catalogue_dir: Path) -> Any:
    from nlu.entities import EntityExtractor
    from nlu.models import ModelStore
    from nlu.service import NluService
    from storage.catalogue_files import load_catalogue, load_ward_aliases

    catalogue = load_catalogue(catalogue_dir)
    service = NluService(catalogue, EntityExtractor(catalogue, load_ward_aliases(catalogue_dir)),
                         ModelStore(Path(settings.nlu.models_dir)), settings.nlu.threshold)
    service.reload_if_changed(force=True)
    return service


def run_review_command(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import make_engine, make_session_factory
    from storage.reading import read_session
    from storage.unit_of_work import SqlUnitOfWork

    from storage import data_documents as dd

    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    now = datetime.now(timezone.utc)
    try:
        with read_session(session_factory) as session:
            texts = dd.documents(session, dd.CATALOGUE)  # the catalogue as staff left it
        with dd.exported(texts, "catalogue") as catalogue_dir:
            service = _service(settings, catalogue_dir)
        return SqlUnitOfWork(session_factory).run(lambda uow: _run(args, settings, service, uow, now))
    finally:
        engine.dispose()


def _run(args: argparse.Namespace, settings: Settings, service: Any, uow: Any, now: datetime) -> int:
    """One command in one unit of work (what it changed commits when it returns)."""
    nlu = settings.nlu
    db = uow.session  # the queue's reads, in the same transaction as its writes
    if args.review_command == "list":
        added = review.collect_review_items(uow, now, nlu.threshold, nlu.review.margin,
                                            service.parse if service.fallback else None,
                                            contact_question)
        rows, total = rq.list_items(db, args.status, args.source, args.limit)
        for row in rows:
            if args.json:
                print(json.dumps({k: row[k] for k in ("id", "source", "text", "predicted", "suggested",
                                                      "case_code", "channel", "status")},
                                 ensure_ascii=False, default=str))
            else:
                guess = row["suggested"] or row["predicted"] or {}
                print(f"{row['id']:6d}  {row['source']:16s} {guess.get('intent') or '-'}/"
                      f"{guess.get('procedure') or '-'}  {' '.join(row['text'].split())[:100]}")
        print(f"{total} {args.status} item(s); {added} new", file=sys.stderr)
        return 0
    if args.review_command == "reject":
        if not review.reject_review_item(uow, args.item, args.reviewer, now, args.note):
            print(f"item {args.item} is not pending", file=sys.stderr)
            return 1
        print(f"item {args.item} rejected")
        return 0
    item = rq.get_item(db, args.item)
    if item is None:
        print(f"no review item {args.item}", file=sys.stderr)
        return 1
    proposal = rq.proposal(db, item, service.extractor, service.catalogue)
    intent = args.intent or ("phan_anh" if args.procedure else proposal.intent)
    decision = rq.Decision(intent, args.procedure or (proposal.procedure if intent == "phan_anh" else None),
                           args.agency or proposal.agency, args.text or proposal.text,
                           args.replace_conflicts, args.note)
    outcome = review.accept_review_item(uow, args.item, decision, service.catalogue, args.reviewer, now)
    if outcome.accepted:
        print(f"item {args.item} accepted as {outcome.label} into {outcome.file}: {outcome.example}")
        return 0
    for clash in outcome.clashes:
        print(f"{clash.kind}: {clash.intent} in {clash.file}: {clash.example}", file=sys.stderr)
    for problem in outcome.problems:
        print(problem, file=sys.stderr)
    print(f"item {args.item} not accepted{': ' + outcome.error if outcome.error else ''}", file=sys.stderr)
    return 1
