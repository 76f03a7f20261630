"""What staff are e-mailed: the daily digest of their unit and alerts for overdue cases, in
Vietnamese, each case with its code and a link to its page in the console."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from routing.calendar import VIETNAM
from routing.ports import StaffEmail

STEP_NAMES = {
    "classify_and_forward": "Phân loại, chuyển cơ quan xử lý",
    "answer": "Trả lời công dân",
    "publish_result": "Công khai kết quả",
}
OVERDUE_SUBJECT_ONE = "[PAKN Hà Nội] Phản ánh {code} đã quá hạn"
OVERDUE_SUBJECT_MANY = "[PAKN Hà Nội] {count} phản ánh đã quá hạn"
OVERDUE_INTRO = ("Kính gửi {name},\n\nCác phản ánh, kiến nghị dưới đây đã quá hạn xử lý; Văn phòng "
                 "UBND (cán bộ đầu mối) đã được báo. Đề nghị đơn vị khẩn trương xử lý.\n")
OVERDUE_LINE = "- {code} · bước «{step}» · hạn {due} · {unit}\n  {link}"
DIGEST_SUBJECT = "[PAKN Hà Nội] Tổng hợp ngày {day}: {open} phản ánh đang xử lý, {overdue} quá hạn"
DIGEST_INTRO = ("Kính gửi {name},\n\nTình hình phản ánh, kiến nghị của {unit} ngày {day}:\n"
                "- Đang xử lý: {open}\n- Sắp đến hạn: {due_soon}\n- Quá hạn: {overdue}\n")
DIGEST_OVERDUE = "\nPhản ánh quá hạn:"
DIGEST_DUE_SOON = "\nPhản ánh sắp đến hạn:"
DIGEST_LINE = "- {code}: {link}"
DIGEST_MORE = "- … và {count} phản ánh khác: {link}"
FOOTER = ("\n\nDanh sách việc cần làm: {queue}\n\nThư tự động từ hệ thống tiếp nhận PAKN Hà Nội; "
          "vui lòng không trả lời thư này.")


def case_link(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/console/cases/{code}"


def _day(value: str) -> str:
    year, month, day = value.split("-")
    return f"{day}/{month}/{year}"


def _time(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


def _name(person: Mapping[str, Any]) -> str:
    return str(person.get("full_name") or person.get("username") or "")


def overdue_alert(person: Mapping[str, Any], items: Sequence[Mapping[str, Any]], base_url: str,
                  unit_name: Any) -> StaffEmail:
    """One e-mail for every overdue escalation of this run that concerns `person`."""
    codes = list(dict.fromkeys(str(item["case_code"]) for item in items))  # a case, several steps
    subject = (OVERDUE_SUBJECT_ONE.format(code=codes[0]) if len(codes) == 1
               else OVERDUE_SUBJECT_MANY.format(count=len(codes)))
    lines = [OVERDUE_INTRO.format(name=_name(person))]
    for item in items:
        data = item.get("data") or {}
        lines.append(OVERDUE_LINE.format(
            code=item["case_code"], step=STEP_NAMES.get(str(data.get("step")), data.get("step")),
            due=_time(data["due_at"]) if data.get("due_at") else "—",
            unit=unit_name(data.get("agency_id"), item.get("ward")),
            link=case_link(base_url, str(item["case_code"]))))
    body = "\n".join(lines) + FOOTER.format(queue=f"{base_url.rstrip('/')}/console/cases")
    return StaffEmail(str(person["email"]), subject, body)


def digest(person: Mapping[str, Any], item: Mapping[str, Any], base_url: str,
           unit_name: Any) -> StaffEmail:
    data = item.get("data") or {}
    day = _day(str(data.get("day", "")))
    counts = {k: int(data.get(k, 0)) for k in ("open", "due_soon", "overdue")}
    lines = [DIGEST_INTRO.format(name=_name(person), unit=unit_name(item["agency_id"], item["ward"]),
                                 day=day, **counts)]
    queue = f"{base_url.rstrip('/')}/console/cases"
    for title, key, count in ((DIGEST_OVERDUE, "overdue_codes", counts["overdue"]),
                              (DIGEST_DUE_SOON, "due_soon_codes", counts["due_soon"])):
        codes = list(data.get(key) or [])
        if codes:
            lines.append(title)
            lines += [DIGEST_LINE.format(code=c, link=case_link(base_url, c)) for c in codes]
            if count > len(codes):
                lines.append(DIGEST_MORE.format(count=count - len(codes), link=queue))
    subject = DIGEST_SUBJECT.format(day=day, open=counts["open"], overdue=counts["overdue"])
    return StaffEmail(str(person["email"]), subject, "\n".join(lines) + FOOTER.format(queue=queue))
