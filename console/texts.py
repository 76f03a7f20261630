"""Every Vietnamese text of the staff console that is not in a template (flash messages, labels)."""
from __future__ import annotations

from intake.messages import STATUS_NAMES

ROLE_NAMES = {
    "focal_point": "Cán bộ đầu mối (Văn phòng UBND)",
    "agency_staff": "Cán bộ cơ quan xử lý",
    "admin": "Quản trị hệ thống",
}
CHANNEL_NAMES = {
    "telegram": "Telegram",
    "facebook": "Messenger",
    "zalo": "Zalo",
    "webchat": "Trò chuyện trên web",
    "hotline": "Đường dây nóng",
}
STEP_NAMES = {
    "classify_and_forward": "Phân loại, chuyển cơ quan xử lý",
    "answer": "Trả lời công dân",
    "publish_result": "Công khai kết quả",
}
EVENT_NAMES = {
    "status": "Chuyển trạng thái",
    "reclassified": "Phân loại lại",
    "ask_info": "Đề nghị bổ sung thông tin",
    "citizen_note": "Tin nhắn của công dân ghi lại cho cán bộ (không đưa vào nội dung, không công khai)",
    "citizen_info": "Công dân bổ sung thông tin",
    "info_done": "Công dân báo đã gửi đủ thông tin bổ sung",
    "info_closed": "Kết thúc đề nghị bổ sung thông tin",
    "masking_reviewed": "Rà soát, che thông tin cá nhân trong nội dung công khai",
    "chat_link_accepted": "Công dân đồng ý nhận thông báo qua kênh nhắn tin",
    "chat_link_refused": "Công dân từ chối gắn phản ánh vào cuộc trò chuyện",
}
# Who did a step, when it was not a staff account (staff are shown by their full name).
ACTOR_NAMES = {
    "bot": "Trợ lý tự động",
    "citizen": "Công dân",
    "system": "Hệ thống",
    "scheduler": "Hệ thống",
    "demo": "Cán bộ cơ quan xử lý (dữ liệu mẫu)",
}
ACTOR_OPEN311 = "Ứng dụng kết nối qua Open311: {client}"
TIMELINE_CHANNEL = "Kênh tiếp nhận: {channel}"
TIMELINE_ATTACHMENTS = "Tệp, hình ảnh kèm theo: {items}"
ATTACHMENT_TYPES = {"image": "hình ảnh", "photo": "hình ảnh", "file": "tệp", "video": "video",
                    "audio": "ghi âm", "location": "vị trí", "sticker": "nhãn dán", "gif": "ảnh động"}
ATTACHMENT_FILE_ID = "mã tệp Telegram {file_id}"
# A case whose personal data was removed (retention, or the citizen's request; storage.personal_data).
CASE_ANONYMISED = "Dữ liệu cá nhân đã được xoá ngày {at} (thời hạn lưu trữ hoặc theo yêu cầu của công dân)."
# A photo or file sent on a platform that is not in the file store (attachment_downloads).
ATTACHMENT_STATES = {"pending": "đang tải về", "failed": "không tải được"}
TIMELINE_CLASSIFIED = "Lĩnh vực: {procedure} · Cơ quan xử lý: {agency}"
TIMELINE_PROCEDURE = "Lĩnh vực: {old} → {new}"
TIMELINE_FROM = "Chuyển từ: {unit}"
TIMELINE_UNPUBLISHED = "Lý do không công khai kết quả: {reason}"
TIMELINE_REASON = "Lý do (đã báo người dân): {reason}"
# Contact data the bot kept as typed after asking twice (intake.contact_checks): staff verify it.
CONTACT_FIELD_NAMES = {"name": "họ tên", "phone": "số điện thoại", "address": "địa chỉ"}
CONTACT_TO_CHECK = ("Cần kiểm tra: {fields} chưa xác định. Trợ lý ảo đã hỏi lại hai lần rồi ghi nguyên "
                    "văn lời công dân; xin xác minh khi liên hệ với công dân.")
