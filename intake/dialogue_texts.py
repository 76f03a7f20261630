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
