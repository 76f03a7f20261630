"""A fake national PAKN system behind routing.national.NationalGateway, for tests.

It behaves as a real connection would be expected to: submitting the same case again returns the
code it got the first time (one national record per case), codes are its own opaque text, and its
statuses are whatever the test sets, including ones the mapping table has never heard of.
"""
from __future__ import annotations

from collections.abc import Sequence

from routing.national import ExportFile, NationalGateway, NationalRecord, Submission


class FakeNationalSystem(NationalGateway):
    kind = "fake"
    automatic = True

    def __init__(self, first_status: str = "Chờ tiếp nhận") -> None:
        self.records: dict[str, NationalRecord] = {}  # national code -> what was submitted
        self.by_case: dict[str, str] = {}  # our tracking code -> national code
        self.statuses: dict[str, str] = {}
        self.submissions = 0  # calls, repeated ones included
        self.first_status = first_status

    def submit(self, record: NationalRecord) -> Submission:
        self.submissions += 1
        code = self.by_case.get(record.case_code)
        if code is None:
            code = f"G.{len(self.by_case) + 1:04d}-2026"
            self.by_case[record.case_code] = code
            self.records[code] = record
            self.statuses[code] = self.first_status
        return Submission(record.case_code, code, self.statuses[code],
                          f"https://dichvucong.gov.vn/p/phananhkiennghi/chi-tiet?ma={code}")

    def fetch_status(self, national_code: str) -> str | None:
        return self.statuses.get(national_code)

    def set_status(self, national_code: str, status: str) -> None:
        self.statuses[national_code] = status

    def export(self, records: Sequence[NationalRecord], fmt: str, separator: str = ";") -> ExportFile:
        raise AssertionError("the fake national system takes submissions, not files")
