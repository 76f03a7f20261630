"""ModelStore: versions, activation history, rollback, metrics in metadata."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nlu.models import ModelStore, fingerprint

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "nlu_fixture"

@pytest.fixture()
def data(tmp_path: Path) -> Path:
    root = tmp_path / "nlu_data"
    root.mkdir()
    (root / "nlu.yml").write_text("""version: "3.1"
nlu:
- intent: chao_hoi
  examples: |
    - xin chào
    - chào bạn
- intent: cam_on
  examples: |
    - cảm ơn
    - cám ơn nhiều
""", encoding="utf-8")
    return root

def test_same_data_is_not_retrained(tmp_path: Path, data: Path) -> None:
    store = ModelStore(tmp_path / "models")
    first, trained = store.train_builtin(data)
    assert trained
    assert store.train_builtin(data) == (first, False)
    (data / "nlu.yml").write_text((data / "nlu.yml").read_text() + "    - cảm ơn bạn\n")
    second, trained = store.train_builtin(data)
    assert trained and second != first
    assert [m["version"] for m in store.versions()] == [first, second]
    assert store.metadata(second)["fingerprint"] == fingerprint(data)

def test_activate_and_rollback_follow_history(tmp_path: Path, data: Path) -> None:
    store = ModelStore(tmp_path / "models")
    first, _ = store.train_builtin(data)
    second, _ = store.train_builtin(data, force=True)
    third, _ = store.train_builtin(data, force=True)
    for version in (first, second, third):
        store.activate(version)
    assert store.rollback() == second and store.active_version() == second
    assert store.rollback() == first and store.active_version() == first
    with pytest.raises(ValueError, match="nothing to roll back"):
        store.rollback()
    with pytest.raises(ValueError, match="no such model"):
        store.activate("19990101T000000Z")
    assert store.active_version() == first

def test_rollback_skips_deleted_versions(tmp_path: Path, data: Path) -> None:
    store = ModelStore(tmp_path / "models")
    first, _ = store.train_builtin(data)
    second, _ = store.train_builtin(data, force=True)
    third, _ = store.train_builtin(data, force=True)
    for version in (first, second, third):
        store.activate(version)
    shutil.rmtree(store.root / second)
    assert store.rollback() == first

def test_metrics_are_stored_in_metadata(tmp_path: Path, data: Path) -> None:
    store = ModelStore(tmp_path / "models")
    version, _ = store.train_builtin(data)
    store.set_metrics(version, {"heldout": {"accented": {"procedure": 0.93}}})
    assert store.metadata(version)["metrics"]["heldout"]["accented"]["procedure"] == 0.93
    assert store.metadata(version)["backend"] == "builtin"
    assert store.load_builtin(version).parse_raw("xin chào")["intent"]["name"] == "chao_hoi"
