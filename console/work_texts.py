"""What the work queue, assignment, notification centre and confirmations say to staff."""
from __future__ import annotations

QUEUE_TITLE = "Việc cần làm"
QUEUE_TABS = {"": "Việc cần làm", "me": "Của tôi", "none": "Chưa giao"}
SORT_NAMES = {"urgency": "Khẩn cấp trước (quá hạn, hạn gần nhất)", "received": "Mới tiếp nhận trước"}
SHOW_CLOSED = "Hiện cả phản ánh đã kết thúc, từ chối, chuyển nơi khác"
NOBODY = "Chưa giao"

ASSIGN_TITLE = "Giao xử lý"
ASSIGN_BUTTON = "Giao"
ASSIGN_TO_ME = "Nhận xử lý"
ASSIGNED_DONE = "Đã giao phản ánh {code} cho {name}."
UNASSIGNED_DONE = "Phản ánh {code} không còn giao cho ai."
ASSIGN_BAD_INPUT = "Vui lòng chọn cán bộ trong danh sách."
TIMELINE_ASSIGNED = "Giao xử lý cho {name}"
TIMELINE_UNASSIGNED = "Bỏ giao xử lý"

NOTIFICATIONS_TITLE = "Thông báo"
NOTIFICATION_KINDS = {
    "overdue": "Quá hạn",
    "due_soon": "Sắp đến hạn",
    "digest": "Tổng hợp trong ngày",
    "delivery_failed": "Tin nhắn không gửi được",
    "citizen_info": "Công dân bổ sung thông tin",
}
STEP_NAMES = {
    "classify_and_forward": "phân loại, chuyển cơ quan xử lý",
    "answer": "trả lời công dân",
    "publish_result": "công khai kết quả",
}
NOTIFICATION_TEXTS = {
    "overdue": "Phản ánh {code}: bước {step} đã quá hạn (hạn {due}); Văn phòng UBND đã được báo.",
    "due_soon": "Phản ánh {code}: bước {step} sắp đến hạn ({due}).",
    "digest": "Ngày {day}: {open} phản ánh đang xử lý, {due_soon} sắp đến hạn, {overdue} quá hạn.",
    "delivery_failed": "Phản ánh {code}: tin nhắn gửi công dân qua {channel} không gửi được.",
    "citizen_info": "Phản ánh {code}: công dân đã gửi thông tin bổ sung.",
}
MARK_READ = "Đánh dấu đã đọc"
MARK_ALL_READ = "Đánh dấu tất cả đã đọc"
MARKED_ALL = "Đã đánh dấu {count} thông báo là đã đọc."
NO_NOTIFICATIONS = "Không có thông báo nào."
ONLY_UNREAD = "Chỉ thông báo chưa đọc"

# Confirmation before an action that cannot be taken back.
CONFIRM_IRREVERSIBLE = {
    "answer": ("Văn bản trả lời chính thức sẽ được gửi nguyên văn tới công dân và không thể thu "
               "hồi. Vui lòng đọc lại trước khi xác nhận."),
    "close": ("Phản ánh sẽ được kết thúc và công dân được mời đánh giá mức độ hài lòng. Chỉ cán bộ "
              "có thể mở lại để xem xét."),
}
PUBLISH_THROUGH_REVIEW = ("Trước khi công khai phản ánh {code}, vui lòng xem nội dung sẽ đăng "
                          "(đã che thông tin cá nhân) rồi bấm «Lưu và công khai kết quả».")
