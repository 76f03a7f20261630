"""Factory helpers: fold data for `rasa train nlu`, which Rasa version a server should load."""
from __future__ import annotations

from pathlib import Path

from nlu.data import load_training_data
from nlu.factory import rasa_version_to_serve, write_rasa_data
from nlu.models import ModelStore
from nlu.training.validate import validate

ROOT = Path(__file__).resolve().parents[2]


def test_fold_data_round_trips_and_validates(tmp_path: Path) -> None:
    examples = [("làm sổ đỏ: 2 năm chưa xong #1", "phan_anh__dat_dai"), ("xin   chào", "chao_hoi"),
                ("- dấu gạch đầu dòng", "chao_hoi"), ("'nháy' \"kép\" | ống", "cam_on")]
    config = tmp_path / "config.yml"
    config.write_text("language: vi\npipeline: []\n", encoding="utf-8")
    write_rasa_data(examples, config, tmp_path / "fold")
    assert validate(tmp_path / "fold", ROOT / "catalogue", min_examples=1) == []
    loaded = load_training_data(tmp_path / "fold").examples
    assert sorted(loaded) == sorted((" ".join(t.split()), label) for t, label in examples)
    assert (tmp_path / "fold" / "config.yml").read_text() == config.read_text()


def _fake_version(store: ModelStore, version: str, backend: str) -> None:
    (store.root / version).mkdir(parents=True)
    (store.root / version / "metadata.json").write_text(
        f'{{"version": "{version}", "backend": "{backend}", "fingerprint": "x", "fallback_version": "a"}}')


def test_rasa_version_to_serve(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    assert rasa_version_to_serve(store) is None
    _fake_version(store, "a", "builtin")
    _fake_version(store, "b", "rasa")
    _fake_version(store, "c", "rasa")
    store.activate("a")
    assert rasa_version_to_serve(store) == "c"  # builtin active: the newest Rasa model
    store.activate("b")
    assert rasa_version_to_serve(store) == "b"  # a Rasa version active: that one
    assert store.builtin_version_for("b") == "a"
