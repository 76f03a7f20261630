"""What the web chat page and its endpoints say to the citizen (the dialogue's texts are in
intake/messages.py)."""
from __future__ import annotations

TYPE_NAMES = {"image/jpeg": "ảnh JPEG", "image/png": "ảnh PNG", "application/pdf": "tệp PDF"}

UPLOAD_TOO_LARGE = ("Tệp lớn hơn {limit}, chưa gửi được. Xin chọn ảnh hoặc tệp nhỏ hơn "
                    "(có thể chụp lại ảnh với chất lượng thấp hơn).")
UPLOAD_WRONG_TYPE = "Chỉ nhận {types}. Tệp Ông/Bà chọn không thuộc các loại này, chưa gửi được."
UPLOAD_EMPTY = "Tệp trống, xin chọn lại tệp khác."
UPLOAD_MISSING = "Chưa chọn tệp để gửi."
UPLOAD_HINT = "Đính kèm {types}, tối đa {limit} mỗi tệp."
TOO_MANY = ("Ông/Bà đã gửi quá nhiều tin nhắn trong thời gian ngắn. Xin chờ {minutes} phút rồi gửi "
            "tiếp; các tin đã gửi vẫn được giữ nguyên.")
STAFF_LABEL = "Cán bộ {name}"
STAFF_LABEL_UNNAMED = "Cán bộ tiếp nhận"

# Read by bot/static/chat.js (the page keeps no Vietnamese of its own).
PAGE = {
    "you": "Bạn",
    "bot": "Trợ lý tự động",
    "sending": "Đang gửi…",
    "uploading": "Đang gửi tệp…",
    "offline": "Mất kết nối, đang thử lại…",
    "send_failed": "Chưa gửi được tin nhắn, vui lòng thử lại.",
    "upload_failed": "Chưa gửi được tệp, vui lòng thử lại.",
    "photo_of": "Ảnh đính kèm: {name}",
    "greeting": "Xin chào",
    "new_messages": "Có tin nhắn mới ở cuối cuộc trò chuyện.",
}


def megabytes(size: int) -> str:
    """5242880 -> '5 MB', 2621440 -> '2,5 MB' (Vietnamese decimal comma)."""
    value = round(size / (1024 * 1024), 1)
    text = f"{value:g}".replace(".", ",")
    return f"{text} MB"


def type_list(types: tuple[str, ...]) -> str:
    names = [TYPE_NAMES.get(t, t) for t in types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " hoặc " + names[-1]