# The legal basis of a deadline (catalogue/deadlines.yaml keeps the citation with English remarks).
LEGAL_STATUS = {
    "confirmed": "Đã xác nhận",
    "believed": "Chưa xác nhận",
    "unconfirmed, configurable": "Chưa xác nhận, có thể cấu hình",
    "publication required": "Bắt buộc công khai kết quả",
}
LEGAL_PHRASES = {
    " for the Government portal": ", áp dụng cho Cổng thông tin điện tử Chính phủ",
    "practice of the national portal and iHanoi (tracking code at submission)":
        "Thực tiễn của Cổng Dịch vụ công quốc gia và iHanoi (cấp mã tra cứu khi gửi)",
}
SIPAS_SHORT = {
    "hinh_thuc_tiep_nhan": "Hình thức tiếp nhận",
    "de_dang_phan_anh": "Dễ dàng phản ánh",
    "xu_ly_tich_cuc": "Xử lý tích cực",
    "thong_bao_kip_thoi": "Thông báo kịp thời",
}
OUTBOX_STATUS = {"pending": "Đang chờ gửi", "sending": "Đang gửi", "sent": "Đã gửi",
                 "failed": "Gửi không thành công",
                 "waiting_window": "Chờ công dân nhắn lại (ngoài thời hạn nhắn tin của nền tảng)",
                 "held": "Đang giữ lại: chờ gửi được tin trước đó",
                 "dismissed": "Đã bỏ qua (cán bộ đã báo công dân bằng cách khác)"}
# Tin chưa gửi được: what staff can do with a message that failed for good.
DELIVERY_HELD = ("Tin gửi sau một tin không thành công được giữ lại, để công dân không nhận tin mới mà "
                 "thiếu tin trước. Khi công dân nhắn lại, tin chưa gửi được tự gửi lại trước, rồi đến "
                 "các tin giữ lại. Cán bộ có thể «Gửi lại» ngay, hoặc «Bỏ qua» tin đó nếu đã báo công "
                 "dân bằng cách khác (các tin giữ lại sẽ được gửi).")
DELIVERY_RETRY, DELIVERY_DISMISS = "Gửi lại", "Bỏ qua"
DELIVERY_RETRIED = "Đã xếp {count} tin để gửi lại: tin chưa gửi được đi trước, rồi các tin giữ lại."
DELIVERY_DISMISSED = "Đã bỏ qua tin chưa gửi được; {count} tin đang giữ lại sẽ được gửi."
DELIVERY_NOT_FAILED = "Tin này không còn ở trạng thái gửi không thành công."
OUTBOX_KINDS = {"reply": "Trả lời", "status": "Thông báo trạng thái", "survey": "Khảo sát",
                "staff": "Cán bộ nhắn", "link": "Hỏi ý kiến gắn phản ánh",
                "data": "Yêu cầu về dữ liệu cá nhân"}
# Why a message could not be delivered, by the platform's error code (the raw reason is shown too).
DELIVERY_REASONS = {
    "403": "Công dân đã chặn hoặc xoá bot Telegram.",
    "400": "Telegram từ chối tin nhắn (cuộc trò chuyện không tồn tại).",
    "10": "Ngoài thời hạn 24 giờ nhắn tin của Messenger.",
    "551": "Người dùng Messenger hiện không liên lạc được (đã chặn Trang hoặc khoá tài khoản).",
    "-230": "Công dân không tương tác với Zalo OA trong 7 ngày qua.",
    "-213": "Công dân chưa quan tâm (follow) Zalo OA.",
    "-217": "Công dân đã chặn Zalo OA.",
    "window": "Ngoài thời hạn nhắn tin của nền tảng: sẽ gửi khi công dân nhắn lại.",
}
DELIVERY_REASON_OTHER = "Nền tảng không nhận tin sau nhiều lần thử lại."
DELIVERED = "Công dân đã nhận"
READ = "Công dân đã xem"
VIA_ZNS = "gửi qua tin ZNS (số điện thoại)"
ACTION_LABELS = {
    "forward": "Chuyển cơ quan xử lý",
    "transfer": "Chuyển sang cơ quan khác",
    "reclassify": "Phân loại lại lĩnh vực",
    "start": "Bắt đầu xử lý",
    "answer": "Trả lời (văn bản chính thức)",
    "ask_info": "Đề nghị công dân bổ sung thông tin",
    "close_info": "Kết thúc đề nghị bổ sung thông tin",
    "publish": "Công khai kết quả",
    "close": "Kết thúc",
    "reopen": "Mở lại để xem xét",
    "reject": "Không tiếp nhận",
    "redirect": "Hướng dẫn theo đường khiếu nại, tố cáo",
}

