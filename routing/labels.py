"""What a case status is called, in the words citizens and staff read (Vietnamese): one table for
the chat, the pushes, the console and the public pages."""
from __future__ import annotations

CASE_STATUS_NAMES: dict[str, str] = {
    "received": "Đã tiếp nhận",
    "rejected": "Không đủ điều kiện tiếp nhận",
    "redirected": "Đã hướng dẫn gửi theo đường khiếu nại, tố cáo",
    "classified": "Đã phân loại, chờ chuyển cơ quan xử lý",
    "forwarded": "Đã chuyển cơ quan có thẩm quyền",
    "in_progress": "Đang xử lý",
    "answered": "Đã có văn bản trả lời",
    "published": "Đã công khai kết quả",
    "closed": "Đã kết thúc",
    "reopened": "Đang xem xét lại",
}
