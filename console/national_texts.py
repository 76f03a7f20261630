"""What the console says about the national PAKN system (Cổng dịch vụ công quốc gia)."""
from __future__ import annotations

MENU = "Chưa nhập Cổng DVC"
LIST_TITLE = "Chưa nhập lên Cổng DVC quốc gia"
LIST_INTRO = ("Phản ánh, kiến nghị tiếp nhận qua các kênh khác phải được nhập đầy đủ lên Hệ thống "
              "PAKN của Cổng dịch vụ công quốc gia. Danh sách dưới đây là các phản ánh chưa có mã "
              "PAKN quốc gia, cũ nhất trước. Nhập xong trên Cổng, mở phản ánh và ghi mã vào mục "
              "«Đã nhập lên Cổng DVC quốc gia».")
COUNTER_LABEL = "{count} phản ánh chưa nhập lên Cổng DVC quốc gia"
NONE_LEFT = "Không còn phản ánh nào chưa nhập lên Cổng DVC quốc gia."
EXPORT_TITLE = "Xuất tệp để nhập lên Cổng"
EXPORT_HELP = ("Chọn phản ánh rồi tải tệp theo các trường của biểu mẫu trên Cổng (đối tượng gửi, địa "
               "phương, cơ quan tiếp nhận, họ tên, địa chỉ, điện thoại, thư điện tử, tiêu đề, nội "
               "dung, tệp đính kèm). Tệp chứa thông tin cá nhân: chỉ lưu trên máy cơ quan.")
EXPORT_DISABLED = ("Chưa bật xuất tệp cho Cổng DVC quốc gia (cấu hình national.gateway: export). "
                   "Vẫn có thể nhập tay trên Cổng và ghi lại mã PAKN tại trang phản ánh.")
EXPORT_CSV = "Tải CSV (Excel)"
EXPORT_CSV_COMMA = "Tải CSV (dấu phẩy)"
EXPORT_JSON = "Tải JSON"
EXPORT_NOTHING = "Vui lòng chọn ít nhất một phản ánh để xuất tệp."
SELECT_ALL = "Chọn tất cả"
UNMAPPED_TITLE = "Trạng thái trên Cổng chưa có trong bảng ánh xạ"
UNMAPPED_HELP = ("Trạng thái dưới đây đã được lưu nguyên văn nhưng chưa có trong bảng ánh xạ "
                 "(national.statuses trong config.yaml): cán bộ cần xem và bổ sung bảng.")

CASE_TITLE = "Cổng DVC quốc gia"
CODE_LABEL = "Mã PAKN trên Cổng DVC quốc gia"
NOT_ENTERED = "Chưa nhập lên Cổng DVC quốc gia"
RECORD_TITLE = "Đã nhập lên Cổng DVC quốc gia"
RECORD_HELP = "Mã PAKN do Cổng cấp khi nhập phản ánh (chép nguyên văn)."
LINK_LABEL = "Đường dẫn tới phản ánh trên Cổng (không bắt buộc)"
RECORD_BUTTON = "Ghi mã PAKN quốc gia"
CHANGE_BUTTON = "Sửa mã PAKN quốc gia"
STATUS_TITLE = "Cập nhật trạng thái từ Cổng"
STATUS_LABEL = "Trạng thái trên Cổng (dán nguyên văn)"
ANSWER_LABEL = "Kết quả trả lời trên Cổng (không bắt buộc)"
STATUS_BUTTON = "Lưu trạng thái"
STATUS_NAME = "Trạng thái trên Cổng"
MAPPED_AS = "tương ứng: {status}"
UNMAPPED = "Chưa có trong bảng ánh xạ: cần cán bộ xem"
DIFFERS = "Khác trạng thái tại hệ thống này ({ours})"
SYNCED_AT = "Cập nhật lúc {at}"
EXPECTED_LABEL = "Trạng thái tương ứng trên Cổng"  # our status read through the table the other way
SUBMIT_BUTTON = "Gửi lên Cổng DVC quốc gia"
SYNC_BUTTON = "Lấy trạng thái từ Cổng"

RECORDED = "Đã ghi mã PAKN quốc gia {national} cho phản ánh {code}."
STATUS_SAVED = "Đã lưu trạng thái trên Cổng của phản ánh {code}."
STATUS_SAVED_UNMAPPED = ("Đã lưu trạng thái «{status}» của phản ánh {code}; trạng thái này chưa có "
                         "trong bảng ánh xạ nên được đánh dấu để cán bộ xem.")
