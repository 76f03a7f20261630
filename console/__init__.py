"""The staff console: inbox, cases, hotline intake, dashboard, administration (server-rendered)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from settings import Settings

csrf = CSRFProtect()
# Templates and static files of every console blueprint.
assets = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
                   static_folder="static", static_url_path="/static")


def init_app(app: Flask, settings: Settings | None = None) -> None:
    """Register the console: login, CSRF on its forms (and JSON posts via X-CSRFToken), pages."""
    from console import (
        account,
        account_contact,
        admin,
        api_keys,
        assign_view,
        auth,
        cases,
        dashboard,
        data_requests,
        delivery,
        hotline,
        inbox,
        nlu_editing,
        nlu_review,
        national,
        nlu_training,
        notifications,
        poster,
    )
    from console.views import template_helpers

    settings = settings or Settings()
    # Secure cookies when asked, and always in production (served over HTTPS behind the proxy).
    secure = settings.console.secure_cookies or settings.production
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure,
        # Webhooks and the web chat have their own protections; only console requests are checked.
        WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_TIME_LIMIT=None)
    csrf.init_app(app)
    auth.login_manager.init_app(app)
    app.register_blueprint(assets)
    for module in (auth, account, account_contact, inbox, cases, hotline, dashboard, admin, nlu_review,
                   nlu_training, nlu_editing, delivery, poster, assign_view, notifications, national,
                   data_requests, api_keys):
        app.register_blueprint(module.blueprint)
    app.before_request(_protect)
    app.context_processor(template_helpers)
    app.register_error_handler(CSRFError, _csrf_error)
    for code in (403, 404):
        app.register_error_handler(code, _console_error)


def _protect() -> None:
    """Every console POST carries a CSRF token (form field, or X-CSRFToken for JSON)."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.path.startswith("/console"):
        csrf.protect()


def _csrf_error(error: CSRFError) -> Any:
    from console import texts as T

    if request.is_json or request.accept_mimetypes.best == "application/json":
        return {"error": T.CSRF_FAILED}, 400
    return render_template("console/error.html", code=400, message=T.CSRF_FAILED), 400


def _console_error(error: Any) -> Any:
    from console import texts as T

    if not request.path.startswith("/console"):
        return error
    message = T.FORBIDDEN if error.code == 403 else T.NOT_FOUND
    if request.is_json or request.path.endswith(".json"):
        return {"error": message}, error.code
    return render_template("console/error.html", code=error.code, message=message), error.code
