"""Vietnamese texts of the NLU review, training and data pages (not in templates)."""
from __future__ import annotations

SOURCE_NAMES = {
    "low_confidence": "Mô hình không chắc chắn",
    "close_top_two": "Hai ý định gần nhau",
    "fallback": "Ngoài phạm vi / không hiểu",
    "reclassification": "Cán bộ phân loại lại",
    "transfer": "Cán bộ chuyển cơ quan",
}
INTENT_NAMES = {  # shown with the id: "Phản ánh, kiến nghị (phan_anh)"
    "phan_anh": "Phản ánh, kiến nghị",
    "tra_cuu": "Tra cứu tình trạng",
    "gap_can_bo": "Muốn gặp cán bộ",
    "chao_hoi": "Chào hỏi",
    "cam_on": "Cảm ơn, tạm biệt",
    "huy_bo": "Hủy bỏ",
    "hoi_thu_tuc": "Hỏi về thủ tục (giấy tờ, nơi nộp, thời hạn, lệ phí)",
    "ngoai_pham_vi": "Ngoài phạm vi: trò chuyện, quảng cáo…",
    "nlu_fallback": "Không xác định",
}
PAKN_LABEL = "Phản ánh, kiến nghị: {procedure}"  # phan_anh__<procedure>
NO_LABEL = "Không có"
BACKEND_NAMES = {"builtin": "Mô hình tích hợp", "rasa": "Rasa"}
STATUS_NAMES = {"pending": "Chờ duyệt", "accepted": "Đã đưa vào dữ liệu", "rejected": "Đã bỏ qua"}
JOB_STATUS = {"queued": "Đang chờ", "running": "Đang chạy", "succeeded": "Hoàn thành",
              "failed": "Không thành công"}
JOB_STAGES = {
    "queued": "Đang chờ",
    "validate": "Kiểm tra dữ liệu huấn luyện",
    "train": "Huấn luyện mô hình",
    "cross_validation": "Kiểm định chéo",
    "evaluate": "Đánh giá trên tập kiểm tra cố định",
    "compare": "So sánh với mô hình đang dùng",
    "done": "Xong",
}
LABEL_SETS = {"intent": "Ý định", "procedure": "Lĩnh vực", "agency": "Cơ quan"}
VIEWS = {"accented": "Có dấu", "folded": "Không dấu"}
EFFECTS = {"fixed": "Đã sửa đúng", "broken": "Bị sai mới", "changed": "Thay đổi (vẫn sai)"}

COLLECTED = "Đã thêm {n} mục mới vào hàng chờ."
ACCEPTED = "Đã đưa câu ví dụ vào dữ liệu huấn luyện ({file}, nhãn {label})."
REJECTED = "Đã bỏ qua mục này."
NOT_PENDING = "Mục này đã được xử lý."
UNKNOWN_PROCEDURE = "Vui lòng chọn lĩnh vực có trong danh mục."
UNKNOWN_AGENCY = "Cơ quan không có trong danh mục."
UNKNOWN_INTENT = "Ý định không hợp lệ."
EMPTY = "Câu ví dụ đang trống."
CLASHES = "Câu ví dụ trùng hoặc mâu thuẫn với dữ liệu hiện có; chưa ghi vào dữ liệu."
PROBLEMS = "Bộ kiểm tra dữ liệu báo lỗi; chưa ghi vào dữ liệu."
QUEUE_DONE = "Đã duyệt hết các mục đang chờ."
# Keyboard shortcuts of the review form (console.js), listed on the page.
REVIEW_KEYS = (("Ctrl+Enter", "Đưa vào dữ liệu huấn luyện và sang mục tiếp theo"),
               ("Ctrl+Shift+Enter", "Bỏ qua mục này và sang mục tiếp theo"),
               ("Alt+1 … Alt+8", "Chọn ý định theo thứ tự trong danh sách"),
               ("Alt+N", "Sang mục tiếp theo, không lưu"))
MASKING_MISSING = "Chưa có bộ che thông tin cá nhân (routing/masking.py); không thể ghi dữ liệu."

JOB_STARTED = "Đã bắt đầu huấn luyện (lượt {id})."
JOB_RUNNING = "Đang có lượt huấn luyện {id} chạy; vui lòng chờ lượt đó xong."
ACTIVATED = "Đã kích hoạt mô hình {version}. Mọi tiến trình sẽ dùng mô hình này trong vài giây, không cần khởi động lại."
ACTIVATION_REFUSED = ("Không kích hoạt: mô hình mới kém hơn mô hình đang dùng quá ngưỡng cho phép "
                      "({margin}). Nếu vẫn muốn kích hoạt, hãy nhập lý do.")
NOT_EVALUATED = "Mô hình này chưa được so sánh với mô hình đang dùng."
GROUPS_WORSE_UNCONFIRMED = ("Chưa kích hoạt: mô hình mới kém hơn ở {n} lĩnh vực. Hãy xem danh sách và "
                            "đánh dấu «Tôi đã xem các lĩnh vực kém hơn» nếu vẫn muốn kích hoạt.")
RASA_MISSING = ("Chưa cài đặt Rasa trên máy chủ này (không có {path}); chỉ huấn luyện được bằng "
                "mô hình tích hợp. Quản trị viên có thể cài Rasa bằng lệnh «make rasa».")
ROLLED_BACK = "Đã quay lại mô hình {version}."
UNKNOWN_VERSION = "Không có phiên bản mô hình {version}."

FILE_SAVED = "Đã lưu tệp {file}."
FILE_PROBLEMS = "Chưa lưu: thay đổi này gây lỗi dữ liệu (xem bên dưới)."
BAD_FILE = "Tệp dữ liệu không hợp lệ."
PROCEDURE_ADDED = ("Đã thêm lĩnh vực {id}; danh mục mới có hiệu lực ngay, không cần khởi động lại. "
                   "Cần ít nhất {min} câu ví dụ trước khi huấn luyện được mô hình nhận biết lĩnh vực này.")
AGENCY_ADDED = ("Đã thêm cơ quan {id}; cơ quan có thể được chọn để chuyển phản ánh ngay, không cần "
                "khởi động lại.")
CATALOGUE_ERROR = "Chưa lưu: {error}"
