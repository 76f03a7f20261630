"""Vietnamese texts of the inbox: waiting times, unread counts, names, a case from a conversation."""
from __future__ import annotations

WAITING_NOW = "Vừa nhắn"
WAITING_MINUTES = "Chờ {minutes} phút"
WAITING_HOURS = "Chờ {hours} giờ {minutes} phút"
WAITING_DAYS = "Chờ {days} ngày {hours} giờ"
ANSWERED = "Đã trả lời"
UNREAD = "{n} tin chưa đọc"
UNREAD_MENU = "{n} cuộc trò chuyện có tin chưa đọc"
# A citizen whose platform gave no name (yet): the channel and the end of their id.
UNNAMED = "Người dùng {channel} …{tail}"
NAME_FROM_DRAFT = "{name} (tên khai trong phản ánh đang soạn)"

CASE_FROM_CHAT_TITLE = "Tạo phản ánh từ cuộc trò chuyện"
CASE_FROM_CHAT_HELP = ("Thông tin lấy từ phản ánh công dân đang soạn và các tin nhắn của công dân; "
                       "hãy kiểm tra, sửa rồi tiếp nhận. Phản ánh được gắn vào cuộc trò chuyện này: "
                       "công dân nhận mã tra cứu và thông báo tiến độ ngay tại đây.")
CASE_FROM_CHAT_FILED = ("Đã tiếp nhận phản ánh {code} từ cuộc trò chuyện; công dân đã được nhắn mã "
                        "tra cứu trong cuộc trò chuyện.")
CASE_FROM_CHAT_TO_CITIZEN = ("Cán bộ đã tiếp nhận phản ánh của Ông/Bà.\nMã tra cứu: {code}\n"
                             "Hạn trả lời: {due}.\nÔng/Bà sẽ nhận thông báo tại đây mỗi khi phản "
                             "ánh được cập nhật. Để tra cứu, gửi \"tra cứu {code}\".")
