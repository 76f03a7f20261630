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

# Two problems of different groups in one message: filed as separate cases if the citizen wants.
SPLIT_OFFER = ("Tin nhắn của Ông/Bà nêu {count} vấn đề thuộc các lĩnh vực khác nhau:\n{items}\n"
               "Ông/Bà muốn gửi thành {count} phản ánh riêng (mỗi phản ánh được chuyển đến đúng cơ quan "
               "xử lý) hay gộp thành một phản ánh?")
SPLIT_ITEM = "{number}. {excerpt} (lĩnh vực: {procedure})"
BUTTON_SPLIT_YES, BUTTON_SPLIT_NO = "Gửi riêng từng phản ánh", "Gộp thành một"
SPLIT_DONE = "Tôi sẽ gửi thành {count} phản ánh riêng, dùng chung thông tin liên hệ:\n{items}"
SPLIT_DONE_ITEM = "{number}. Lĩnh vực: {procedure}; cơ quan xử lý dự kiến: {agency}"
SPLIT_KEPT = "Tôi sẽ gửi tất cả thành một phản ánh."
SUMMARY_OTHER = "• Phản ánh thứ {number} (gửi riêng): {text}\n  Lĩnh vực: {procedure}; cơ quan: {agency}\n"
