"""Staff-facing Vietnamese texts of the personal-data requests pages (console.data_requests)."""
from __future__ import annotations

TITLE = "Yêu cầu về dữ liệu cá nhân"
INTRO = ("Công dân yêu cầu trong cuộc trò chuyện được xem (bản sao) hoặc xoá dữ liệu cá nhân của mình "
         "(Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15). Khi đã làm xong, bấm nút để báo công dân qua kênh "
         "họ đã dùng.")
KINDS = {"copy": "Cung cấp bản sao", "deletion": "Xoá dữ liệu"}
STATUSES = {"open": "Chưa xử lý", "done": "Đã xử lý"}
DONE_BUTTONS = {"copy": "Đã cung cấp", "deletion": "Đã xoá"}
DONE_FLASH = {"copy": "Đã báo công dân: dữ liệu đã được cung cấp (yêu cầu số {number}).",
              "deletion": "Đã xoá dữ liệu và báo công dân (yêu cầu số {number}): {cases} phản ánh "
                          "đã ẩn danh, {kept} phản ánh đang xử lý được giữ lại."}
NOT_OPEN = "Yêu cầu này đã được xử lý trước đó."
DELETION_WARNING = ("Bấm \"Đã xoá\" sẽ xoá họ tên, số điện thoại, địa chỉ, nội dung tin nhắn và tệp của các "
                    "phản ánh đã kết thúc; phản ánh đang xử lý được giữ đến khi kết thúc. Không hoàn tác được.")
NOTE_LABEL = "Ghi chú gửi công dân (không bắt buộc)"
EMPTY = "Chưa có yêu cầu nào."
