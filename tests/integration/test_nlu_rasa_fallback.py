"""`nlu.backend: rasa` with Rasa unreachable: the bot keeps answering with the built-in model."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from nlu.models import ModelStore
from nlu.rasa import free_port
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "data" / "nlu_fixture"


def settings(tmp_path: Path, rasa: dict[str, Any]) -> dict[str, Any]:
    models = tmp_path / "models"
    store = ModelStore(models)
    store.activate(store.train_builtin(FIXTURE)[0])
    from storage.db import upgrade

    upgrade(f"sqlite:///{tmp_path}/pakn.db")  # the catalogue is read from the database
    return {"database_url": f"sqlite:///{tmp_path}/pakn.db", "background": False,
            "nlu": {"backend": "rasa", "data_dir": str(FIXTURE), "models_dir": str(models),
                    "threshold": 0.2, "rasa": rasa}}


@pytest.mark.parametrize("rasa, reason", [
    ({"start_server": False, "timeout_seconds": 0.5}, "unavailable"),
    ({"start_server": True}, "no Rasa model trained"),
])
def test_unreachable_rasa_degrades_to_builtin(tmp_path: Path, rasa: dict[str, Any], reason: str) -> None:
    rasa = {**rasa, "url": f"http://127.0.0.1:{free_port()}"}
    app = create_app(settings(tmp_path, rasa))
    nlu = app.extensions["pakn"].nlu
    result = nlu.parse("nộp hồ sơ cấp sổ đỏ đã 6 tháng chưa có kết quả")
    assert (result.procedure, result.backend) == ("dat_dai", "builtin")
    body = app.test_client().get("/healthz").get_json()
    assert reason in body["nlu_degraded"]
    assert body["nlu_backend"] == "builtin"
