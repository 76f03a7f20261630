"""In production (PAKN_ENV=production or `production: true`) the server refuses to start with an
unset secret key or a demo account still on its demo password (issue 17): one clear English log
line per problem and a non-zero exit. A safe installation starts as before."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.demo import DEMO_USERS
from tests.fakes import FakeTelegram
from tests.integration.server_support import run_serve, server_environment


def add_demo_admin(database_url: str, password: str = "admin") -> None:
    """The demo's admin account (bot/demo.py), as `python -m bot setup` creates it."""
    from bot.components import build_components
    from bot.config import load_settings
    from bot.setup import prepare_database
    from storage.staff_services import create_user

    prepare_database(database_url, Path(load_settings().catalogue_dir))
    pakn = build_components(load_settings(overrides={"database_url": database_url}), background=False)
    username, _, role, agency, ward, name = DEMO_USERS[0]
    pakn.uow().run(lambda uow: create_user(uow, pakn.ctx.catalogue, username, password, role, agency, ward,
                                           name, check_strength=False))
    pakn.engine.dispose()


def exit_and_log(folder: Path, env: dict[str, str]) -> tuple[int, str]:
    server = run_serve(folder, env)
    try:
        code = server.process.wait(timeout=180)
    finally:
        server.stop()
    return code, server.log.read_text(encoding="utf-8")


@pytest.mark.slow
def test_refuses_to_start_in_production_without_a_secret_key(
        tmp_path: Path, nlu_models_dir: Path, fake_telegram: FakeTelegram) -> None:
    env = server_environment(tmp_path, nlu_models_dir, fake_telegram.url, PAKN_ENV="production")
    code, log = exit_and_log(tmp_path, env)
    assert code == 2, log[-2000:]
    assert "refusing to start in production: PAKN_SECRET_KEY is not set" in log
    assert "Serving on" not in log


@pytest.mark.slow
def test_refuses_to_start_in_production_with_the_demo_admin_password(
        tmp_path: Path, nlu_models_dir: Path, fake_telegram: FakeTelegram) -> None:
    env = server_environment(tmp_path, nlu_models_dir, fake_telegram.url, extra_config={"production": True},
                             PAKN_SECRET_KEY="a-long-random-secret-for-this-test")
    add_demo_admin(f"sqlite:///{tmp_path / 'pakn.db'}")
    code, log = exit_and_log(tmp_path, env)
    assert code == 2, log[-2000:]
    assert "refusing to start in production: account(s) admin still have the demo password" in log
    assert "PAKN_SECRET_KEY" not in log.split("refusing", 1)[1].split("\n", 1)[0]


def _app(tmp_path: Path, nlu_models_dir: Path, **settings: Any) -> Any:
    from bot.app import create_app
    from tests.conftest import NO_CHANNEL_SECRETS

    config = {"database_url": f"sqlite:///{tmp_path / 'pakn.db'}", "background": False,
              "nlu": {"backend": "builtin", "models_dir": str(nlu_models_dir)}, "channels": NO_CHANNEL_SECRETS}
    return create_app(dict(config, **settings))


def test_production_starts_once_the_demo_password_is_changed(tmp_path: Path, nlu_models_dir: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    add_demo_admin(f"sqlite:///{tmp_path / 'pakn.db'}", password="mot-mat-khau-rieng-2026")
    app = _app(tmp_path, nlu_models_dir, production=True, secret_key="a-long-random-secret")
    assert app.test_client().get("/healthz").status_code == 200
    assert "refusing to start" not in caplog.text
    app.extensions["pakn"].engine.dispose()


def test_the_same_demo_installation_starts_outside_production(tmp_path: Path, nlu_models_dir: Path) -> None:
    add_demo_admin(f"sqlite:///{tmp_path / 'pakn.db'}")
    app = _app(tmp_path, nlu_models_dir)  # `make run` on a laptop: demo accounts are the point
    assert app.test_client().get("/healthz").status_code == 200
    with pytest.raises(SystemExit) as refused:
        _app(tmp_path, nlu_models_dir, production=True, secret_key="a-long-random-secret")
    assert refused.value.code == 2
    app.extensions["pakn"].engine.dispose()


def test_pakn_env_production_turns_production_on() -> None:
    from bot.config import load_settings

    assert load_settings(environ={"PAKN_ENV": "production"}).production is True
    assert load_settings(environ={}).production is False
