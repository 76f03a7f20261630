"""The app factory: config, database, catalogue, NLU, channels, pipeline, blueprints."""
from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app, jsonify

from bot.catalogue import (LiveCatalogue, deadline_policy, load_catalogue, load_sipas_criteria,
                           load_ward_aliases)
from bot.config import load_settings
from bot.attempts import AttemptLimiter
from bot.dialogue import Dialogue
from bot.nlu.entities import EntityExtractor
from bot.nlu.factory import build_nlu_service
from bot.nlu.service import NluService
from bot.dispatcher import Dispatcher
from bot.outbox import OutboxNotifier
from bot.pipeline import Pipeline
from bot.processor import InboundProcessor
from channels.base import Channel
from channels.registry import build_channels
from console.form_text import CleanRequest
from routing.services import CaseContext
from storage.db import make_engine, make_session_factory
from storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)


@dataclass
class Components:
    """Everything a request, a CLI command or a background thread needs."""

    settings: dict[str, Any]
    engine: Any
    session_factory: Any
    ctx: CaseContext
    nlu: NluService
    channels: dict[str, Channel]
    pipeline: Pipeline
    processor: InboundProcessor
    dispatcher: Dispatcher
    notifier: OutboxNotifier
    live_catalogue: LiveCatalogue
    stop: threading.Event = field(default_factory=threading.Event)
    scheduler: Any = None

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.session_factory)

    def start_background(self) -> None:
        """Start inbound processing, and the outbox dispatcher where this process owns it."""
        self.processor.start()
        self.processor.recover()
        if self.settings["outbox"]["dispatch_in_server"]:
            threading.Thread(target=self.dispatcher.run_forever, args=(self.stop,),
                             name="outbox", daemon=True).start()

    def start_scheduler(self) -> None:
        """Only for the single-process mode: the scheduler must run in exactly one process."""
        from bot.scheduler import build_scheduler

        self.scheduler = build_scheduler(self)
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        self.stop.set()
        self.dispatcher.wakeup.set()
        self.processor.stop()


def build_components(settings: dict[str, Any], background: bool = True) -> Components:
    catalogue_dir = Path(settings["catalogue_dir"])
    catalogue = load_catalogue(catalogue_dir)
    check = float(settings["catalogue_check_seconds"])
    ctx = CaseContext(catalogue, deadline_policy(catalogue, settings["deadlines"]))
    engine = make_engine(settings["database_url"])
    session_factory = make_session_factory(engine)
    extractor = EntityExtractor(catalogue, load_ward_aliases(catalogue_dir))
    live = LiveCatalogue(catalogue, catalogue_dir, check, on_change=extractor.use_catalogue)
    nlu = build_nlu_service(settings, catalogue, extractor)  # Rasa in front when configured
    channels = build_channels(settings["channels"])
    dispatcher = build_dispatcher(settings, session_factory, channels)
    criteria = load_sipas_criteria(catalogue_dir)
    notifier = OutboxNotifier(catalogue, criteria)
    lookups = AttemptLimiter(int(settings["public"]["lookup_attempts"]),
                             float(settings["public"]["lookup_window_seconds"]))
    pipeline = Pipeline(lambda: SqlUnitOfWork(session_factory), nlu,
                        Dialogue(catalogue, criteria, ctx.policy.answer_days),
                        ctx, on_queued=dispatcher.wakeup.set, lookup_limiter=lookups,
                        before_message=live.refresh_if_changed, notifier=notifier)
    processor = InboundProcessor(pipeline, session_factory, background=background)
    return Components(settings, engine, session_factory, ctx, nlu, channels, pipeline, processor,
                      dispatcher, notifier, live)


def build_dispatcher(settings: dict[str, Any], session_factory: Any,
                     channels: dict[str, Channel]) -> Dispatcher:
    """The outbox dispatcher, with Zalo's database-backed tokens and ZNS settings wired in."""
    zalo = settings["channels"].get("zalo") or {}
    if "zalo" in channels:
        from bot.zalo_tokens import install
        install(session_factory, channels["zalo"], zalo)  # type: ignore[arg-type]
    zns = {"template_id": zalo.get("zns_template_id"), "params": zalo.get("zns_template_params")}
    return Dispatcher(session_factory, channels, settings["outbox"], zns=zns)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app. `test_config` overrides settings (same shape as config.yaml)."""
    settings = load_settings(overrides=test_config)
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.request_class = CleanRequest  # one text cleaner for every form, query and JSON body
    app.config["SECRET_KEY"] = settings.get("secret_key") or secrets.token_hex(32)
    app.config["MAX_CONTENT_LENGTH"] = int(settings["max_body_bytes"])
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if not settings.get("secret_key"):
        logger.warning("PAKN_SECRET_KEY is not set: web chat sessions end when the server restarts")
    components = build_components(settings, background=settings.get("background", True))
    components.nlu.reload_if_changed()
    app.extensions["pakn"] = components

    @app.before_request
    def refresh_catalogue() -> None:  # catalogue additions from the console, seen by every process
        components.live_catalogue.refresh_if_changed()

    from bot import webchat, webhooks
    app.register_blueprint(webhooks.blueprint)
    app.register_blueprint(webchat.blueprint)
    import console
    console.init_app(app, settings)  # staff console: /console
    from console import open311, public, reports  # /cong-khai, /tra-cuu, /open311/v2, /bao-cao
    for module in (public, open311, reports):
        app.register_blueprint(module.blueprint)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/", "index", lambda: webchat.redirect_to_chat())
    return app


def components() -> Components:
    return current_app.extensions["pakn"]  # type: ignore[no-any-return]


def healthz() -> Any:
    pakn = components()
    body = {"status": "ok", "nlu_backend": pakn.nlu.backend_name,
            "nlu_model": pakn.nlu.active_version, "channels": sorted(pakn.channels)}
    if pakn.nlu.degraded_reason:
        body["nlu_degraded"] = pakn.nlu.degraded_reason
    if pakn.nlu.fallback is None and pakn.nlu.primary is None:
        return jsonify(status="starting", reason="no NLU model is active"), 503
    return jsonify(body)
