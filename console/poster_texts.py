"""Vietnamese text of the channel poster (console/poster.py, console/poster_pdf.py)."""
from __future__ import annotations

CITY = "UBND THÀNH PHỐ HÀ NỘI"
TITLE = "GỬI PHẢN ÁNH, KIẾN NGHỊ"
LEAD = ("về quy định hành chính, thủ tục hành chính, đất đai, xây dựng, đô thị, môi trường… "
        "Quét mã QR bằng camera điện thoại, hoặc gõ địa chỉ ngắn bên dưới mỗi mã.")
FOOTER = ("Phản ánh được tiếp nhận cả ngoài giờ hành chính và trả lời trong thời hạn theo quy định. "
          "Tra cứu kết quả bằng mã phản ánh tại {lookup}.")
NOT_HERE = "Khiếu nại, tố cáo xin gửi theo Luật Khiếu nại, Luật Tố cáo, không gửi qua các kênh này."
CHANNELS = {
    "zalo": ("Zalo", "Nhắn tin cho Zalo Official Account"),
    "facebook": ("Messenger", "Nhắn tin cho Trang Facebook"),
    "telegram": ("Telegram", "Trò chuyện với bot Telegram"),
    "webchat": ("Trò chuyện trên web", "Mở trang bằng trình duyệt, không cần cài ứng dụng"),
    "hotline": ("Đường dây nóng", "Gọi điện thoại"),
}
# The console page (console/templates/console/poster.html).
PAGE_TITLE = "Áp phích kênh tiếp nhận"
DOWNLOAD = "Tải áp phích (PDF)"
MISSING = {
    "telegram": "chưa có channels.telegram.username trong cấu hình",
    "facebook": "chưa có channels.facebook.page_username trong cấu hình",
    "zalo": "chưa có channels.zalo.oa_id trong cấu hình",
    "hotline": "chưa có hotline.phone trong cấu hình",
}
DISABLED = "kênh chưa được bật (thiếu khóa bí mật của nền tảng)"
NO_BASE_URL = ("Chưa cấu hình public.base_url: địa chỉ trò chuyện trên web đang lấy theo địa chỉ "
               "trang cán bộ ({base}); hãy cấu hình địa chỉ công khai trước khi in.")
NOTHING = "Chưa có kênh nào để in: hãy cấu hình địa chỉ công khai của các kênh."
