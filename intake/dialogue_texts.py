"""What the dialogue tells the citizen about contact details found in a message, notes kept for
staff, cancelling and the confirmation (Vietnamese, with full diacritics)."""
from __future__ import annotations

# A value read where it was not asked for: confirmed in one short question.
CONFIRM_FIELD = {"name": "tên Ông/Bà là {value}", "phone": "số điện thoại của Ông/Bà là {value}",
                 "address": "địa chỉ của Ông/Bà là {value}"}
CONFIRM_FOUND = "{fields}, đúng không?"
BUTTON_YES_RIGHT, BUTTON_NO_WRONG = "Đúng", "Không đúng"
# Text at a contact question that is not an answer: kept for staff, added only if the citizen asks.
NOTE_KEPT = ("Tôi đã ghi lại tin nhắn này để cán bộ xem cùng phản ánh (không công khai, không đưa "
             "vào nội dung). Nếu đó là nội dung phản ánh, xin bấm \"Thêm vào nội dung\".")
BUTTON_ADD_NOTE = "Thêm vào nội dung"
NOTE_ADDED = "Đã thêm vào nội dung phản ánh."

# Cancelling a draft that holds more than the first message is asked first, and can be undone.
ASK_CANCEL = ("Ông/Bà có muốn hủy phản ánh đang soạn không? Những thông tin đã nhập sẽ không được "
              "gửi.")
BUTTON_CANCEL_YES, BUTTON_CONTINUE = "Hủy", "Tiếp tục"
BUTTON_RESTORE = "Khôi phục"
DRAFT_KEPT = "Phản ánh đang soạn vẫn được giữ."
RESTORED = "Đã khôi phục phản ánh đang soạn."
# After filing: a repeated confirmation or a cancel says what happened, with the code.
ALREADY_FILED = ("Phản ánh của Ông/Bà đã được gửi, mã tra cứu: {code}. Không cần xác nhận lại; "
                 "Ông/Bà sẽ nhận thông báo tại đây mỗi khi phản ánh được cập nhật.")
FILED_NOT_CANCELLED = ("Phản ánh {code} đã được gửi nên không hủy được tại đây. Nếu muốn rút phản "
                       "ánh, xin gửi \"gặp cán bộ\".")
NOTHING_TO_CONFIRM = "Hiện không có phản ánh nào đang chờ xác nhận."
# A status question at a contact question: how to look up, the draft kept.
LOOKUP_IN_DRAFT = ("Để tra cứu phản ánh đã gửi trước đây, xin gửi mã PAKN (dạng PAKN-2026-000123); phản ánh "
                   "đang soạn vẫn được giữ.")
