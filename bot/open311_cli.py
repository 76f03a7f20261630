"""`python -m bot open311 keys list|create|revoke`: the Open311 API clients and their keys.

A key is printed once when it is made (only its SHA-256 is kept); a revoked key is refused from
the next request on and its client stays listed as revoked. Each change is in the audit log under
the operator's name "cli" (the console's admin page does the same for a logged-in admin).
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from typing import Any

from routing.calendar import VIETNAM
from settings import Settings

CLI_ACTOR = "cli"


def add_open311_commands(commands: Any) -> None:
    open311 = commands.add_parser("open311", help="Open311 API clients and keys")
    subjects = open311.add_subparsers(dest="open311_subject", required=True)
    keys = subjects.add_parser("keys", help="list, create or revoke API keys")
    actions = keys.add_subparsers(dest="keys_action", required=True)
    actions.add_parser("list", help="every client: name, created, active or revoked")
    create = actions.add_parser("create", help="a new client and its key (printed once)")
    create.add_argument("--name", required=True, help="the client's name (unique)")
    revoke = actions.add_parser("revoke", help="revoke a client's key at once")
    revoke.add_argument("--name", required=True, help="the client's name")


def run_open311_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.components import build_components

    pakn = build_components(settings, background=False)
    try:
        action = args.keys_action if args.command == "open311" else args.action
        return {"list": _list, "create": _create, "revoke": _revoke}[action](pakn, args)
    finally:
        pakn.engine.dispose()


def _list(pakn: Any, args: argparse.Namespace) -> int:
    from storage.public_queries import list_api_clients

    with pakn.read() as db:
        rows = list_api_clients(db)
    if not rows:
        print("no API clients")
    for row in rows:
        state = "active" if row["active"] else f"revoked {_local(row['revoked_at'])}"
        print(f"{row['id']}\t{row['name']}\tcreated {_local(row['created_at'])}\t{state}")
    return 0


def _create(pakn: Any, args: argparse.Namespace) -> int:
    from sqlalchemy.exc import IntegrityError

    from storage.staff_services import create_api_client, record_audit

    def work(uow: Any) -> str:
        moment = datetime.now(timezone.utc)
        key = create_api_client(uow, args.name, moment)
        record_audit(uow, moment, None, CLI_ACTOR, "api_key_create", "api_client", args.name)
        return key

    try:
        key = pakn.uow().run(work)
    except IntegrityError:
        print(f"error: an API client named {args.name!r} already exists", file=sys.stderr)
        return 2
    print(key)
    return 0


def _revoke(pakn: Any, args: argparse.Namespace) -> int:
    from storage.public_queries import api_client_id
    from storage.staff_services import record_audit, revoke_api_client

    def work(uow: Any) -> str | None:
        client_id = api_client_id(uow.session, args.name)
        moment = datetime.now(timezone.utc)
        name = revoke_api_client(uow, client_id, moment) if client_id is not None else None
        if name is not None:
            record_audit(uow, moment, None, CLI_ACTOR, "api_key_revoke", "api_client", name)
        return name

    if pakn.uow().run(work) is None:
        print(f"error: no active API client named {args.name!r}", file=sys.stderr)
        return 2
    print(f"revoked the API key of {args.name!r}")
    return 0


def _local(moment: datetime | None) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if moment else "-"
