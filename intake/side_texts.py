"""Texts of the side answers (intake/side_answers.py): questions about a procedure, another
language, khiếu nại / tố cáo. Vietnamese with full diacritics; the English reply is English on
purpose. Values (units, time limits, fees, addresses, numbers) come from the catalogue."""
from __future__ import annotations

PROCEDURE_HEAD = "Thông tin về thủ tục thuộc lĩnh vực {procedure}:"
LINE_WHERE = "• Nơi nộp hồ sơ: {where}."
LINE_TIME = "• Thời hạn giải quyết theo quy định: {time_limit}."
LINE_FEE = "• Lệ phí: {fee}."
LINE_PAPERS = ("• Thành phần hồ sơ, mẫu đơn và nộp trực tuyến: {portal} {link} (tìm theo tên thủ tục).")
TIME_VARIES = ("tùy từng thủ tục; thời hạn được ghi trên giấy tiếp nhận hồ sơ và hẹn trả kết quả, và "
               "công bố trên {portal}")
FEE_VARIES = "theo quy định, xem chi tiết tại {portal}"
GENERIC_ANSWER = ("Thành phần hồ sơ, nơi nộp, thời hạn giải quyết và lệ phí của từng thủ tục hành chính "
                  "được công bố trên {portal}: {link} (tìm theo tên thủ tục).")
HOTLINE_LINE = "Ông/Bà cũng có thể gọi {name}: {phone} ({hours}) để được hướng dẫn."
OFFER_FILE = "Ông/Bà có muốn gửi phản ánh về việc này không?"
BUTTON_YES_FILE = "Có"
BUTTON_NOT_NOW = "Không"
NOT_NOW = ("Vâng. Khi cần phản ánh, kiến nghị về thủ tục hành chính, Ông/Bà cứ nhắn tại đây hoặc "
           "chọn \"Gửi phản ánh\".")

COMPLAINT_WHERE = ("Ông/Bà gửi đơn khiếu nại, tố cáo (ghi rõ họ tên, địa chỉ, nội dung, ngày tháng và ký "
                   "tên; kèm giấy tờ liên quan) trực tiếp hoặc qua đường bưu điện tới:")
COMPLAINT_OR = ("Khiếu nại một quyết định hành chính cũng có thể gửi tới chính cơ quan đã ban hành quyết "
                "định đó.")
BUTTON_COMPLAINT_DESK = "Nơi gửi đơn"
DESK_NAME = "• {name}"
DESK_ADDRESS = "• Địa chỉ: {address}"
DESK_PHONE = "• Điện thoại: {phone}"
DESK_HOURS = "• Thời gian tiếp công dân: {hours}"
DESK_LINK = "• Thông tin: {link}"

# Another language: a short reply in English (issue 13), Vietnamese preferred, a person offered.
ENGLISH = ("Sorry, this service for feedback on Hanoi's administrative procedures works in Vietnamese. "
           "If you can, please write in Vietnamese (a friend or relative may type for you).{hotline} "
           "You can also ask for a staff member: tap \"Gặp cán bộ\" or type \"gặp cán bộ\".")
ENGLISH_HOTLINE = " For help by phone, please call the hotline {phone} ({name}), during office hours."
