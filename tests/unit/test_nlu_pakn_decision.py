"""Issue 14: a PAKN is decided apart from its group, short replies never start one, and an agency
the text names wins over the group's default."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlu.builtin import BuiltinModel, sentence_windows
from nlu.entities import EntityExtractor
from nlu.features import FeatureConfig
from nlu.result import FALLBACK, ParseResult, interpret
from nlu.training.calibration import reliability
from storage.catalogue_files import load_catalogue, load_ward_aliases
from tests.unit.test_nlu_builtin import EXAMPLES

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "catalogue"
THRESHOLD = 0.25


@pytest.fixture(scope="module")
def catalogue():  # type: ignore[no-untyped-def]
    return load_catalogue(CATALOGUE_DIR)


@pytest.fixture(scope="module")
def extractor(catalogue) -> EntityExtractor:  # type: ignore[no-untyped-def]
    return EntityExtractor(catalogue, load_ward_aliases(CATALOGUE_DIR))


def _raw(text: str, ranking: list[tuple[str, float]], pakn: float | None = None) -> dict[str, Any]:
    rows = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    raw: dict[str, Any] = {"text": text, "intent": rows[0], "entities": [], "intent_ranking": rows}
    if pakn is not None:
        raw["pakn_confidence"] = pakn
    return raw


def _parse(catalogue, extractor, text: str, ranking: list[tuple[str, float]],  # type: ignore[no-untyped-def]
           pakn: float | None = None) -> ParseResult:
    return interpret(_raw(text, ranking, pakn), catalogue, THRESHOLD, "builtin", extractor.extract(text))


@pytest.mark.parametrize("text", ["xac nhan", "ok", "vâng", "Vâng ạ", "2", "15", "dạ vâng em hiểu rồi",
                                  "đồng ý", "Nguyễn Thị Mai Anh", "TRẦN VĂN HÙNG"])
def test_a_short_reply_never_starts_a_complaint(catalogue, extractor, text: str) -> None:  # type: ignore[no-untyped-def]
    # what the flat model said about "xac nhan": Người có công at 0.42
    parse = _parse(catalogue, extractor, text, [("phan_anh__chinh_sach_xa_hoi", 0.42),
                                                ("cung_cap_thong_tin", 0.2), ("phan_anh__cu_tru", 0.1)])
    assert parse.intent != "phan_anh" and parse.procedure is None and not parse.is_pakn
    assert parse.procedure_ranking == []


def test_short_texts_that_name_a_matter_still_start_one(catalogue, extractor) -> None:  # type: ignore[no-untyped-def]
    parse = _parse(catalogue, extractor, "sổ đỏ", [("phan_anh__dat_dai", 0.8), ("tra_cuu", 0.1)])
    assert (parse.intent, parse.procedure, parse.is_pakn) == ("phan_anh", "dat_dai", True)


def test_a_complaint_with_an_uncertain_group_is_still_a_pakn(catalogue, extractor) -> None:  # type: ignore[no-untyped-def]
    text = ("Phản ánh đến đường dây nóng, ông N.C.T (trú tại tầng 2) cho biết lò mổ gần nhà hoạt động "
            "từ 2 giờ 30 sáng mỗi đêm, xe tải ra vào, cả khu không ngủ được")
    ranking = [("phan_anh__do_thi_moi_truong", 0.20), ("phan_anh__y_te", 0.18),
               ("phan_anh__xay_dung", 0.16), ("hoi_thu_tuc", 0.05)]
    parse = _parse(catalogue, extractor, text, ranking, pakn=0.93)
    assert parse.intent == FALLBACK and parse.is_pakn and parse.pakn_confidence == 0.93
    assert [p for p, _ in parse.procedure_ranking[:3]] == ["do_thi_moi_truong", "y_te", "xay_dung"]
    sure = _parse(catalogue, extractor, text, [("phan_anh__do_thi_moi_truong", 0.7), ("hoi_thu_tuc", 0.05)],
                  pakn=0.93)
    assert (sure.intent, sure.procedure, sure.agency) == ("phan_anh", "do_thi_moi_truong", "ubnd_xa")


def test_a_question_is_not_a_pakn_even_when_groups_lead_the_joint_ranking(catalogue, extractor) -> None:  # type: ignore[no-untyped-def]
    text = "e xin hỏi thủ tục tách thửa cần những gì ạ"
    parse = _parse(catalogue, extractor, text, [("phan_anh__cu_tru", 0.42), ("hoi_thu_tuc", 0.40)], pakn=0.45)
    assert (parse.intent, parse.procedure, parse.is_pakn) == ("hoi_thu_tuc", None, False)


@pytest.mark.parametrize("text, ranking, procedure, agency", [
    ("Tôi gọi phòng xuất nhập cảnh cả buổi sáng không ai nghe máy, hồ sơ nộp online từ ngày 5 mà giờ gần 3 tuần",
     [("phan_anh__dich_vu_cong_truc_tuyen", 0.40), ("phan_anh__xuat_nhap_canh", 0.30)],
     "xuat_nhap_canh", "cong_an"),
    ("Thẻ bảo hiểm y tế của con tôi báo không có dữ liệu, ra phường hỏi thì bảo lên BHXH quận Hoàng Mai",
     [("phan_anh__bao_hiem", 0.8)], "bao_hiem", "bhxh"),
    ("Hồ sơ sang tên tại chi nhánh văn phòng đăng ký đất đai quận Long Biên cũ quá hạn 40 ngày",
     [("phan_anh__dat_dai", 0.8)], "dat_dai", "so_nnmt"),
    ("hàng xóm xây tường lấn đất nhà tôi, cán bộ địa chính hẹn mãi không xuống đo",
     [("phan_anh__dat_dai", 0.7)], "dat_dai", "ubnd_xa"),
    ("nộp hồ sơ ở trung tâm dịch vụ việc làm hơn 20 ngày chưa có quyết định",
     [("phan_anh__bao_hiem", 0.45), ("phan_anh__lao_dong_viec_lam", 0.40)], "lao_dong_viec_lam", "so_noi_vu"),
    ("UBND quận Cầu Giấy cũ chưa trả kết quả đăng ký hộ kinh doanh của tôi",
     [("phan_anh__dang_ky_kinh_doanh", 0.8)], "dang_ky_kinh_doanh", "ubnd_xa"),
    ("mẹ tôi cấp cứu, bệnh viện bắt đóng tạm ứng 10 triệu mới cho vào phòng mổ",
     [("phan_anh__bao_hiem", 0.42), ("phan_anh__y_te", 0.38)], "y_te", "so_y_te"),
    # the ward or BHXH named as the one acting on the matter, not only as a place
    ("xin phép sửa nhà cấp 4 mà phường đòi đủ bộ bản vẽ như nhà cao tầng",
     [("phan_anh__xay_dung", 0.8)], "xay_dung", "ubnd_xa"),
    ("danh sách hộ cận nghèo do xã lập bỏ sót nhà tôi", [("phan_anh__chinh_sach_xa_hoi", 0.8)],
     "chinh_sach_xa_hoi", "ubnd_xa"),
    ("đang hưởng trợ cấp thất nghiệp thì bảo hiểm xã hội dừng chi, không ai báo lý do",
     [("phan_anh__lao_dong_viec_lam", 0.8)], "lao_dong_viec_lam", "bhxh"),
    ("ra công an phường hỏi, công an phường bảo phải chờ dữ liệu", [("phan_anh__cu_tru", 0.8)],
     "cu_tru", "cong_an"),
])
def test_the_agency_the_text_names_wins(catalogue, extractor, text, ranking, procedure, agency) -> None:  # type: ignore[no-untyped-def]
    parse = _parse(catalogue, extractor, text, ranking + [("hoi_thu_tuc", 0.01)])
    assert (parse.intent, parse.procedure, parse.agency) == ("phan_anh", procedure, agency)


def test_a_ward_named_as_the_place_leaves_the_groups_default_agency(catalogue, extractor) -> None:  # type: ignore[no-untyped-def]
    text = "Trường tiểu học ở phường Cầu Giấy thu hơn 20 khoản đầu năm, nhiều khoản không có văn bản"
    parse = _parse(catalogue, extractor, text, [("phan_anh__giao_duc", 0.8), ("hoi_thu_tuc", 0.01)])
    assert (parse.procedure, parse.agency) == ("giao_duc", "so_gddt")


def test_a_far_second_group_is_not_pulled_up_by_a_named_agency(catalogue, extractor) -> None:  # type: ignore[no-untyped-def]
    text = "nộp hồ sơ trên cổng dịch vụ công bị lỗi thanh toán, gọi phòng xuất nhập cảnh thì bảo không phải việc của họ"
    parse = _parse(catalogue, extractor, text, [("phan_anh__dich_vu_cong_truc_tuyen", 0.80),
                                                ("phan_anh__xuat_nhap_canh", 0.10)])
    assert (parse.procedure, parse.agency) == ("dich_vu_cong_truc_tuyen", "trung_tam_phvhc")


EXTRA = EXAMPLES + [("cảm ơn nhiều", "cam_on"), ("thanks ad", "cam_on"), ("cám ơn bạn", "cam_on")]


@pytest.fixture(scope="module")
def split_model() -> BuiltinModel:
    return BuiltinModel.train(EXTRA, FeatureConfig(char_min_df=1, calibration_folds=2))


def test_split_model_scores_are_a_distribution_with_a_pakn_head(split_model: BuiltinModel,
                                                                tmp_path: Path) -> None:
    assert split_model.split
    raw = split_model.parse_raw("làm sổ đỏ mãi chưa xong")
    assert raw["intent"]["name"] == "phan_anh__dat_dai" and raw["pakn_confidence"] > 0.5
    assert split_model.parse_raw("xin chào bạn")["pakn_confidence"] < 0.5
    texts = ["sổ đỏ nhà tôi chưa cấp", "xin chao", "", "cảm ơn"]
    probabilities = split_model.predict_proba(texts)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-12)
    split_model.save(tmp_path / "model.npz")
    loaded = BuiltinModel.load(tmp_path / "model.npz")
    np.testing.assert_allclose(loaded.predict_proba(texts), probabilities, atol=1e-12)
    assert loaded.labels == split_model.labels


def test_the_group_head_is_the_mean_of_its_learners(split_model: BuiltinModel, tmp_path: Path) -> None:
    assert split_model.config.group_learners == ("svm", "naive_bayes")
    assert {"groups", "groups_naive_bayes"} <= set(split_model._heads)
    vector = split_model._vector("sổ đỏ nhà tôi chưa cấp")
    parts = [split_model._head(name, vector) for name in ("groups", "groups_naive_bayes")]
    np.testing.assert_allclose(split_model._group_heads(vector), np.mean(parts, axis=0))
    logistic = BuiltinModel.train(EXTRA, FeatureConfig(char_min_df=1, calibration_folds=2,
                                                       group_learners=("logistic",)))
    logistic.save(tmp_path / "model.npz")
    loaded = BuiltinModel.load(tmp_path / "model.npz")
    assert loaded.config.group_learners == ("logistic",) and "groups_naive_bayes" not in loaded._heads
    assert loaded.parse_raw("làm sổ đỏ mãi chưa xong")["intent"]["name"] == "phan_anh__dat_dai"


def test_a_config_saved_before_the_group_learners_reads_back_as_one_logistic_head() -> None:
    saved = FeatureConfig().to_dict()
    del saved["group_learners"]
    assert FeatureConfig.from_dict(saved).group_learners == ("logistic",)
    assert FeatureConfig.from_dict(FeatureConfig().to_dict()) == FeatureConfig()


def test_long_texts_are_scored_in_sentence_windows() -> None:
    sentence = "Phản ánh đến Báo, ông N.C.T cho biết nhiều điều về khu nhà của ông ở."
    text = " ".join([sentence] * 6)
    windows = sentence_windows(text, 40)
    assert len(windows) >= 3 and " ".join(windows).split() == text.split()
    assert sentence_windows(sentence, 40) == []


def test_reliability_table_and_expected_calibration_error() -> None:
    calibrated = reliability([0.8] * 10, [True] * 8 + [False] * 2)
    assert calibrated["ece"] == 0.0
    overconfident = reliability([0.95] * 10, [True] * 5 + [False] * 5)
    assert overconfident["ece"] == pytest.approx(0.45)
    row = next(r for r in overconfident["rows"] if r["count"])
    assert (row["low"], row["count"], row["accuracy"]) == (0.9, 10, 0.5)
