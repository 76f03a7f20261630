"""The app factory: config, database, catalogue, NLU, channels, pipeline, blueprints."""
from __future__ import annotations

import logging
import secrets
from typing import Any, Mapping

from flask import Flask, jsonify

from bot import proxy, security, webhook_fastpath
from bot.components import Components, build_components, current
from bot.config import load_settings
from console.form_text import CleanRequest, RowIdConverter

logger = logging.getLogger(__name__)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app. `test_config` overrides settings (same shape as config.yaml, checked
    the same way: bot.config.load_settings)."""
    settings = load_settings(overrides=test_config)
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.request_class = CleanRequest  # one text cleaner for every form, query and JSON body
    app.url_map.converters["int"] = RowIdConverter  # before any route: '٣' or 10**20 is a 404
    app.config["SECRET_KEY"] = settings.secret_key or secrets.token_hex(32)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if not settings.secret_key:
        logger.warning("PAKN_SECRET_KEY is not set: web chat sessions end when the server restarts")
    components = build_components(settings, background=settings.background)
    components.nlu.reload_if_changed()
    app.extensions["pakn"] = components
    security.refuse_unsafe_production(settings, components)  # exits in production with demo secrets
    security.init_app(app)  # CSP and the other security headers on every response
    webhook_fastpath.install(app)  # a webhook POST answered without the console's machinery
    proxy.init_app(app, settings)  # the client's address behind the trusted reverse proxies

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
    from bot import observability
    observability.init_app(app, components)  # /readyz, /metrics
    app.add_url_rule("/", "index", lambda: webchat.redirect_to_chat())
    return app


def components() -> Components:
    return current()


def healthz() -> Any:
    pakn = components()
    body = {"status": "ok", "nlu_backend": pakn.nlu.backend_name,
            "nlu_model": pakn.nlu.active_version, "channels": sorted(pakn.channels)}
    if pakn.nlu.degraded_reason:
        body["nlu_degraded"] = pakn.nlu.degraded_reason
    if pakn.nlu.fallback is None and pakn.nlu.primary is None:
        return jsonify(status="starting", reason="no NLU model is active"), 503
    return jsonify(body)
