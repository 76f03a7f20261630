"""Security headers on every response, and the refusal to run in production with what a fresh
installation ships with (an unset secret key, the demo accounts' passwords). Issue 17.

The Content-Security-Policy allows scripts and styles from the site itself only: no inline
<script>, no on* attributes, no style="" attributes (templates carry classes and data-*
attributes; console.js, nlu.js and chat.js wire the behaviour), so an injected string can neither
run script nor restyle a page. `<script type="application/json">` data blocks are never executed
and need no exception. Nothing may frame a page (clickjacking the console's buttons).
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response

from settings import Settings

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",  # blob: the web chat's preview of a photo before it is sent
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# Features no page of the bot uses; an injected frame or script cannot ask for them either.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}


def init_app(app: Flask) -> None:
    """Every response, pages, JSON, files, webhooks' acknowledgements and errors alike."""

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


# -- production ----------------------------------------------------------------------------------


class UnsafeProduction(SystemExit):
    """Raised by `refuse_unsafe_production`: the process exits with status 2."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(2)
        self.problems = problems


def is_production(settings: Settings) -> bool:
    return settings.production


def production_problems(settings: Settings, components: Any) -> list[str]:
    """What makes this installation unsafe to serve the public; empty when it is safe."""
    problems = []
    if not settings.secret_key:
        problems.append("PAKN_SECRET_KEY is not set: set a long random secret key "
                        "(python -c 'import secrets; print(secrets.token_hex(32))')")
    demo = demo_passwords_in_use(components)
    if demo:
        problems.append(f"account(s) {', '.join(demo)} still have the demo password: change them "
                        "(console > Tài khoản, or python -m bot create-user) before serving")
    return problems


def demo_passwords_in_use(components: Any) -> list[str]:
    """The demo accounts (bot/demo.py) whose password is still the demo one."""
    from bot.demo import DEMO_USERS
    from storage.staff_services import AccountLocked, authenticate

    found = []
    with components.read() as session:
        for username, password, *_ in DEMO_USERS:
            try:
                user = authenticate(session, username, password)
            except AccountLocked:
                user = {"username": username}  # locked today, unlocked tomorrow: still a known password
            if user is not None:
                found.append(username)
    return found


def refuse_unsafe_production(settings: Settings, components: Any) -> None:
    """In production, log each problem on one English line and exit with status 2."""
    if not is_production(settings):
        return
    problems = production_problems(settings, components)
    for problem in problems:
        logger.critical("refusing to start in production: %s", problem)
    if problems:
        raise UnsafeProduction(problems)
