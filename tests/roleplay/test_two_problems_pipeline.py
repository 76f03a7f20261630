"""Two problems in one message through the real pipeline (issue 13): the built-in model trained on
nlu_data/ reads each piece; a citizen who writes two matters of different groups is offered separate
cases and gets two cases, each with its own text and group and the same contact details; a
narrative about one matter, however many sentences it has, is never offered a split.

The messages below are written for this test and are not in nlu_data/ (held out)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from intake.turns import P_CONFIRM, P_SPLIT_YES
from tests.roleplay.harness import BotUnderTest


@pytest.fixture(scope="module")
def bot(nlu_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotUnderTest]:
    bot = BotUnderTest.build(tmp_path_factory.mktemp("two"), nlu_models_dir)
    yield bot
    bot.close()


TWO = [
    ("Tôi phản ánh 2 việc: 1. Đèn chiếu sáng ngõ 12 phố Láng hỏng cả tháng nay không ai sửa. "
     "2. Tôi nộp hồ sơ cấp căn cước cho con từ tháng 8 đến giờ vẫn chưa có thẻ.",
     ["do_thi_moi_truong", "can_cuoc"], P_SPLIT_YES),
    ("rac thai o dau ngo 45 Kim Giang ko ai thu gom 2 tuan nay, boc mui kinh khung. ngoai ra e lam so do "
     "cho nha e 7 thang roi van chua xong", ["do_thi_moi_truong", "dat_dai"], "tach rieng"),
    ("Kính gửi UBND phường Yên Hòa. Tôi xin phản ánh hai việc. Thứ nhất, đoạn vỉa hè trước số 20 Trung "
     "Kính bị lấn chiếm làm chỗ để xe, người đi bộ phải xuống lòng đường. Thứ hai, tôi nộp hồ sơ đăng ký "
     "khai sinh cho con đã quá hẹn 5 ngày mà chưa nhận được giấy khai sinh.", ["do_thi_moi_truong", "ho_tich"],
     "gửi riêng giúp tôi"),
    ("Đèn đường ngõ 8 Trần Cung tắt cả tuần nay. Con tôi học lớp 1 mà trường không nhận vì chưa có hộ khẩu.",
     ["do_thi_moi_truong", "giao_duc"], "có"),
]

ONE = [
    "Tôi nộp hồ sơ đăng ký kết hôn đã 10 ngày. Cán bộ hẹn mãi không trả. Tôi rất bức xúc, đề nghị phường xem xét.",
    "Công ty nợ lương công nhân 3 tháng, giám đốc bỏ trốn. Chúng tôi đã lên phòng lao động nhiều lần nhưng "
    "không ai giải quyết. Đề nghị cơ quan chức năng vào cuộc.",
    "Quán karaoke đầu ngõ 102 hát đến 2 giờ sáng. Gia đình tôi có người già và trẻ nhỏ không ngủ được. "
    "Tôi đã báo công an phường nhưng vẫn vậy.",
    "toi lam the bhyt cho me tu thang 9. den gio van chua co the. goi len bhxh thi ko ai nghe may",
    "Tôi làm thủ tục cấp sổ đỏ lần đầu đã 7 tháng chưa xong. Ngoài ra cán bộ địa chính còn đòi thêm giấy "
    "tờ không có trong quy định.",
]


@pytest.mark.parametrize("number", range(len(TWO)))
def test_two_matters_become_two_cases(bot: BotUnderTest, number: int) -> None:
    message, groups, choice = TWO[number]
    sender = f"two-problems-{number}"
    offer = bot.send(sender, message)
    assert "vấn đề thuộc các lĩnh vực khác nhau" in offer[-1].text, [r.text for r in offer]
    payload = choice if choice.startswith("/") else None
    bot.send(sender, "" if payload else choice, payload)
    for answer in ("Ngô Thị Hạnh", "0983 456 120", "số 7 ngõ 3 Trần Cung"):
        replies = bot.send(sender, answer)
    assert "Phản ánh thứ 2 (gửi riêng)" in replies[-1].text
    filed = bot.send(sender, "", P_CONFIRM)
    codes = bot.case_codes(sender)
    assert len(codes) == 2 and all(code in " ".join(r.text for r in filed) for code in codes)
    cases = [bot.case(code) for code in codes]
    assert [c.procedure for c in cases] == groups
    first, second = cases
    assert second.text not in first.text and first.text not in second.text  # nothing foreign in either
    assert {(c.name, c.phone, c.address) for c in cases} == {("Ngô Thị Hạnh", "0983456120", "số 7 ngõ 3 Trần Cung")}


@pytest.mark.parametrize("number", range(len(ONE)))
def test_a_narrative_about_one_matter_is_never_offered_a_split(bot: BotUnderTest, number: int) -> None:
    replies = bot.send(f"one-problem-{number}", ONE[number])
    assert not any("vấn đề thuộc các lĩnh vực khác nhau" in r.text for r in replies), [r.text for r in replies]
