"""What staff read about their account: sessions, password change, second factor (Vietnamese)."""
from __future__ import annotations

SESSION_ENDED = {
    "idle": "Phiên làm việc đã hết hạn vì lâu không thao tác. Vui lòng đăng nhập lại.",
    "expired": "Phiên làm việc đã quá thời hạn tối đa. Vui lòng đăng nhập lại.",
    "logout": "Phiên làm việc đã kết thúc vì tài khoản đã đăng xuất. Vui lòng đăng nhập lại.",
    "password_changed": "Mật khẩu đã được đổi nên mọi phiên làm việc cũ đã kết thúc. Vui lòng "
                        "đăng nhập lại.",
    "password_reset": "Quản trị viên đã đặt lại mật khẩu nên phiên làm việc đã kết thúc. Vui lòng "
                      "đăng nhập bằng mật khẩu mới.",
    "locked": "Tài khoản đã bị khóa nên phiên làm việc đã kết thúc.",
}
MUST_CHANGE = ("Mật khẩu hiện tại là mật khẩu mặc định hoặc do quản trị viên đặt, hoặc không còn đủ "
               "mạnh. Vui lòng đổi mật khẩu trước khi làm việc.")
PASSWORD_CHANGED = "Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc."
PASSWORD_BLOCKED = "Nhập sai mật khẩu hiện tại quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
POLICY_HINT = ("Ít nhất {min} ký tự; không dùng mật khẩu phổ biến (như 12345678, matkhau123), tên "
               "đăng nhập hay họ tên của bạn. Nên dùng một câu dễ nhớ gồm nhiều từ.")
TOTP_PROMPT = "Nhập mã 6 chữ số trong ứng dụng xác thực trên điện thoại của bạn."
TOTP_WRONG = "Mã xác thực không đúng hoặc đã được dùng. Vui lòng nhập mã mới."
TOTP_EXPIRED = "Quá thời gian nhập mã xác thực. Vui lòng đăng nhập lại."
TOTP_ENABLED = "Đã bật xác thực hai bước. Từ lần đăng nhập sau, bạn sẽ cần mã trên điện thoại."
TOTP_DISABLED = "Đã tắt xác thực hai bước."
TOTP_PASSWORD_WRONG = "Mật khẩu không đúng: chưa tắt xác thực hai bước."
ROLE_UPDATED = "Đã cập nhật vai trò và đơn vị của tài khoản {username}."
EMAIL_SAVED = "Đã lưu địa chỉ e-mail. Bản tổng hợp hằng ngày và cảnh báo quá hạn sẽ được gửi tới địa chỉ này."
EMAIL_REMOVED = "Đã xóa địa chỉ e-mail: bạn sẽ không nhận thư tổng hợp và cảnh báo qua e-mail."
EMAIL_HINT = ("Bản tổng hợp hằng ngày của đơn vị và cảnh báo phản ánh quá hạn được gửi tới địa chỉ "
              "này. Để trống nếu không muốn nhận thư.")
TELEGRAM_HINT = ("Nhận cảnh báo phản ánh quá hạn và tin nhắn không gửi được ngay trên Telegram. Tạo "
                 "mã liên kết rồi gửi mã cho bot của hệ thống từ tài khoản Telegram của bạn.")
TELEGRAM_LINKED = "Đã liên kết Telegram: cảnh báo được gửi vào cuộc trò chuyện của bạn với bot."
TELEGRAM_NOT_LINKED = "Chưa liên kết Telegram."
TELEGRAM_CODE = ("Gửi tin nhắn sau cho bot{bot} trên Telegram trong vòng {minutes} phút (mã chỉ dùng "
                 "được một lần):")
TELEGRAM_UNLINKED = "Đã hủy liên kết Telegram: bạn sẽ không nhận cảnh báo qua Telegram nữa."
TELEGRAM_OFF = "Hệ thống chưa bật cảnh báo qua Telegram (chưa cấu hình bot Telegram)."
