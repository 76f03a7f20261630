"""What short citizen answers mean, as citizens type them on Zalo and Messenger."""
from __future__ import annotations

import pytest

from intake import answers


@pytest.mark.parametrize("text", ["có", "Co", "Đồng ý", "dong y", "ok", "Dạ vâng", "dạ", "vâng ạ",
                                  "Đúng rồi", "dung roi", "đúng", "xác nhận", "gửi đi", "OK nhé",
                                  "Đồng ý công khai", "ừ", "được ạ"])
def test_yes(text: str) -> None:
    assert answers.yes_no(text) is True


@pytest.mark.parametrize("text", ["không", "Ko", "k", "không đồng ý", "Khong dong y", "dạ không ạ",
                                  "Không công khai", "chưa", "sai", "sai rồi", "đừng công khai",
                                  "ko cần đâu"])
def test_no(text: str) -> None:
    assert answers.yes_no(text) is False


@pytest.mark.parametrize("text", ["dung", "dừng", "để tôi nghĩ", "1. Đồng ý công khai", "hmm",
                                  "tôi muốn hỏi thêm về thời hạn trả lời kết quả"])
def test_neither_yes_nor_no(text: str) -> None:
    """'dung' may be 'đúng' (right) or 'dừng' (stop): it never confirms or consents."""
    assert answers.yes_no(text) is None


@pytest.mark.parametrize("text", ["Hủy", "huỷ", "huy", "thôi", "dừng", "dừng lại", "dung lai",
                                  "thôi không gửi nữa", "ko gửi nữa", "ko can nua", "không cần nữa ạ",
                                  "Hủy phản ánh", "cancel"])
def test_cancel(text: str) -> None:
    assert answers.is_cancel(text)


@pytest.mark.parametrize("text", ["dung", "đúng", "không", "Nguyễn Văn Huy", "không đồng ý",
                                  "thôi được, gửi đi"])
def test_not_cancel(text: str) -> None:
    assert not answers.is_cancel(text)


@pytest.mark.parametrize("text", ["gặp cán bộ", "Gặp cán bộ", "cho tôi gặp cán bộ ạ", "gap can bo",
                                  "tôi muốn nói chuyện với người thật", "cán bộ ơi",
                                  "xin gặp cán bộ tiếp nhận"])
def test_human_request(text: str) -> None:
    assert answers.is_human_request(text)


@pytest.mark.parametrize("text", [
    "Tôi đã gặp cán bộ phường 3 lần mà hồ sơ vẫn chưa được giải quyết",
    "cán bộ một cửa hẹn tôi 2 tuần nhưng đã 5 tuần chưa có kết quả",
    "gặp cán bộ địa chính xin xác nhận mà không được tiếp",
])
def test_a_complaint_that_mentions_staff_is_not_a_request_for_staff(text: str) -> None:
    assert not answers.is_human_request(text)


@pytest.mark.parametrize("text", ["Gửi phản ánh", "gui phan anh", "Tôi muốn phản ánh",
                                  "cho em gửi kiến nghị ạ", "phản ánh", "tôi muốn gửi PAKN"])
def test_wants_to_file_without_saying_what(text: str) -> None:
    assert answers.wants_to_file(text)


@pytest.mark.parametrize("text", ["tôi muốn phản ánh về sổ đỏ chậm", "Tra cứu",
                                  "Tôi nộp hồ sơ khai sinh 3 tuần chưa có kết quả"])
def test_wants_to_file_is_only_the_bare_request(text: str) -> None:
    assert not answers.wants_to_file(text)


