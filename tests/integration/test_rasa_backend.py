"""The real Rasa 3.6 backend end to end: train on nlu_data/, serve it, parse over HTTP.

Needs `.venv-rasa` (`make rasa`); skipped without it. Training the full pipeline (100 DIET epochs on
1,657 examples) takes about 17 minutes on the 2-core box, so this test trains a copy of nlu_data/
with TEST_EPOCHS epochs: it checks the integration (train, serve, parse, fail over), not accuracy,
which bench/nlu.py measures with the real configuration.
"""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from nlu.data import load_training_data
from nlu.rasa import DEFAULT_VENV, PROJECT_ROOT, RasaHttpModel, RasaServer, RasaUnavailable, train_rasa
from nlu.result import FALLBACK

NLU_DATA = PROJECT_ROOT / "nlu_data"
TEST_EPOCHS = 30
HO_TICH_COMPLAINT = "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả"

pytestmark = [
    pytest.mark.rasa,
    pytest.mark.slow,
    pytest.mark.skipif(not (DEFAULT_VENV / "bin" / "rasa").exists(),
                       reason="Rasa is not installed (.venv-rasa/bin/rasa missing): run `make rasa`"),
    pytest.mark.skipif(not (NLU_DATA / "config.yml").exists(),
                       reason="nlu_data/config.yml missing: no Rasa training data to train on"),
]


@pytest.fixture(scope="session")
def rasa_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Rasa model trained on the real nlu_data/ (fewer epochs) for the whole session."""
    data = tmp_path_factory.mktemp("rasa-data") / "nlu_data"
    shutil.copytree(NLU_DATA, data)
    config = data / "config.yml"
    config.write_text(re.sub(r"epochs: \d+", f"epochs: {TEST_EPOCHS}", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    return train_rasa(data, tmp_path_factory.mktemp("rasa-models"), DEFAULT_VENV)


@pytest.fixture(scope="session")
def rasa_server(rasa_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaServer]:
    """A `rasa run` on a free loopback port, started once and stopped at the end."""
    server = RasaServer(rasa_model, log_path=tmp_path_factory.mktemp("rasa-log") / "rasa.log")
    server.start()
    try:
        server.wait_ready(timeout=240)
        yield server
    finally:
        server.stop()


@pytest.fixture()
def rasa(rasa_server: RasaServer) -> Iterator[RasaHttpModel]:
    client = rasa_server.client(timeout=10.0)  # generous: the first parse warms TensorFlow up
    yield client
    client.close()


def test_ho_tich_complaint_is_top_ranked_phan_anh_ho_tich(rasa: RasaHttpModel) -> None:
    raw = rasa.parse_raw(HO_TICH_COMPLAINT)

    assert raw["text"] == HO_TICH_COMPLAINT
    ranking = [r for r in raw["intent_ranking"] if r["name"] != FALLBACK]
    assert ranking[0]["name"] == "phan_anh__ho_tich", raw["intent_ranking"][:3]
    assert ranking[0]["confidence"] > ranking[1]["confidence"]


def test_ranking_only_holds_intents_from_the_training_data(rasa: RasaHttpModel) -> None:
    labels = set(load_training_data(NLU_DATA).labels) | {FALLBACK}

    raw = rasa.parse_raw("xin chào")

    assert {r["name"] for r in raw["intent_ranking"]} <= labels
    assert isinstance(raw["entities"], list)


def test_wrong_token_is_unavailable_not_an_answer(rasa_server: RasaServer) -> None:
    intruder = RasaServer.connect(rasa_server.url, token="not-the-token").client()

    with pytest.raises(RasaUnavailable, match="401"):
        intruder.parse_raw(HO_TICH_COMPLAINT)
    assert rasa_server.client().is_up()  # the server itself is fine: only the token was refused


def test_parse_raises_rasa_unavailable_after_stop(rasa_server: RasaServer) -> None:
    # Runs last in this module (definition order): it stops the session's server.
    client = rasa_server.client()
    assert client.is_up()

    rasa_server.stop()

    assert not client.is_up()
    with pytest.raises(RasaUnavailable):
        client.parse_raw(HO_TICH_COMPLAINT)