LOGIN_REQUIRED = "Vui lòng đăng nhập để sử dụng trang quản trị."
LOGIN_FAILED = "Tên đăng nhập hoặc mật khẩu không đúng."
LOGIN_LOCKED = ("Tài khoản này đã bị khóa nên không đăng nhập được. Vui lòng liên hệ quản trị hệ "
                "thống để được mở khóa.")
LOGIN_BLOCKED = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
LOGGED_IN = "Đăng nhập thành công. Xin chào {name}!"
LOGGED_OUT = "Đã đăng xuất."
FORBIDDEN = "Bạn không có quyền truy cập trang này."
NOT_FOUND = "Không tìm thấy trang hoặc dữ liệu yêu cầu."
CSRF_FAILED = ("Biểu mẫu đã hết hạn hoặc thiếu mã bảo mật (CSRF). Vui lòng tải lại trang và thử "
               "lại.")
SERVER_ERROR = "Đã có lỗi hệ thống. Vui lòng thử lại sau hoặc báo quản trị viên."

ACTION_DONE = "Đã thực hiện: {action} — phản ánh {code}."
ACTION_NOT_ALLOWED = "Thao tác «{action}» không được phép ở trạng thái hiện tại hoặc với vai trò của bạn."
INVALID_TRANSITION = "Không thể chuyển phản ánh {code} từ trạng thái «{current}» sang «{target}»."
UNKNOWN_CASE = "Không tìm thấy phản ánh có mã {code}."
UNKNOWN_AGENCY = "Cơ quan không có trong danh mục."
UNKNOWN_PROCEDURE = "Lĩnh vực không hợp lệ hoặc là khiếu nại, tố cáo (không thuộc phạm vi PAKN)."
MISSING_CONTACT = "Thiếu thông tin liên hệ bắt buộc: {missing}."
DOMAIN_ERROR = "Không thực hiện được thao tác: {error}."
REASON_REQUIRED = "Vui lòng nhập lý do."
ANSWER_REQUIRED = "Vui lòng nhập nội dung văn bản trả lời."
TEXT_REQUIRED = "Vui lòng nhập nội dung."
MESSAGE_TOO_LONG = "Lời nhắn cho người dân dài quá {limit} ký tự; vui lòng rút gọn."
AGENCY_REQUIRED = "Vui lòng chọn cơ quan."
WARD_REQUIRED = ("Phản ánh {code} chưa có phường/xã. {agency} gồm 126 đơn vị cấp xã: vui lòng chọn "
                 "phường/xã xử lý, nếu không sẽ không đơn vị nào nhận được phản ánh.")
UNKNOWN_WARD = "Phường/xã không có trong danh mục 126 xã, phường của Hà Nội."
SAME_UNIT = ("Phản ánh {code} đang do {unit} xử lý. Vui lòng chọn cơ quan (hoặc phường/xã) khác "
             "để chuyển.")
PUBLICATION_REQUIRED = ("Công dân đã đồng ý công khai kết quả phản ánh {code}. Kết quả cần được "
                        "công khai (cán bộ đầu mối thực hiện) trước khi kết thúc; nếu không công "
                        "khai, vui lòng ghi rõ lý do.")
PUBLICATION_NEEDS_REVIEW = ("Công dân chưa đồng ý công khai phản ánh {code}: cần rà soát nội dung "
                            "đã che thông tin cá nhân trước khi công khai kết quả.")