@pytest.mark.parametrize(("text", "name"), [
    ("Nguyễn Văn An", "Nguyễn Văn An"),
    ("nguyễn thị hoa", "Nguyễn Thị Hoa"),
    ("NGUYEN VAN AN", "Nguyen Van An"),
    ("Dạ tên tôi là Nguyễn Văn An ạ", "Nguyễn Văn An"),
    ("tôi là Lê Thị Bích Ngọc", "Lê Thị Bích Ngọc"),
    ("Ông Trần Văn Bình", "Trần Văn Bình"),
    ("Họ tên: Phạm Quỳnh Như", "Phạm Quỳnh Như"),
    ("Chu Văn An", "Chu Văn An"),
    ("chu van an", "Chu Van An"),
    ("Hồ Thị Minh", "Hồ Thị Minh"),
])
def test_names(text: str, name: str) -> None:
    assert answers.clean_name(text) == name


@pytest.mark.parametrize("text", ["ko biet", "không biết", "đồng ý", "dong y", "như trên", "An",
                                  "tra cứu PAKN-2026-000123", "tôi muốn hỏi về hồ sơ của tôi",
                                  "Chưa có kết quả gì cả", "0912345678", "ok"])
def test_not_names(text: str) -> None:
    assert answers.clean_name(text) is None


@pytest.mark.parametrize(("text", "address"), [
    ("Số 12 ngõ 34 Trần Thái Tông, phường Cầu Giấy", "Số 12 ngõ 34 Trần Thái Tông, phường Cầu Giấy"),
    ("địa chỉ: 5 Lý Thường Kiệt", "5 Lý Thường Kiệt"),
    ("ở thôn Đông, xã Sóc Sơn", "thôn Đông, xã Sóc Sơn"),
    ("phường Cầu Giấy, Hà Nội", "phường Cầu Giấy, Hà Nội"),
])
def test_addresses(text: str, address: str) -> None:
    assert answers.clean_address(text) == address


@pytest.mark.parametrize("text", ["ko biet", "đồng ý", "như trên", "Không có", "Hà", "Cầu Giấy",
                                  "tra cứu PAKN-2026-000123", "dạ vâng"])
def test_not_addresses(text: str) -> None:
    assert answers.clean_address(text) is None


@pytest.mark.parametrize(("text", "parts"), [
    ("Nguyễn Văn An 0912345678", ("Nguyễn Văn An", "0912345678", "")),
    ("Nguyễn Văn An, sđt 0912.345.678, số 5 ngõ 10 Trần Thái Tông",
     ("Nguyễn Văn An", "0912345678", "số 5 ngõ 10 Trần Thái Tông")),
    ("Nguyễn Văn An", ("Nguyễn Văn An", None, "")),
])
def test_contact_parts(text: str, parts: tuple[str, str | None, str]) -> None:
    assert answers.contact_parts(text) == parts


def test_typed_choice_of_a_numbered_menu() -> None:
    buttons = [("Đồng ý công khai", "/consent:yes"), ("Không công khai", "/consent:no")]
    assert answers.choice("2", buttons) == "/consent:no"
    assert answers.choice("1. Đồng ý công khai", buttons) == "/consent:yes"
    assert answers.choice("khong cong khai", buttons) == "/consent:no"
    assert answers.choice("3", buttons) is None
    assert answers.choice("đồng ý nhé", buttons) is None  # left to yes_no


def test_details_in_a_first_message() -> None:
    text = ("Tôi là Nguyễn Văn An, địa chỉ số 5 ngõ 10 Trần Thái Tông, sđt 0912345678. Hồ sơ "
            "khai sinh của con tôi nộp 3 tuần chưa có kết quả")
    assert answers.details_in(text) == {"name": "Nguyễn Văn An",
                                        "address": "số 5 ngõ 10 Trần Thái Tông"}
    assert answers.details_in("Tôi nộp hồ sơ khai sinh ở phường Cầu Giấy 3 tuần rồi") == {}


@pytest.mark.parametrize(("text", "field"), [("sửa địa chỉ", "address"), ("sai số điện thoại", "phone"),
                                             ("sửa tên", "name"), ("sửa nội dung", "text"),
                                             ("không công khai nữa", "consent"), ("sửa số nhà", "address")])
def test_field_named(text: str, field: str) -> None:
    assert answers.field_named(text) == field
