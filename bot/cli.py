"""Command line: setup, serve, shell, classify, nlu, worker. Thin: every command calls services."""
from __future__ import annotations

import argparse
import logging
import sys
import threading
import uuid
from datetime import datetime, timezone

from bot.config import load_settings
from settings import Settings, SettingsError

logger = logging.getLogger("bot")


def _setup(settings: Settings) -> None:
    """Database up to date, catalogue loaded, an NLU model trained and active."""
    from bot.setup import prepare

    prepare(settings)


def cmd_setup(args: argparse.Namespace, settings: Settings) -> int:
    _setup(settings)
    if not getattr(args, "no_demo", False):  # first accounts and sample cases on a fresh install
        from bot.components import build_components
        from bot.demo import load_demo
        load_demo(build_components(settings, background=False))
    return 0


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    """A staff account for the console; the password is asked for unless --password is given."""
    import getpass

    from bot.components import build_components
    from storage.staff_services import InvalidUser, create_user

    password = args.password or getpass.getpass("Mật khẩu: ")
    pakn = build_components(settings, background=False)
    try:
        pakn.uow().run(lambda uow: create_user(uow, pakn.ctx.catalogue, args.username, password,
                                               args.role, args.agency, args.ward, args.full_name or ""))
    except InvalidUser as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"user {args.username} created ({args.role})")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import create_app
    from bot.server import serve

    _setup(settings)
    app = create_app()
    pakn = app.extensions["pakn"]
    pakn.start_background()
    if settings.scheduler.run_in_server:
        pakn.start_scheduler()
    if args.telegram_polling:
        from bot.polling import start_telegram_polling
        start_telegram_polling(pakn)
    print(f"pakn-bot: http://{args.host}:{args.port}/chat (web chat), "
          f"NLU backend {pakn.nlu.backend_name}", flush=True)
    try:
        serve(app, args.host, args.port, settings)  # limits from settings.server: bot/server.py
    finally:
        pakn.shutdown()
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run the outbox dispatcher on its own (the server then sets dispatch_in_server: false).

    Several workers may run at once on PostgreSQL: claims are disjoint. SIGTERM/SIGINT finish
    the rows in hand and stop; a SIGKILL leaves them to be reclaimed when their lease runs out.
    """
    import signal

    from bot.components import build_dispatcher
    from channels.registry import build_channels
    from storage.db import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    dispatcher = build_dispatcher(settings, make_session_factory(engine),
                                  build_channels(settings.channels))
    stop = threading.Event()

    def finish(signum: int, _frame: object) -> None:
        stop.set()
        dispatcher.wakeup.set()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    print(f"outbox worker {dispatcher.worker_id} started", flush=True)
    dispatcher.run_forever(stop)
    engine.dispose()
    return 0


def cmd_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    """The one scheduler process (set scheduler.run_in_server: false for the web servers)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from bot.components import build_components
    from bot.scheduler import build_scheduler
    from routing.calendar import VIETNAM

    pakn = build_components(settings)
    scheduler = build_scheduler(pakn, BlockingScheduler(timezone=VIETNAM))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown()
    return 0


def cmd_calendar(args: argparse.Namespace, settings: Settings) -> int:
    """Admins add a day off or a make-up working day; open cases' deadlines are recomputed."""
    from datetime import date

    from bot.components import build_components
    from routing import services

    pakn = build_components(settings, background=False)
    moved = pakn.uow().run(lambda uow: services.set_calendar_day(uow, date.fromisoformat(args.day),
                                                                 args.working, args.reason))
    kind = "make-up working day" if args.working else "day off"
    print(f"{args.day} is now a {kind}; {moved} open case(s) got new due dates")
    return 0