PROCEDURE_REQUIRED = "Vui lòng chọn lĩnh vực."
NO_CONVERSATION = "Phản ánh này không gắn với kênh nhắn tin nào; vui lòng liên hệ công dân qua điện thoại."
ASK_INFO_PREFIX = "Về phản ánh {code}, cán bộ xử lý đề nghị Ông/Bà bổ sung thông tin:\n{text}"
INFO_REQUEST_CLOSED = "Về phản ánh {code}, cán bộ xử lý đã nhận đủ thông tin bổ sung. Cảm ơn Ông/Bà."

TAKEN = "Bạn đã nhận xử lý cuộc trò chuyện này. Trợ lý tự động sẽ không trả lời công dân nữa."
TAKEN_BY_OTHER = "Cuộc trò chuyện đang do {user} xử lý. Hãy nhận xử lý trước khi trả lời."
REPLY_SENT = "Đã gửi trả lời tới công dân."
REPLY_EMPTY = "Nội dung trả lời đang trống."
WINDOW_CLOSED = ("Đã quá thời hạn nhắn tin của {channel} (tin cuối của công dân lúc {last}). "
                 "Vui lòng liên hệ công dân qua số điện thoại hoặc kênh khác.")
NOTE_SAVED = "Đã lưu ghi chú nội bộ."
HANDED_BACK = "Đã trả cuộc trò chuyện cho trợ lý tự động."
HANDBACK_TO_CITIZEN = ("Cán bộ đã kết thúc hỗ trợ trực tiếp. Trợ lý tự động tiếp tục hỗ trợ "
                       "Ông/Bà; gửi \"gặp cán bộ\" nếu cần gặp lại cán bộ.")

HOTLINE_FILED = "Đã tiếp nhận phản ánh qua đường dây nóng. Mã tra cứu: {code}."
HOTLINE_NAME = "Vui lòng nhập họ tên người gọi."
HOTLINE_PHONE = "Số điện thoại không hợp lệ (ví dụ 0912 345 678 hoặc 024 3825 3536)."
HOTLINE_ADDRESS = "Vui lòng nhập địa chỉ liên hệ."
HOTLINE_TEXT = "Vui lòng nhập nội dung phản ánh."
HOTLINE_WARD = "Phường/xã không có trong danh mục."
HOTLINE_CONTACT_TOO_LONG = "Mã định danh trên kênh nhắn tin dài quá {limit} ký tự."
# Any field longer than the column that keeps it (the form keeps what was typed).
TOO_LONG = "{field} dài quá {limit} ký tự (đang có {length} ký tự); vui lòng rút gọn."
FIELD_NAMES = {"name": "Họ tên", "address": "Địa chỉ", "phone": "Số điện thoại",
               "username": "Tên đăng nhập", "full_name": "Họ tên", "reason": "Lý do",
               "client_name": "Tên ứng dụng"}
# The same whether or not the chat id has ever written to the bot: that is not staff's to learn.
HOTLINE_LINK_REQUESTED = ("Đã gửi đề nghị gắn phản ánh {code} vào cuộc trò chuyện {channel} «{sender}»: "
                          "nếu mã này đã từng nhắn tin với trợ lý PAKN, người dân sẽ được hỏi trong "
                          "cuộc trò chuyện và chỉ nhận thông báo tiến độ tại đó khi đồng ý.")
CHAT_LINK_TITLE = "Gắn vào cuộc trò chuyện"
CHAT_LINK_STATES = {
    "pending": "Đang chờ người dân đồng ý (đề nghị hết hạn lúc {expires}).",
    "accepted": "Người dân đã đồng ý lúc {answered}: thông báo tiến độ được gửi qua kênh này.",
    "refused": "Người dân đã từ chối lúc {answered}: không gửi tin nhắn nào về phản ánh qua kênh này.",
    "expired": "Đã hết hạn lúc {expires} mà người dân chưa đồng ý: phản ánh không được gắn.",
}
CHAT_LINK_REQUESTED_BY = "Đề nghị của {user} lúc {at}"
HOTLINE_CONTACT_PARTIAL = ("Vui lòng chọn kênh nhắn tin và nhập mã định danh của người gọi trên kênh "
                           "đó (hoặc để trống cả hai).")

