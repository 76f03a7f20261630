"""NluService: fallback when the primary backend fails, degraded state, recovery, label contract."""
from __future__ import annotations

import logging
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from nlu.builtin import BuiltinModel
from nlu.entities import EntityExtractor
from nlu.features import FeatureConfig
from nlu.models import ModelStore
from nlu.service import NluService
from storage.catalogue_files import load_catalogue, load_ward_aliases
from tests.unit.test_nlu_builtin import EXAMPLES

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "catalogue"


class FailingPrimary:
    backend = "rasa"

    def __init__(self) -> None:
        self.calls = 0
        self.failing = True

    def parse_raw(self, text: str) -> dict[str, Any]:
        self.calls += 1
        if self.failing:
            raise ConnectionError("connection refused")
        return {"text": text, "intent": {"name": "chao_hoi", "confidence": 0.99},
                "entities": [], "intent_ranking": [{"name": "chao_hoi", "confidence": 0.99}]}


@pytest.fixture(scope="module")
def builtin() -> BuiltinModel:
    return BuiltinModel.train(EXAMPLES, FeatureConfig(char_min_df=1))


@pytest.fixture()
def service(builtin: BuiltinModel, tmp_path: Path) -> NluService:
    catalogue = load_catalogue(CATALOGUE_DIR)
    extractor = EntityExtractor(catalogue, load_ward_aliases(CATALOGUE_DIR))
    return NluService(catalogue, extractor, ModelStore(tmp_path / "models"), 0.3, fallback=builtin)


def test_primary_that_raises_falls_back_to_builtin(service: NluService,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    primary = FailingPrimary()
    service.use_primary(primary)
    with caplog.at_level(logging.WARNING, logger="nlu.service"):
        result = service.parse("làm sổ đỏ 2 năm chưa xong")
    assert (result.intent, result.procedure, result.agency) == ("phan_anh", "dat_dai", "so_nnmt")
    assert result.backend == "builtin"
    assert service.degraded_reason and "connection refused" in service.degraded_reason
    assert service.backend_name == "builtin"
    assert any("degraded" in r.getMessage() for r in caplog.records)


def test_failed_primary_is_not_retried_on_every_message(service: NluService) -> None:
    primary = FailingPrimary()
    service.retry_seconds = 3600
    service.use_primary(primary)
    for _ in range(5):
        assert service.parse("xin chào").backend == "builtin"
    assert primary.calls == 1


def test_primary_is_used_again_after_it_recovers(service: NluService) -> None:
    primary = FailingPrimary()
    service.retry_seconds = 0
    service.use_primary(primary)
    service.parse("xin chào")
    primary.failing = False
    result = service.parse("xin chào")
    assert result.backend == "rasa" and service.degraded_reason is None
    assert service.backend_name == "rasa"


def test_no_model_at_all_is_an_explicit_error(tmp_path: Path) -> None:
    catalogue = load_catalogue(CATALOGUE_DIR)
    bare = NluService(catalogue, EntityExtractor(catalogue), ModelStore(tmp_path), 0.3)
    with pytest.raises(RuntimeError, match="nlu train"):
        bare.parse("xin chào")


def test_nfd_message_gives_the_same_parse(service: NluService) -> None:
    text = "Đăng ký kết hôn ở phường Láng bị hẹn lại"
    nfc_result = service.parse(text)
    nfd_result = service.parse(unicodedata.normalize("NFD", text))
    assert nfd_result.text == nfc_result.text == text
    assert (nfd_result.intent, nfd_result.procedure, nfd_result.confidence, nfd_result.entities) == \
        (nfc_result.intent, nfc_result.procedure, nfc_result.confidence, nfc_result.entities)


def test_threshold_turns_a_weak_guess_into_fallback(service: NluService) -> None:
    service.threshold = 0.999
    result = service.parse("làm sổ đỏ")
    assert (result.intent, result.procedure, result.agency) == ("nlu_fallback", None, None)
