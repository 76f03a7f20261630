"""A newly activated model is picked up by a running NluService, without a restart."""
from __future__ import annotations

from pathlib import Path

from nlu.entities import EntityExtractor
from nlu.models import ModelStore
from nlu.service import NluService
from storage.catalogue_files import load_catalogue
from tests.conftest import ROOT

FIRST = """version: "3.1"
nlu:
- intent: chao_hoi
  examples: |
    - xin chào
    - chào bạn
- intent: cam_on
  examples: |
    - cảm ơn
    - cám ơn nhiều
"""
# The second data set teaches the opposite meaning for the probe phrase.
SECOND = FIRST.replace("    - xin chào\n", "").replace("    - cảm ơn\n", "    - cảm ơn\n    - xin chào\n")


def write(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "nlu.yml").write_text(text, encoding="utf-8")
    return root


def test_service_follows_activation_and_rollback(tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models")
    first, _ = store.train_builtin(write(tmp_path / "first", FIRST))
    second, _ = store.train_builtin(write(tmp_path / "second", SECOND))
    store.activate(first)
    catalogue = load_catalogue(ROOT / "catalogue")
    # A second store object: the service shares nothing with the process that activates.
    service = NluService(catalogue, EntityExtractor(catalogue), ModelStore(tmp_path / "models"),
                         threshold=0.0, reload_seconds=0.0)
    assert service.parse("xin chào").intent == "chao_hoi"
    assert service.active_version == first

    store.activate(second)
    assert service.parse("xin chào").intent == "cam_on"
    assert service.active_version == second

    assert store.rollback() == first
    assert service.parse("xin chào").intent == "chao_hoi"


def test_pointer_is_checked_at_most_once_per_interval(tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models")
    first, _ = store.train_builtin(write(tmp_path / "first", FIRST))
    second, _ = store.train_builtin(write(tmp_path / "second", SECOND))
    store.activate(first)
    catalogue = load_catalogue(ROOT / "catalogue")
    service = NluService(catalogue, EntityExtractor(catalogue), store, 0.0, reload_seconds=3600)
    service.parse("xin chào")
    store.activate(second)
    assert service.parse("xin chào").intent == "chao_hoi"  # not yet: next check is an hour away
    service.reload_if_changed(force=True)
    assert service.parse("xin chào").intent == "cam_on"