USER_CREATED = "Đã tạo tài khoản {username}."
USER_UPDATED = "Đã cập nhật tài khoản {username}."
CANNOT_LOCK_SELF = ("Bạn không thể tự khóa tài khoản của mình (sẽ không đăng nhập lại được). "
                    "Nếu cần, hãy nhờ một quản trị viên khác khóa.")
CALENDAR_SAVED = "Đã cập nhật lịch: {day}; {moved} phản ánh đang xử lý được tính lại hạn."
CALENDAR_REMOVED = "Đã xóa khỏi lịch: {day}; {moved} phản ánh đang xử lý được tính lại hạn."
CALENDAR_NOT_FOUND = "Ngày này không có trong lịch ngày nghỉ, ngày làm bù."
CALENDAR_RANGE = ("Khoảng ngày không hợp lệ: ngày kết thúc phải từ ngày bắt đầu trở đi và không quá "
                  "{days} ngày.")
CANNED_SAVED = "Đã lưu câu trả lời mẫu."
CANNED_DELETED = "Đã xóa câu trả lời mẫu."
CANNED_TITLE_TOO_LONG = "Tiêu đề câu trả lời mẫu dài tối đa {limit} ký tự."
INVALID_DATE = "Ngày không hợp lệ."

__all__ = ["STATUS_NAMES"]

