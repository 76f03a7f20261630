"""Rule-based entities: wards with and without diacritics, phones, tracking and dossier codes."""
from __future__ import annotations

import unicodedata

import pytest

from nlu.entities import EntityExtractor, normalize_phone
from storage.catalogue_files import load_catalogue, load_ward_aliases
from tests.conftest import ROOT

EXTRACTOR = EntityExtractor(load_catalogue(ROOT / "catalogue"), load_ward_aliases(ROOT / "catalogue"))


def values(text: str, entity: str) -> list[str]:
    return [str(e["value"]) for e in EXTRACTOR.extract(text) if e["entity"] == entity]


@pytest.mark.parametrize(("text", "ward"), [
    ("hồ sơ nộp ở phường Cầu Giấy", "phường Cầu Giấy"),
    ("ho so nop o phuong cau giay", "phường Cầu Giấy"),
    ("nộp tại p. Yên Hòa", "phường Yên Hòa"),
    ("xa soc son chua tra loi", "xã Sóc Sơn"),
    ("huyện Gia Lâm làm chậm", "xã Gia Lâm"),
    ("quận Nam Từ Liêm", "phường Từ Liêm"),
    ("ở Quán Thánh", "phường Ba Đình"),
    ("nhà tôi ở Tây Mỗ", "phường Tây Mỗ"),
    ("công an phường Thanh Xuân bắt bổ sung", "phường Thanh Xuân"),
])
def test_ward_found(text: str, ward: str) -> None:
    assert values(text, "ward") == [ward]


@pytest.mark.parametrize("text", [
    "cán bộ yêu cầu giấy tờ không có trong quy định",  # "cầu giấy" inside "yêu cầu giấy tờ"
    "cán bộ để hồ sơ của tôi ở đó cả tháng",  # "bộ để" is not Bồ Đề
    "nhà ở đường Trần Phú",  # a street, not xã Trần Phú
    "Đề nghị thành phố cho phép làm trực tuyến",
    "hoa don dien tu bi loi",
])
def test_ordinary_words_are_not_wards(text: str) -> None:
    assert values(text, "ward") == []


def test_nfd_input_gives_the_same_entities() -> None:
    text = "Tôi ở phường Cầu Giấy, sđt 0912 345 678"
    assert EXTRACTOR.extract(unicodedata.normalize("NFD", text)) == EXTRACTOR.extract(text)


@pytest.mark.parametrize(("raw", "phone"), [
    ("0912 345 678", "0912345678"), ("0912.345.678", "0912345678"), ("+84 912-345-678", "0912345678"),
    ("84912345678", "0912345678"), ("024 3825 3536", "02438253536"),
    ("01689 123 456", "0389123456"), ("0123.456.7890", "0834567890"),  # pre-2018 eleven digits
])
def test_phone_formats(raw: str, phone: str) -> None:
    assert values(f"sdt cua toi {raw} nhe", "phone") == [phone]


def test_not_phones() -> None:
    assert normalize_phone("12345") is None
    assert normalize_phone("0112345678") is None  # no such mobile prefix
    assert values("năm 2025 nộp 3 lần", "phone") == []


def test_codes_and_agency() -> None:
    text = "tra cứu pakn 2026 000123 và hồ sơ 000.00.00.H26-250101-0001 ở văn phòng đăng ký đất đai"
    assert values(text, "case_code") == ["PAKN-2026-000123"]
    assert values(text, "dossier_code") == ["000.00.00.H26-250101-0001"]
    assert values(text, "agency") == ["so_nnmt"]
    assert values("cong an phuong khong tra loi", "agency") == ["cong_an"]


def test_offsets_point_into_the_text() -> None:
    text = "Tôi ở phường Cầu Giấy"
    (entity,) = EXTRACTOR.extract(text)
    assert text[int(entity["start"]):int(entity["end"])] == "phường Cầu Giấy"
