"""Settings: one frozen dataclass per section, filled from config.yaml, then the environment, then a
test's overrides; a typo, a wrong type or a secret in config.yaml stops the start with its name."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import DEFAULTS, ENVIRONMENT, load_settings
from settings import OutboxSettings, Settings, SettingsError, build, to_dict
from tests.conftest import ROOT


def write(tmp_path: Path, document: dict[str, object]) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_the_shipped_config_yaml_is_valid_and_every_key_has_a_default() -> None:
    settings = load_settings(ROOT / "config.yaml", environ={})
    assert settings.nlu.threshold == 0.25 and settings.outbox.rate_limits["zalo"].per_second == 10
    document = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))

    def keys(mapping: dict[str, object], prefix: str = "") -> set[str]:
        found = set()
        for key, value in mapping.items():
            found.add(prefix + key)
            if isinstance(value, dict) and key not in ("rate_limits", "steps", "per_procedure",
                                                       "zns_template_params"):
                found |= keys(value, f"{prefix}{key}.")  # type: ignore[arg-type]
        return found

    assert keys(document) <= keys(DEFAULTS)


def test_settings_are_frozen() -> None:
    settings = load_settings(environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.outbox.batch_size = 1  # type: ignore[misc]


def test_an_unknown_key_in_config_yaml_is_named_with_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, {"outbox": {"max_attempts": 3, "batch_size": 5}, "nlu": {"treshold": 0.3}})
    with pytest.raises(SettingsError) as error:
        load_settings(path, environ={})
    assert sorted(error.value.problems) == [f"{path}: unknown setting nlu.treshold",
                                            f"{path}: unknown setting outbox.max_attempts"]


def test_a_wrong_type_is_named_with_its_key(tmp_path: Path) -> None:
    path = write(tmp_path, {"outbox": {"batch_size": "many"}, "scheduler": {"run_in_server": "yes"},
                            "uploads": {"types": "image/png"}})
    with pytest.raises(SettingsError) as error:
        load_settings(path, environ={})
    assert sorted(error.value.problems) == ["outbox.batch_size: expected a whole number, got 'many'",
                                            "scheduler.run_in_server: expected true or false, got 'yes'",
                                            "uploads.types: expected a list, got 'image/png'"]


def test_a_secret_in_config_yaml_is_refused_with_the_variable_to_use(tmp_path: Path) -> None:
    path = write(tmp_path, {"channels": {"telegram": {"bot_token": "123:abc"}}})
    with pytest.raises(SettingsError) as error:
        load_settings(path, environ={})
    assert error.value.problems == [f"{path}: channels.telegram.bot_token is a secret: "
                                    "set TELEGRAM_BOT_TOKEN in the environment instead"]


def test_every_secret_field_has_its_environment_variable() -> None:
    secrets = set()

    def collect(cls: type, prefix: str = "") -> None:
        for item in dataclasses.fields(cls):
            kind = cls.__annotations__[item.name]
            nested = getattr(sys.modules[cls.__module__], str(kind), None)
            if item.metadata.get("secret"):
                secrets.add(prefix + item.name)
            elif dataclasses.is_dataclass(nested):
                collect(nested, f"{prefix}{item.name}.")  # type: ignore[arg-type]

    collect(Settings)
    variables = {".".join((*section, key)) for section, key in ENVIRONMENT.values()}
    assert secrets and secrets <= variables


def test_the_environment_comes_after_the_file_and_numbers_are_read_as_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, {"database_url": "sqlite:///from-file.db",
                            "outbox": {"backoff_max_seconds": 60, "rate_limits": {"zalo": {"per_second": 2}}},
                            "channels": {"telegram": {"api_url": "http://file"}}})
    settings = load_settings(path, environ={"PAKN_DATABASE_URL": "sqlite:////tmp/env.db",
                                            "TELEGRAM_BOT_TOKEN": "123:abc", "SMTP_PASSWORD": "pw"})
    assert settings.database_url == "sqlite:////tmp/env.db"
    assert settings.channels.telegram.bot_token == "123:abc"
    assert settings.channels.telegram.api_url == "http://file"
    assert settings.email.password == "pw"
    assert settings.outbox.backoff_max_seconds == 60.0
    assert settings.outbox.rate_limits["zalo"].per_second == 2.0
    assert settings.outbox.rate_limits["zalo"].per_chat_burst == 3  # the rest of the default kept
    assert settings.outbox.rate_limits["telegram"].per_second == 30


def test_overrides_take_the_same_shape_and_checks_as_config_yaml() -> None:
    settings = load_settings(environ={}, overrides={"catalogue_dir": "/data/catalogue",
                                                    "email": {"from": "pakn@hanoi.example"}})
    assert settings.catalogue_dir == "/data/catalogue" and settings.email.sender == "pakn@hanoi.example"
    assert to_dict(settings)["email"]["from"] == "pakn@hanoi.example"
    with pytest.raises(SettingsError, match="console.secure_cookie: unknown setting"):
        load_settings(environ={}, overrides={"console": {"secure_cookie": True}})


def test_relative_paths_are_resolved_against_the_project_root() -> None:
    settings = load_settings(environ={}, overrides={"nlu": {"models_dir": "var/other-models"}})
    assert settings.nlu.models_dir == str(ROOT / "var" / "other-models")
    assert Path(settings.uploads.dir).is_absolute() and Path(settings.nlu.rasa.venv).is_absolute()


def test_a_section_is_built_alone_for_the_layer_that_reads_it() -> None:
    outbox = build(OutboxSettings, {"batch_size": 5, "rate_limits": {}})
    assert outbox.batch_size == 5 and outbox.rate_limits == {} and outbox.lease_seconds == 60


def test_the_command_line_names_the_bad_setting_and_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, {"outbox": {"max_attempts": 3}})
    result = subprocess.run([sys.executable, "-m", "bot", "setup"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={"PAKN_CONFIG": str(path), "PATH": "/usr/bin"})
    assert result.returncode == 2
    assert f"{path}: unknown setting outbox.max_attempts" in result.stderr
