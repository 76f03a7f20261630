"""Command line: setup, serve, shell, classify, nlu, worker. Thin: every command calls services."""
from __future__ import annotations

import argparse
import logging
import sys
import threading
import uuid
from pathlib import Path
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


WEB_ONLY = {"inbound": {"process_in_server": False}, "outbox": {"dispatch_in_server": False},
            "scheduler": {"run_in_server": False}}


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import create_app
    from bot.server import serve, serve_processes

    if not args.no_setup:
        _setup(settings)
    if args.processes > 1:  # N copies of this command on one port (SO_REUSEPORT), supervised
        return serve_processes(args.processes, _child_command(args))
    app = create_app(WEB_ONLY if args.web_only else None)
    pakn = app.extensions["pakn"]
    settings = pakn.settings
    pakn.start_background()
    if settings.scheduler.run_in_server:
        pakn.start_scheduler()
    if args.telegram_polling:
        from bot.polling import start_telegram_polling
        start_telegram_polling(pakn)
    print(f"pakn-bot: http://{args.host}:{args.port}/chat (web chat), "
          f"NLU backend {pakn.nlu.backend_name}", flush=True)
    try:  # limits from settings.server: bot/server.py
        serve(app, args.host, args.port, settings, reuse_port=args.reuse_port)
    finally:
        pakn.shutdown()
    return 0


def _child_command(args: argparse.Namespace) -> list[str]:
    command = [sys.executable, "-m", "bot", "serve", "--host", args.host, "--port", str(args.port),
               "--no-setup", "--reuse-port"]
    return command + (["--web-only"] if args.web_only else [])


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Process inbound messages and/or send the outbox in this process (both unless one is named).

    Any number of workers may run, on any number of machines sharing the database: inbound events
    and outbox rows are claimed under leases (the web servers then set inbound.process_in_server
    and outbox.dispatch_in_server to false, or run `serve --web-only`). SIGTERM/SIGINT finish the
    work in hand and stop; after a SIGKILL the work in hand is taken over when its lease runs out.
    """
    import signal

    from bot.components import build_components

    inbound = args.inbound or not args.outbound
    outbound = args.outbound or not args.inbound
    threads = args.threads or settings.inbound.threads
    if not inbound:
        return _outbox_worker(settings)
    pakn = build_components(settings)
    pakn.nlu.reload_if_changed()
    pakn.pipeline.warm_up()

    def finish(signum: int, _frame: object) -> None:
        pakn.stop.set()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    pakn.start_workers(threads, outbound)
    print(f"worker {pakn.processor.worker_id} started: {threads} inbound thread(s)"
          f"{', outbox dispatcher' if outbound else ''}", flush=True)
    while not pakn.stop.wait(1.0):
        pakn.nlu.reload_if_changed()  # a model staff activated in the console
    pakn.shutdown()
    pakn.engine.dispose()
    return 0


def _outbox_worker(settings: Settings) -> int:
    """The outbox dispatcher alone: no catalogue or NLU model needed."""
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
    """The scheduler (set scheduler.run_in_server: false for the web servers, or `--web-only`).

    Starting two is harmless: exactly one is active, by a PostgreSQL advisory lock (a file lock on
    SQLite); the other waits as a standby and takes over within `standby_seconds` of the active
    one's death. SIGTERM/SIGINT stop it.
    """
    import signal

    from bot.components import build_components

    pakn = build_components(settings)

    def finish(signum: int, _frame: object) -> None:
        pakn.stop.set()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    pakn.start_scheduler()
    while not pakn.stop.wait(1.0):
        if pakn.scheduler_lost():
            logger.error("scheduler: the single-active lock was lost; exiting to be restarted")
            pakn.shutdown()
            return 1
    pakn.shutdown()
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


def cmd_catalogue(args: argparse.Namespace, settings: Settings) -> int:
    """`catalogue export [dir]`: the catalogue as staff left it, as YAML files."""
    from bot.setup import export_documents
    return export_documents(settings, "catalogue", Path(args.directory or settings.catalogue_dir))


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
    serve.add_argument("--processes", type=int, default=1,
                       help="web server processes sharing the port (SO_REUSEPORT), supervised")
    serve.add_argument("--web-only", action="store_true",
                       help="serve only: inbound, outbox and scheduler run in their own processes")
    serve.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    serve.add_argument("--no-setup", action="store_true", help=argparse.SUPPRESS)
    worker = commands.add_parser("worker", help="process inbound messages and send the outbox")
    worker.add_argument("--inbound", action="store_true", help="process inbound messages only")
    worker.add_argument("--outbound", action="store_true", help="send the outbox only")
    worker.add_argument("--threads", type=int, default=0,
                        help="inbound worker threads (default: inbound.threads)")
    commands.add_parser("scheduler", help="run the reminder, escalation, digest and survey jobs")
    calendar = commands.add_parser("calendar", help="add a day off or a make-up working day")
    calendar.add_argument("day", help="YYYY-MM-DD")
    calendar.add_argument("--working", action="store_true", help="a make-up working day")
    calendar.add_argument("--reason", required=True)
    catalogue = commands.add_parser("catalogue", help="the catalogue kept in the database")
    catalogue_sub = catalogue.add_subparsers(dest="catalogue_command", required=True)
    catalogue_export = catalogue_sub.add_parser("export", help="write it as YAML files")
    catalogue_export.add_argument("directory", nargs="?", help="default: catalogue_dir (the seed)")
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
            "create-user": cmd_create_user, "api-key": cmd_api_key, "open311": cmd_api_key,
            "catalogue": cmd_catalogue}


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