def cmd_shell(args: argparse.Namespace, settings: Settings) -> int:
    """Chat with the bot as a citizen in the terminal, through the same pipeline."""
    from bot.components import build_components
    from channels.base import IncomingMessage, OutgoingMessage, QuickReply, numbered_text

    _setup(settings)
    pakn = build_components(settings, background=False)
    pakn.nlu.reload_if_changed()
    sender = f"shell-{uuid.uuid4().hex[:8]}"
    print("Nhập tin nhắn (Ctrl-D để thoát). Nút bấm: gõ số thứ tự hoặc nội dung của nút.")
    for line in sys.stdin:
        text = line.strip()
        if not text:
            continue
        incoming = IncomingMessage("webchat", sender, uuid.uuid4().hex, text, datetime.now(timezone.utc))
        for reply in pakn.pipeline.handle(incoming).replies:
            buttons = tuple(QuickReply(title, payload) for title, payload in reply.quick_replies)
            shown = OutgoingMessage(sender, reply.text, buttons)
            print(f"bot> {numbered_text(shown)}\n", flush=True)
        pakn.dispatcher.dispatch_once()
    return 0


def cmd_classify(args: argparse.Namespace, settings: Settings) -> int:
    """JSON lines with `text` on stdin -> one JSON line of labels per input, in order."""
    from nlu.classify import classify_stream, service_from_settings

    classify_stream(service_from_settings(settings), sys.stdin, sys.stdout)
    return 0


def cmd_api_key(args: argparse.Namespace, settings: Settings) -> int:
    """`api-key create --name X`, kept as another name for `open311 keys create --name X`."""
    from bot.open311_cli import run_open311_command
    return run_open311_command(args, settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="pakn-bot")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG")
    commands = parser.add_subparsers(dest="command", required=True)
    setup = commands.add_parser("setup", help="migrate the database, load the catalogue, train the NLU")
    setup.add_argument("--no-demo", action="store_true", help="no demo accounts or sample cases")
    user = commands.add_parser("create-user", help="create a staff account for the console")
    user.add_argument("--username", required=True)
    user.add_argument("--role", required=True, choices=["focal_point", "agency_staff", "admin"])
    user.add_argument("--agency", help="agency id (agency_staff)")
    user.add_argument("--ward", help='ward label for commune-level agencies, e.g. "phường Cầu Giấy"')
    user.add_argument("--full-name")
    user.add_argument("--password", help="prompted for when omitted")
    serve = commands.add_parser("serve", help="serve the bot, web chat and webhooks")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--telegram-polling", action="store_true",
                       help="read Telegram with getUpdates instead of a webhook")
    commands.add_parser("worker", help="run the outbox dispatcher")
    commands.add_parser("scheduler", help="run the reminder, escalation, digest and survey jobs")
    calendar = commands.add_parser("calendar", help="add a day off or a make-up working day")
    calendar.add_argument("day", help="YYYY-MM-DD")
    calendar.add_argument("--working", action="store_true", help="a make-up working day")
    calendar.add_argument("--reason", required=True)
    commands.add_parser("shell", help="chat with the bot in the terminal")
    commands.add_parser("classify", help="classify JSON lines from stdin")
    from bot.nlu_cli import add_nlu_commands
    add_nlu_commands(commands)
    from bot.open311_cli import add_open311_commands
    add_open311_commands(commands)
    api_key = commands.add_parser("api-key", help="Open311 API keys (see: open311 keys)")
    api_key.add_argument("action", choices=["create"])
    api_key.add_argument("--name", required=True, help="the client's name (unique)")
    return parser


COMMANDS = {"setup": cmd_setup, "serve": cmd_serve, "worker": cmd_worker, "shell": cmd_shell,
            "classify": cmd_classify, "scheduler": cmd_scheduler, "calendar": cmd_calendar,
            "create-user": cmd_create_user, "api-key": cmd_api_key, "open311": cmd_api_key}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print("config.yaml / environment: settings that cannot be used:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    from bot.logs import configure
    configure(settings, args.verbose)
    if args.command == "nlu":
        from bot.nlu_cli import run_nlu_command
        return run_nlu_command(args, settings)
    return COMMANDS[args.command](args, settings)
