"""The built-in backend: compiled scorer equals sklearn, NFD = NFC, both diacritic views used."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest

from nlu.builtin import BuiltinModel, augment, fit_pipeline
from nlu.features import FeatureConfig, char_ngrams, tokens
from routing.text import fold, nfc

EXAMPLES = [
    ("làm giấy khai sinh cho con mãi không xong", "phan_anh__ho_tich"),
    ("đăng ký kết hôn ở phường Láng bị hẹn lại nhiều lần", "phan_anh__ho_tich"),
    ("trích lục khai tử chậm quá", "phan_anh__ho_tich"),
    ("xin xác nhận tình trạng hôn nhân bị đòi giấy tờ vô lý", "phan_anh__ho_tich"),
    ("làm sổ đỏ 2 năm chưa xong", "phan_anh__dat_dai"),
    ("tách thửa đất bị văn phòng đăng ký đất đai trả hồ sơ", "phan_anh__dat_dai"),
    ("sang tên sổ hồng chậm", "phan_anh__dat_dai"),
    ("bồi thường thu hồi đất không thỏa đáng", "phan_anh__dat_dai"),
    ("hồ sơ PAKN-2025-000123 đến đâu rồi", "tra_cuu"),
    ("tra cứu phản ánh của tôi", "tra_cuu"),
    ("kiểm tra tiến độ xử lý phản ánh", "tra_cuu"),
    ("xin chào", "chao_hoi"),
    ("chào bạn", "chao_hoi"),
    ("alo hello", "chao_hoi"),
]
PROBES = ["sổ đỏ nhà tôi chưa cấp", "so do nha toi chua cap", "xin chao", "", "!!!", "zzz qqq",
          "KHAI SINH cho con", "hồ sơ pakn 2025 000777 xử lý chưa"]


@pytest.fixture(scope="module")
def pipeline():  # type: ignore[no-untyped-def]
    return fit_pipeline(EXAMPLES, FeatureConfig(char_min_df=1))


def test_compiled_scores_equal_sklearn_predict_proba(pipeline, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    compiled = BuiltinModel.compile(pipeline)
    texts = [text for text, _ in EXAMPLES] + PROBES
    expected = pipeline.predict_proba(texts)
    assert compiled.labels == list(pipeline.classes_)
    np.testing.assert_allclose(compiled.predict_proba(texts), expected, rtol=0, atol=1e-12)
    compiled.save(tmp_path / "model.npz")
    loaded = BuiltinModel.load(tmp_path / "model.npz")
    np.testing.assert_allclose(loaded.predict_proba(texts), expected, rtol=0, atol=1e-12)


def test_compiled_equals_sklearn_for_two_classes(tmp_path: Path) -> None:
    two = [e for e in EXAMPLES if e[1] in ("chao_hoi", "tra_cuu")]
    pipeline = fit_pipeline(two, FeatureConfig(char_min_df=1))
    compiled = BuiltinModel.compile(pipeline)
    np.testing.assert_allclose(compiled.predict_proba(PROBES), pipeline.predict_proba(PROBES), atol=1e-12)


def test_parse_raw_is_rasa_shaped_and_ranked(pipeline) -> None:  # type: ignore[no-untyped-def]
    raw = BuiltinModel.compile(pipeline).parse_raw("làm sổ đỏ mãi chưa xong")
    assert raw["intent"]["name"] == "phan_anh__dat_dai"
    confidences = [r["confidence"] for r in raw["intent_ranking"]]
    assert confidences == sorted(confidences, reverse=True)
    assert raw["intent"] == raw["intent_ranking"][0]
    assert abs(sum(confidences) - 1.0) < 1e-9


def test_nfd_input_scores_like_nfc(pipeline) -> None:  # type: ignore[no-untyped-def]
    model = BuiltinModel.compile(pipeline)
    for text in ("đăng ký kết hôn ở phường Láng", "Sổ đỏ của tôi bị chậm", "trích lục khai tử"):
        decomposed = unicodedata.normalize("NFD", text)
        assert decomposed != text
        np.testing.assert_allclose(model.scores(decomposed), model.scores(text), atol=0)


def test_both_views_are_features() -> None:
    folded, accented = tokens("Đăng ký SỔ ĐỎ 0912345678")
    assert folded == ["dang", "ky", "so", "do", "0"]
    assert accented == ["đăng", "ký", "sổ", "đỏ", "0"]
    assert " so" in char_ngrams(["so"], 2, 5) and " so " in char_ngrams(["so"], 2, 5)


def test_diacritics_disambiguate_when_present() -> None:
    """Same folded text, different accented words: only the accented view can tell them apart."""
    examples = [("đang chờ", "tra_cuu")] * 3 + [("đăng ký", "phan_anh__ho_tich")] * 3
    examples += [("dang cho ket qua", "tra_cuu"), ("dang ky khai sinh", "phan_anh__ho_tich")]
    model = BuiltinModel.train(examples, FeatureConfig(char_min_df=1, augment_folded=False))
    assert model.parse_raw("đang")["intent"]["name"] == "tra_cuu"
    assert model.parse_raw("đăng")["intent"]["name"] == "phan_anh__ho_tich"


def test_augment_adds_folded_copies_only_for_accented_text() -> None:
    grown = augment([("Sổ đỏ", "a"), ("so do", "a")], FeatureConfig())
    assert grown == [("Sổ đỏ", "a"), ("so do", "a"), ("so do", "a")]
    assert augment([("Sổ đỏ", "a")], FeatureConfig(augment_folded=False)) == [("Sổ đỏ", "a")]


def test_fold_keeps_length_and_nfc_is_idempotent() -> None:
    text = "Phường Cầu Giấy, ĐỐNG ĐA"
    assert fold(text) == "phuong cau giay, dong da"
    decomposed = unicodedata.normalize("NFD", text)
    assert fold(decomposed) == fold(text) and len(fold(decomposed)) == len(text)
    assert nfc(decomposed) == text