# The audit log in words: what staff did (action codes stay English in the database).
AUDIT_ACTIONS = {
    "login": "Đăng nhập", "logout": "Đăng xuất", "login_failed": "Đăng nhập sai",
    "login_blocked": "Đăng nhập bị chặn tạm thời (sai quá nhiều lần)",
    "login_locked": "Đăng nhập vào tài khoản đã khóa",
    "user_create": "Tạo tài khoản", "user_update": "Cập nhật tài khoản",
    "calendar_set": "Cập nhật lịch làm việc", "calendar_remove": "Xóa ngày khỏi lịch làm việc",
    "canned_add": "Thêm câu trả lời mẫu", "canned_delete": "Xóa câu trả lời mẫu",
    "conversation_take": "Nhận xử lý cuộc trò chuyện", "conversation_reply": "Trả lời công dân",
    "delivery_retry": "Gửi lại tin chưa gửi được", "delivery_dismiss": "Bỏ qua tin chưa gửi được",
    "data_request_done": "Hoàn thành yêu cầu về dữ liệu cá nhân của công dân",
    "conversation_note": "Ghi chú nội bộ", "conversation_handback": "Trả cuộc trò chuyện cho trợ lý tự động",
    "hotline_intake": "Tiếp nhận qua đường dây nóng", "publication_review": "Duyệt nội dung công khai",
    "nlu_review_accept": "Đưa câu ví dụ vào dữ liệu huấn luyện",
    "nlu_review_reject": "Bỏ qua mục chờ duyệt NLU",
    "nlu_data_edit": "Sửa tệp dữ liệu huấn luyện", "nlu_train": "Huấn luyện mô hình NLU",
    "nlu_activate": "Kích hoạt mô hình NLU",
    "nlu_activate_override": "Kích hoạt mô hình NLU dù kém hơn (có lý do)",
    "nlu_rollback": "Quay lại mô hình NLU trước", "catalogue_add_procedure": "Thêm lĩnh vực vào danh mục",
    "catalogue_add_agency": "Thêm cơ quan vào danh mục",
    "password_change": "Tự đổi mật khẩu", "user_role": "Đổi vai trò, đơn vị của tài khoản",
    "totp_enable": "Bật xác thực hai bước", "totp_disable": "Tắt xác thực hai bước",
    "conversation_case": "Tạo phản ánh từ cuộc trò chuyện",
    "national_code": "Ghi mã PAKN trên Cổng DVC quốc gia",
    "national_status": "Cập nhật trạng thái trên Cổng DVC quốc gia",
    "national_import": "Nhập trạng thái Cổng DVC quốc gia từ tệp",
    "national_export": "Xuất tệp để nhập lên Cổng DVC quốc gia",
    "national_submit": "Gửi phản ánh lên Cổng DVC quốc gia",
    "email_change": "Tự đổi địa chỉ e-mail", "user_email": "Đổi địa chỉ e-mail của tài khoản",
    "telegram_link_code": "Tạo mã liên kết Telegram", "telegram_unlink": "Hủy liên kết Telegram",
    "api_key_create": "Tạo khóa API Open311", "api_key_revoke": "Thu hồi khóa API Open311",
}
AUDIT_CASE_ACTION = "Phản ánh: {action}"  # case_<action>, named by ACTION_LABELS
AUDIT_TARGETS = {
    "user": "Tài khoản", "case": "Phản ánh", "conversation": "Cuộc trò chuyện", "calendar_day": "Ngày",
    "canned_response": "Câu trả lời mẫu", "nlu_review_item": "Mục chờ duyệt NLU",
    "nlu_data_file": "Tệp dữ liệu", "training_job": "Lượt huấn luyện", "nlu_model": "Mô hình NLU",
    "procedure": "Lĩnh vực", "agency": "Cơ quan", "api_client": "Ứng dụng dùng Open311",
}
AUDIT_FIELDS = {
    "username": "Tên đăng nhập", "role": "Vai trò", "agency_id": "Cơ quan", "agency": "Cơ quan",
    "ward": "Phường/xã", "active": "Đang hoạt động", "password_changed": "Đổi mật khẩu",
    "working": "Ngày làm bù", "reason": "Lý do", "moved": "Số phản ánh được tính lại hạn",
    "from": "Từ ngày", "to": "Đến ngày", "title": "Tiêu đề", "previous_handler": "Cán bộ xử lý trước",
    "outbox_id": "Mã tin gửi", "released": "Số tin được gửi", "length": "Số ký tự", "linked_conversation": "Cuộc trò chuyện liên kết",
    "chat_link_requested": "Đề nghị gắn kênh nhắn tin (chờ người dân đồng ý)",
    "published": "Công khai", "label": "Nhãn", "file": "Tệp", "replaced": "Chuyển câu cũ sang nhãn mới",
    "backend": "Công cụ", "previous": "Mô hình trước", "note": "Ghi chú", "problems": "Chỉ số kém hơn",
    "name": "Tên", "level": "Cấp", "default_agency": "Cơ quan mặc định", "examples": "Số câu ví dụ",
    "procedure_id": "Lĩnh vực", "answer": "Văn bản trả lời", "text": "Nội dung",
    "unpublished_reason": "Lý do không công khai",
    "citizen_message": "Nhắn cho người dân",
    "national_code": "Mã PAKN quốc gia", "previous_national_code": "Mã PAKN quốc gia trước đó",
    "national_status": "Trạng thái trên Cổng",
    "codes": "Phản ánh", "format": "Định dạng", "rows": "Số dòng",
}
YES, NO = "Có", "Không"
LEVEL_NAMES = {"city": "Thành phố", "commune": "Cấp xã", "central": "Trung ương"}
CALENDAR_YEAR_MISSING = ("Lịch chưa có ngày nghỉ nào của năm {year}: hạn xử lý kéo sang năm {year} đang "
                         "tính như thể không có ngày nghỉ lễ, Tết. Hãy thêm các ngày nghỉ của năm {year} "
                         "ngay khi có thông báo lịch nghỉ chính thức.")

# Open311 API keys (console/api_keys.py)
API_KEY_NAME_MISSING = "Xin nhập tên ứng dụng (ví dụ: Cổng dịch vụ công thành phố)."
API_KEY_NAME_TAKEN = "Đã có ứng dụng tên “{name}”. Xin chọn tên khác."
API_KEY_NOT_ACTIVE = "Không có ứng dụng đang hoạt động này (có thể khóa đã bị thu hồi)."
API_KEY_REVOKED = "Đã thu hồi khóa API của “{name}”: mọi yêu cầu dùng khóa này bị từ chối từ bây giờ."
