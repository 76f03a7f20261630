"""Configuration: defaults -> config.yaml -> environment (secrets only from the environment)."""
from __future__ import annotations

import copy
import logging
import os
from pathlib import Path
from typing import Any, Mapping

import yaml

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent

# Environment variable -> (section path, key). Names are a contract with operators and tests.
ENVIRONMENT = {
    "PAKN_DATABASE_URL": ((), "database_url"),
    "PAKN_SECRET_KEY": ((), "secret_key"),
    "TELEGRAM_BOT_TOKEN": (("channels", "telegram"), "bot_token"),
    "TELEGRAM_WEBHOOK_SECRET": (("channels", "telegram"), "webhook_secret"),
    "TELEGRAM_API_URL": (("channels", "telegram"), "api_url"),
    "FACEBOOK_APP_SECRET": (("channels", "facebook"), "app_secret"),
    "FACEBOOK_VERIFY_TOKEN": (("channels", "facebook"), "verify_token"),
    "FACEBOOK_PAGE_ACCESS_TOKEN": (("channels", "facebook"), "page_access_token"),
    "FACEBOOK_GRAPH_URL": (("channels", "facebook"), "graph_url"),
    "ZALO_APP_ID": (("channels", "zalo"), "app_id"),
    "ZALO_OA_SECRET_KEY": (("channels", "zalo"), "oa_secret_key"),
    "ZALO_ACCESS_TOKEN": (("channels", "zalo"), "access_token"),
    "ZALO_REFRESH_TOKEN": (("channels", "zalo"), "refresh_token"),
    "ZALO_APP_SECRET": (("channels", "zalo"), "app_secret"),
    "ZALO_API_URL": (("channels", "zalo"), "api_url"),
    "ZALO_OAUTH_URL": (("channels", "zalo"), "oauth_url"),
    "ZALO_ZNS_URL": (("channels", "zalo"), "zns_url"),
    "SMTP_USER": (("email",), "user"),
    "SMTP_PASSWORD": (("email",), "password"),
}