SUBMITTED = "Đã gửi phản ánh {code} lên Cổng DVC quốc gia: mã {national}."
CODE_INVALID = ("«{value}» không phải mã PAKN của Cổng DVC quốc gia (chỉ gồm chữ, số và . _ / -, "
                "4 đến 64 ký tự). Vui lòng chép lại mã từ Cổng.")
CODE_TAKEN = "Mã PAKN quốc gia {national} đã được ghi cho phản ánh {other}; mỗi mã chỉ thuộc một phản ánh."
LINK_INVALID = "Đường dẫn phải là địa chỉ https trên Cổng DVC quốc gia ({hosts})."
STATUS_MISSING = "Vui lòng dán trạng thái hoặc kết quả trả lời trên Cổng."
STATUS_TOO_LONG = ("Trạng thái dài quá {limit} ký tự: có lẽ đã dán cả kết quả trả lời vào ô trạng thái; "
                   "vui lòng dán kết quả vào ô «Kết quả trả lời».")
NOT_AVAILABLE = "Chưa có kết nối tự động với Cổng DVC quốc gia: vui lòng nhập tay trên Cổng rồi ghi mã."

IMPORT_TITLE = "Nhập trạng thái từ tệp CSV"
IMPORT_HELP = ("Mỗi dòng: mã PAKN quốc gia; trạng thái; kết quả trả lời (không bắt buộc). Dấu phân "
               "cách ; hoặc , (tệp Excel «CSV UTF-8»). Dòng tiêu đề (cột thứ hai ghi «Trạng thái»), nếu có, được bỏ qua.")
IMPORT_BUTTON = "Nhập tệp"
IMPORT_DONE = "Đã cập nhật trạng thái của {count} phản ánh từ tệp."
IMPORT_UNMAPPED = "{count} trạng thái chưa có trong bảng ánh xạ, đã được đánh dấu để cán bộ xem."
IMPORT_REFUSED = "Chưa nhập gì từ tệp: {problems}"
IMPORT_NO_FILE = "Vui lòng chọn tệp CSV."
IMPORT_TOO_BIG = "Tệp lớn quá {limit} KB."
IMPORT_NOT_UTF8 = "Tệp không phải văn bản UTF-8: trong Excel hãy lưu dạng «CSV UTF-8 (phân cách bằng dấu phẩy)»."
IMPORT_EMPTY = "Tệp không có dòng dữ liệu nào."
IMPORT_TOO_MANY = "Tệp có quá {limit} dòng; vui lòng chia nhỏ."
IMPORT_NOT_CSV = "Tệp không đọc được dạng CSV."
ROW_COLUMNS = "dòng {line}: cần ít nhất 2 cột (mã PAKN quốc gia, trạng thái)"
ROW_CODE = "dòng {line}: «{value}» không phải mã PAKN quốc gia"
ROW_UNKNOWN = "dòng {line}: không có phản ánh nào mang mã {value} (hoặc bạn không được xem)"
ROW_EMPTY = "dòng {line}: thiếu trạng thái và kết quả trả lời"
ROW_STATUS_LONG = "dòng {line}: trạng thái dài quá {limit} ký tự (kết quả trả lời để ở cột thứ ba)"
ROW_REPEATED = "dòng {line}: mã {value} đã có ở dòng {first}"
MORE_PROBLEMS = "… và {count} lỗi khác"

TIMELINE_CODE = "Mã PAKN quốc gia: {national}"
TIMELINE_PREVIOUS = "Mã trước đó: {previous}"
TIMELINE_STATUS = "Trạng thái trên Cổng: {status}"
TIMELINE_ANSWER = "Kết quả trả lời trên Cổng: {answer}"
SOURCES = {"manual": "cán bộ dán", "import": "nhập từ tệp", "fake": "kết nối thử nghiệm",
           "lgsp": "kết nối LGSP"}
TIMELINE_SOURCE = "Nguồn: {source}"
EVENT_NAMES = {"national_code": "Đã nhập lên Cổng DVC quốc gia",
               "national_status": "Cập nhật trạng thái trên Cổng DVC quốc gia"}
