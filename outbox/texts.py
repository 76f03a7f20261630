"""Texts the delivery adds to a message it sends (Vietnamese, for the citizen)."""
from __future__ import annotations

# A message that failed for good and is sent again once delivery works, headed with when it was written.
DELIVERY_LATE = "Tin nhắn gửi Ông/Bà lúc {time} ngày {date} chưa đến được, nay gửi lại:\n\n"