DEFAULTS: dict[str, Any] = {
    "database_url": "sqlite:///var/pakn.db",
    "secret_key": None,
    # Production (or PAKN_ENV=production): refuse to start with an unset secret key or a demo password.
    "production": False,
    # waitress behind the reverse proxy (deploy/nginx.conf); the reasoning is in config.yaml.
    "server": {"threads": 8, "connection_limit": 1000, "channel_timeout": 30, "cleanup_interval": 10,
               "backlog": 1024},
    "catalogue_dir": "catalogue",
    "catalogue_check_seconds": 5.0,
    "max_body_bytes": 1024 * 1024,
    # Photos and documents citizens attach in the web chat; the types are checked on the content.
    "uploads": {"dir": "var/uploads", "max_bytes": 5 * 1024 * 1024,
                "types": ["image/jpeg", "image/png", "application/pdf"]},
    "nlu": {"backend": "builtin", "data_dir": "nlu_data", "models_dir": "var/models",
            "threshold": 0.25, "activation_margin": 0.02,
            "review": {"margin": 0.15, "cv_folds": 5, "heldout": "evaluation/nlu_heldout.jsonl"},
            "rasa": {"url": "http://127.0.0.1:5005", "venv": ".venv-rasa", "start_server": True,
                     "timeout_seconds": 2.0}},
    "deadlines": {"steps": {}, "per_procedure": {}, "remind_working_days_before": 1},
    # Cookies are Secure when secure_cookies or production. Failed logins are limited per account
    # and client address together (login_attempts) and per address (login_attempts_per_address).
    # Sessions end after session_idle_minutes without a request, session_absolute_hours after login.
    "console": {"secure_cookies": False, "login_attempts": 10, "login_attempts_per_address": 50,
                "login_window_seconds": 900, "session_idle_minutes": 30,
                "session_absolute_hours": 12},
    # The client's address is taken from X-Forwarded-For behind this many trusted reverse proxies
    # (deploy/nginx.conf is one hop); 0 = the TCP peer, when nothing sits in front of the server.
    "proxy": {"trusted_hops": 0},
    # base_url: the public address of this server as citizens reach it (web chat and the channel
    # poster's QR codes); "" = the address the console was opened on. Lookups are limited per
    # tracking code and client address together, and per address.
    "public": {"lookup_attempts": 10, "lookup_attempts_per_address": 30,
               "lookup_window_seconds": 600, "base_url": ""},
    # A hotline case is linked to a chat only if the citizen agrees there within this many days.
    # phone: the hotline citizens call, printed on the channel poster ("" = not printed).
    "hotline": {"chat_link_days": 7, "phone": ""},
    "scheduler": {"run_in_server": True, "interval_minutes": 10, "digest_time": "07:30"},
    # Staff e-mail (daily digest, overdue alerts) sent by the scheduler; host "" = none.
    # base_url: the console's address in the e-mails' links ("" = public.base_url).
    "email": {"host": "", "port": 25, "from": "", "starttls": False, "ssl": False,
              "timeout_seconds": 10.0, "user": "", "password": "", "base_url": ""},
    "outbox": {"dispatch_in_server": True, "poll_seconds": 1.0, "give_up_after_hours": 24.0,
               "throttle_default_seconds": 30.0,
               "backoff_base_seconds": 2.0, "backoff_max_seconds": 600, "lease_seconds": 60,
               "batch_size": 20, "concurrency": 4,
               "rate_limits": {
                   "telegram": {"per_second": 30, "burst": 30, "per_chat_per_second": 1,
                                "per_chat_burst": 3},
                   "facebook": {"per_second": 250, "burst": 50, "per_chat_per_second": 1,
                                "per_chat_burst": 3},
                   "zalo": {"per_second": 10, "burst": 10, "per_chat_per_second": 1,
                            "per_chat_burst": 3}}},
    # Public addresses on the channel poster ("" = the channel is left off the poster): the bot's
    # Telegram username (t.me/…), the Facebook page's username (m.me/…), the Zalo OA id (zalo.me/…).
    "channels": {"telegram": {"api_url": "https://api.telegram.org", "username": ""},
                 "facebook": {"graph_url": "https://graph.facebook.com/v21.0", "page_username": ""},
                 "zalo": {"api_url": "https://openapi.zalo.me", "oa_id": "",
                          "oauth_url": "https://oauth.zaloapp.com",
                          "zns_url": "https://business.openapi.zalo.me",
                          "zns_template_id": "", "zns_template_params": {},
                          "token_refresh_ahead_seconds": 3600},
                 "webchat": {}},
}


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None,
                  overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The effective settings; relative paths are resolved against the project root."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    path = path or Path(env.get("PAKN_CONFIG", ROOT / "config.yaml"))
    settings = copy.deepcopy(DEFAULTS)
    if path.exists():
        settings = merge(settings, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    for name, (section, key) in ENVIRONMENT.items():
        if env.get(name):
            target = settings
            for part in section:
                target = target.setdefault(part, {})
            target[key] = env[name]
    if env.get("PAKN_ENV", "").strip().lower() == "production":
        settings["production"] = True
    settings = merge(settings, overrides or {})
    settings["database_url"] = _absolute_sqlite(settings["database_url"])
    for key in ("catalogue_dir",):
        settings[key] = str(resolve(settings[key]))
    settings["uploads"]["dir"] = str(resolve(settings["uploads"]["dir"]))
    for key in ("data_dir", "models_dir"):
        settings["nlu"][key] = str(resolve(settings["nlu"][key]))
    settings["nlu"]["rasa"]["venv"] = str(resolve(settings["nlu"]["rasa"]["venv"]))
    settings["nlu"]["review"]["heldout"] = str(resolve(settings["nlu"]["review"]["heldout"]))
    return settings


def resolve(path: str | Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else ROOT / path


def _absolute_sqlite(url: str) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(resolve(url[len(prefix):]))
    return url
