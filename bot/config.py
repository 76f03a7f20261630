"""Configuration: defaults -> config.yaml -> environment (secrets only from the environment)."""
from __future__ import annotations

import copy
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

import yaml

from settings import Settings, SettingsError, build, to_dict
from settings.build import secret_keys, unknown_keys

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
    "PAKN_METRICS_TOKEN": (("observability",), "metrics_token"),
    "PAKN_LOG_FORMAT": (("logging",), "format"),
}

# Every default lives in settings/ (one frozen dataclass per section, same keys as config.yaml).
DEFAULTS: dict[str, Any] = to_dict(Settings())


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None,
                  overrides: Mapping[str, Any] | None = None) -> Settings:
    """The effective settings; relative paths are resolved against the project root.

    SettingsError names every unknown key, wrong type, and secret written in config.yaml."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    path = path or Path(env.get("PAKN_CONFIG", ROOT / "config.yaml"))
    raw: dict[str, Any] = {}
    if path.exists():
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        _check_file(path, raw)
    for name, (section, key) in ENVIRONMENT.items():
        if env.get(name):
            target = raw
            for part in section:
                target = target.setdefault(part, {})
            target[key] = env[name]
    if env.get("PAKN_ENV", "").strip().lower() == "production":
        raw["production"] = True
    settings = build(Settings, merge(merge(DEFAULTS, raw), overrides or {}))  # mappings merge key by key
    return _resolved(settings)


def _check_file(path: Path, raw: Any) -> None:
    """config.yaml holds structure only: an unknown key (a typo, a removed setting) or a secret
    there stops the start with its name, instead of being silently ignored or committed."""
    if not isinstance(raw, dict):
        raise SettingsError([f"{path}: expected sections of key: value lines"])
    variables = {".".join((*section, key)): name for name, (section, key) in ENVIRONMENT.items()}
    problems = [f"{path}: unknown setting {name}" for name in unknown_keys(Settings, raw)]
    problems += [f"{path}: {name} is a secret: set {variables.get(name, 'it')} in the environment instead"
                 for name in secret_keys(Settings, raw)]
    if problems:
        raise SettingsError(problems)


def _resolved(settings: Settings) -> Settings:
    nlu = settings.nlu
    return replace(
        settings, database_url=_absolute_sqlite(settings.database_url),
        catalogue_dir=str(resolve(settings.catalogue_dir)),
        uploads=replace(settings.uploads, dir=str(resolve(settings.uploads.dir))),
        nlu=replace(nlu, data_dir=str(resolve(nlu.data_dir)), models_dir=str(resolve(nlu.models_dir)),
                    rasa=replace(nlu.rasa, venv=str(resolve(nlu.rasa.venv))),
                    review=replace(nlu.review, heldout=str(resolve(nlu.review.heldout)))))


def resolve(path: str | Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else ROOT / path


def _absolute_sqlite(url: str) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(resolve(url[len(prefix):]))
    return url
