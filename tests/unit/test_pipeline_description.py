"""A description sent in several messages, through the pipeline on the in-memory fakes: the joined
text is parsed again and a later piece naming the ward re-routes the case that is filed."""
from __future__ import annotations

from intake.dialogue import Dialogue
from intake.notifier import OutboxNotifier
from intake.pipeline import Pipeline
from nlu.result import ParseResult
from tests.unit.fakes import FakeData, FakeUnitOfWork
from tests.unit.test_pipeline_fakes import CATALOGUE, CTX, NOW, Citizen

FIRST = "Tôi nộp hồ sơ đăng ký khai sinh cho con đã 3 tuần chưa có kết quả"
PIECE = "nộp ở bộ phận một cửa UBND phường Láng, hỏi thì bảo chờ"
JOINED = f"{FIRST}. {PIECE}"


class PiecesNlu:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def parse(self, text: str) -> ParseResult:
        self.asked.append(text)
        if text in (FIRST, PIECE, JOINED):
            start = text.find("phường Láng")
            ward = [{"entity": "ward", "value": "phường Láng", "start": start, "end": start + 11}]
            return ParseResult(text, "phan_anh", 0.9, "ho_tich", "ubnd_xa", ward if start >= 0 else [],
                               [{"name": "phan_anh__ho_tich", "confidence": 0.9}])
        return ParseResult(text, "nlu_fallback", 0.2, None, None, [], [])


def test_a_ward_named_in_a_later_piece_routes_the_case_filed() -> None:
    uow, nlu = FakeUnitOfWork(FakeData()), PiecesNlu()
    pipeline = Pipeline(lambda: uow, nlu, Dialogue(CATALOGUE), CTX,  # type: ignore[arg-type]
                        clock=lambda: NOW, notifier=OutboxNotifier(CATALOGUE))
    citizen = Citizen(pipeline)
    for text, payload in ((FIRST, None), (PIECE, None), ("Lê Thị Hoa", None), ("0912345678", None),
                          ("Số 5 ngõ 10 Trần Thái Tông", None)):
        citizen.says(text, payload)
    assert JOINED in nlu.asked  # the whole description was read again
    summary = citizen.says("", "/consent:no").replies[-1].text
    assert "UBND phường Láng" in summary and PIECE in summary
    citizen.says("", "/confirm")
    (case,) = uow.committed.cases.values()
    assert (case.ward, case.agency_id, case.text) == ("phường Láng", "ubnd_xa", JOINED)
