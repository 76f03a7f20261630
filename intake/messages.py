"""Every text a citizen reads, in one editable place (Vietnamese with full diacritics)."""
from __future__ import annotations

from routing.labels import CASE_STATUS_NAMES

HELP_BODY = ("Đây là kênh tiếp nhận phản ánh, kiến nghị (PAKN) về thủ tục hành chính của "
             "Thành phố Hà Nội. Ông/Bà có thể:\n"
             "• Gửi phản ánh: mô tả vướng mắc, ví dụ \"Tôi nộp hồ sơ khai sinh cho con ở phường "
             "Cầu Giấy 3 tuần rồi chưa có kết quả\".\n"
             "• Tra cứu: gửi mã PAKN, ví dụ \"tra cứu PAKN-2026-000123\".\n"
             "• Gặp cán bộ: gửi \"gặp cán bộ\".")
HELP = "Xin chào! " + HELP_BODY
UNCLEAR = "Xin lỗi, tôi chưa hiểu ý Ông/Bà. " + HELP_BODY
THANKS = "Cảm ơn Ông/Bà đã liên hệ. Chúc Ông/Bà một ngày tốt lành!"
NOTHING_TO_CANCEL = "Hiện không có phản ánh nào đang soạn để hủy. " + HELP_BODY
CANCELLED = ("Đã hủy phản ánh đang soạn. Nếu hủy nhầm, xin bấm \"Khôi phục\" hoặc gửi \"tiếp tục\". "
             "Ông/Bà có thể gửi phản ánh mới bất cứ lúc nào.")
ESCALATED = ("Đã chuyển cuộc trò chuyện tới cán bộ tiếp nhận. Cán bộ sẽ trả lời Ông/Bà tại đây "
             "trong giờ hành chính (sáng 8:00–12:00, chiều 13:00–17:00 các ngày làm việc).")
DESCRIBE = ("Mời Ông/Bà mô tả phản ánh, kiến nghị: thủ tục gì, nộp ở đâu, khi nào và vướng mắc "
            "gì.")
DESCRIBE_MORE = ("Ông/Bà phản ánh về lĩnh vực: {procedure}. Xin mô tả cụ thể hơn: thủ tục gì, nộp "
                 "ở đâu, khi nào và vướng mắc gì.")
DESCRIBE_AGAIN = ("Xin mô tả cụ thể hơn vướng mắc của Ông/Bà, ví dụ \"Tôi nộp hồ sơ cấp sổ đỏ ở "
                  "phường Long Biên từ tháng 3 đến nay chưa có kết quả\".")
EDIT_TEXT = ("Xin nhập nội dung cần bổ sung hoặc sửa lại; nội dung này được ghi thêm vào phản ánh "
             "(nội dung đã gửi vẫn được giữ).")
UPDATED = "Đã cập nhật."
# The web chat has no profile name: asked once when staff take the conversation over.
ASK_NAME_FOR_STAFF = ("Cán bộ tiếp nhận đã vào cuộc trò chuyện. Để tiện xưng hô, Ông/Bà vui lòng cho "
                      "biết họ và tên.")
NAME_FOR_STAFF_THANKS = "Cảm ơn {name}. Cán bộ sẽ trả lời Ông/Bà ngay tại đây."
WAITING_FOR_STAFF = ("Tin nhắn của Ông/Bà đã được ghi lại để cán bộ tiếp nhận đọc và trả lời. Nếu "
                     "không cần gặp cán bộ nữa, xin gửi \"hủy\".")
ESCALATION_CANCELLED = "Đã hủy yêu cầu gặp cán bộ. " + HELP_BODY
ESCALATION_CANCELLED_RESUME = "Đã hủy yêu cầu gặp cán bộ. Mời Ông/Bà tiếp tục phản ánh đang soạn."
WHY_CONTACT = ("Theo Điều 7 Nghị định 20/2008/NĐ-CP, phản ánh phải ghi rõ họ tên, địa chỉ và số điện "
               "thoại để cơ quan liên hệ khi cần và thông báo kết quả. Các thông tin này chỉ cán bộ xử "
               "lý được xem và được che khi công khai kết quả. Nếu không muốn cung cấp, xin gửi "
               "\"gặp cán bộ\" để được hướng dẫn.")
DETAIL_ADDED = "Đã ghi thêm vào nội dung phản ánh."
HOW_LONG = ("Theo quy định, cơ quan có thẩm quyền trả lời phản ánh này trong {days} ngày làm việc kể từ "
            "khi tiếp nhận; ngày hạn cụ thể được báo ngay khi phản ánh được gửi.")
ASK_CODE = "Xin cho biết mã PAKN cần tra cứu (dạng PAKN-2026-000123)."
ASK_CODE_OR_FILE = ("Để tra cứu phản ánh đã gửi, xin cho biết mã PAKN (dạng PAKN-2026-000123). "
                    "Nếu Ông/Bà chưa gửi phản ánh về việc này, chọn \"Gửi phản ánh\" để gửi ngay.")
DOSSIER_CODE = ("Mã {code} là mã hồ sơ thủ tục hành chính, không phải mã phản ánh (PAKN). Tình trạng "
                "hồ sơ được tra cứu trên Cổng Dịch vụ công của Thành phố Hà Nội. Nếu hồ sơ bị chậm "
                "hoặc gặp vướng mắc, Ông/Bà có thể gửi phản ánh tại đây.")
LOOKUP_NEED_DIGITS = ("Để bảo vệ thông tin của người gửi, xin cho biết 4 số cuối của số điện thoại "
                      "đã ghi trong phản ánh {code}.")
LOOKUP_DIGITS_WRONG = ("Mã PAKN và 4 số cuối điện thoại không khớp. Xin kiểm tra lại, hoặc gửi "
                       "\"gặp cán bộ\" để được hỗ trợ.")
LOOKUP_BLOCKED = ("Phản ánh {code} đã được tra cứu sai quá nhiều lần. Xin thử lại sau {minutes} "
                  "phút, hoặc gửi \"gặp cán bộ\" để được hỗ trợ.")
LOOKUP_BLOCKED_SENDER = ("Ông/Bà đã tra cứu sai quá nhiều lần. Xin thử lại sau {minutes} phút, hoặc "
                         "gửi \"gặp cán bộ\" để được hỗ trợ.")
REDIRECT_COMPLAINT = (
    "Nội dung Ông/Bà gửi là khiếu nại hoặc tố cáo. Theo Nghị định 20/2008/NĐ-CP (Điều 1), "
    "khiếu nại, tố cáo không được xử lý như phản ánh, kiến nghị mà theo Luật Khiếu nại và "
    "Luật Tố cáo. Ông/Bà vui lòng gửi đơn tới Ban Tiếp công dân Thành phố Hà Nội hoặc "
    "Thanh tra Thành phố (trực tiếp hoặc qua đường bưu điện), hoặc cơ quan đã ban hành quyết "
    "định bị khiếu nại.")
UNDERSTOOD = "Tôi hiểu Ông/Bà phản ánh về lĩnh vực: {procedure}.\nCơ quan xử lý dự kiến: {agency}."
UNDERSTOOD_WARD = "\nĐịa bàn: {ward}."
LAW_NOTE = ("Theo Điều 7 Nghị định 20/2008/NĐ-CP, phản ánh cần ghi rõ họ tên, địa chỉ và số điện "
            "thoại của người gửi.")
ASK_NAME = "Xin cho biết họ và tên của Ông/Bà."
ASK_NAME_AGAIN = "Xin cho biết đầy đủ họ và tên (ví dụ: Nguyễn Văn An)."
ASK_PHONE = "Xin cho biết số điện thoại liên hệ của Ông/Bà."
ASK_PHONE_AGAIN = ("Số điện thoại chưa đúng. Xin nhập số di động 10 chữ số (ví dụ 0912 345 678) "
                   "hoặc số cố định (ví dụ 024 3825 3536). Nếu không có số điện thoại, xin gửi "
                   "\"gặp cán bộ\" để được hướng dẫn.")
ASK_ADDRESS = "Xin cho biết địa chỉ liên hệ của Ông/Bà (số nhà, đường, phường/xã)."
ASK_ADDRESS_AGAIN = ("Địa chỉ chưa rõ. Xin ghi rõ số nhà, đường (hoặc thôn, xóm) và phường/xã, ví dụ "
                     "\"Số 12 ngõ 34 Trần Thái Tông, phường Cầu Giấy\".")
# No contact question is asked a third time (intake.contact_checks).
CONTACT_FIELDS = {"name": "họ tên", "phone": "số điện thoại", "address": "địa chỉ"}
KEPT_FOR_STAFF = ("Tôi chưa nhận ra {field} trong câu trả lời, nên đã ghi lại đúng như Ông/Bà gửi: "
                  "\"{raw}\". Cán bộ tiếp nhận sẽ kiểm tra lại khi liên hệ với Ông/Bà.")
OFFER_STAFF = ("Tôi vẫn chưa ghi nhận được {field} của Ông/Bà. Ông/Bà có thể gửi lại {field}, hoặc "
               "chọn \"Gặp cán bộ\" để cán bộ tiếp nhận hỗ trợ.")
UNVERIFIED_MARK = " (chưa xác định, cán bộ sẽ kiểm tra lại)"
CHOOSE_PROCEDURE = ("Tôi chưa chắc phản ánh thuộc lĩnh vực nào. Ông/Bà chọn lĩnh vực phù hợp, "
                    "hoặc chọn \"Lĩnh vực khác\" để cán bộ phân loại:")
OTHER_PROCEDURE = "Lĩnh vực khác"
UNCLASSIFIED = "chưa xác định (cán bộ đầu mối sẽ phân loại)"
# A commune-level agency before the ward is known (the catalogue's name counts the 126 units).
COMMUNE_UNIT_WITHOUT_WARD = {"ubnd_xa": "UBND phường, xã nơi giải quyết vụ việc"}
SUMMARY = ("Xin Ông/Bà kiểm tra lại thông tin phản ánh:\n"
           "• Nội dung: {text}\n"
           "• Lĩnh vực: {procedure}\n"
           "• Cơ quan xử lý dự kiến: {agency}\n"
           "• Họ tên: {name}\n"
           "• Điện thoại: {phone}\n"
           "• Địa chỉ: {address}\n"
           "{others}"
           "{attachments}"
           "• Công khai kết quả (che thông tin cá nhân): {consent}\n"
           "{consent_hint}"
           "Gửi phản ánh này?")
# The publication choice is part of the summary (one question fewer); nothing is published unless
# the citizen sends it as shown with "Có", and "Gửi, không công khai" is always offered beside it.
SUMMARY_CONSENT_YES, SUMMARY_CONSENT_NO = "Có", "Không"
CONSENT_HINT = ("(Nội dung và kết quả xử lý được công khai trên Cổng thông tin của Thành phố sau khi che "
                "họ tên, số điện thoại, địa chỉ. Nếu không đồng ý, xin chọn \"Gửi, không công khai\".)\n")
ASK_CONSENT = ("Ông/Bà có đồng ý để nội dung phản ánh và kết quả xử lý được công khai trên Cổng "
               "thông tin của Thành phố không? Họ tên, số điện thoại, địa chỉ và các thông tin cá "
               "nhân khác sẽ được che trước khi công khai.")
CONSENT_YES = "Đồng ý công khai"
CONSENT_NO = "Không công khai"
CONFIRM_HINT = ("Xin chọn \"Xác nhận gửi\" để gửi, \"Gửi, không công khai\" để gửi mà không công khai "
                "kết quả, \"Sửa thông tin\" để sửa, hoặc \"Hủy\" để hủy phản ánh.")
EDIT_WHICH = "Ông/Bà muốn sửa thông tin nào?"
SUMMARY_TEXT_LIMIT = 400  # characters of the description shown in the summary
FILED = ("Đã tiếp nhận phản ánh của Ông/Bà.\n"
         "Mã tra cứu: {code}\n"
         "Cơ quan xử lý: {agency}\n"
         "Hạn trả lời: {due} ({days} ngày làm việc).\n"
         "Ông/Bà sẽ nhận thông báo tại đây mỗi khi phản ánh được cập nhật. Để tra cứu, gửi "
         "\"tra cứu {code}\".")
FILE_FAILED = ("Xin lỗi, hệ thống chưa lưu được phản ánh. Thông tin Ông/Bà đã nhập vẫn được giữ; "
               "xin gửi \"Xác nhận gửi\" lại sau ít phút.")
STATUS = ("Phản ánh {code}\n"
          "• Tình trạng: {status}\n"
          "• Lĩnh vực: {procedure}\n"
          "• Cơ quan xử lý: {agency}\n"
          "• Ngày tiếp nhận: {received}\n"
          "• Hạn trả lời: {due}")
STATUS_ANSWER = "\n• Trả lời của cơ quan: {answer}"
ATTACHMENT_NOTED = "Đã nhận tệp/hình ảnh Ông/Bà gửi; tệp sẽ được chuyển kèm phản ánh."
ATTACHMENT_FIRST = ("Đã nhận tệp/hình ảnh Ông/Bà gửi. Mời Ông/Bà mô tả phản ánh, kiến nghị: thủ tục "
                    "gì, nộp ở đâu, khi nào và vướng mắc gì.")
SUMMARY_ATTACHMENTS = "• Tệp, hình ảnh kèm theo: {count}\n"

BUTTON_CONFIRM = "Xác nhận gửi"
BUTTON_CONFIRM_PRIVATE = "Gửi, không công khai"  # 20 characters: Messenger's quick-reply limit
BUTTON_EDIT = "Sửa thông tin"
EDIT_FIELDS = (("Nội dung", "text"), ("Họ tên", "name"), ("Điện thoại", "phone"),
               ("Địa chỉ", "address"), ("Công khai kết quả", "consent"))
BUTTON_CANCEL_DRAFT = "Hủy phản ánh"
BUTTON_CANCEL = "Hủy"
BUTTON_FILE = "Gửi phản ánh"
BUTTON_LOOKUP = "Tra cứu"
BUTTON_HUMAN = "Gặp cán bộ"
BUTTON_INFO_DONE = "Đã gửi đủ"
# Staff asked for more information (console "Đề nghị công dân bổ sung thông tin"): what the citizen
# sends next goes to the case until they say they are done.
INFO_HOW_TO_FINISH = ("Ông/Bà trả lời ngay tại đây (có thể gửi kèm ảnh, tệp); khi gửi đủ, xin bấm "
                      "\"Đã gửi đủ\" hoặc gửi \"xong\".")
INFO_RECEIVED = ("Đã chuyển thông tin bổ sung tới cán bộ xử lý phản ánh {code}. Nếu còn, Ông/Bà gửi "
                 "tiếp; khi gửi đủ, xin bấm \"Đã gửi đủ\" hoặc gửi \"xong\".")
INFO_DONE = ("Cảm ơn Ông/Bà. Thông tin bổ sung cho phản ánh {code} đã được chuyển tới cán bộ xử lý; "
             "Ông/Bà sẽ nhận thông báo tại đây khi phản ánh được cập nhật.")
INFO_NOTHING = "Xin gửi thông tin bổ sung cho phản ánh {code}, hoặc bấm \"Đã gửi đủ\" nếu đã gửi đủ."

STATUS_NAMES = CASE_STATUS_NAMES  # what citizens and staff call each status

# Pushed to the citizen on every status change that concerns them, keyed by the new status.
STATUS_PUSH = {
    "forwarded": "Phản ánh {code} đã được chuyển tới {unit} để xử lý.",
    "in_progress": "Phản ánh {code} đang được {unit} xem xét, xử lý.",
    "answered": ("Phản ánh {code} đã có văn bản trả lời của {unit}:\n{answer}\n"
                 "Nếu chưa đồng ý với kết quả, Ông/Bà có thể trả lời tin nhắn này hoặc gửi "
                 "\"gặp cán bộ\"."),
    "published": "Kết quả xử lý phản ánh {code} đã được công khai trên Cổng thông tin của Thành phố.",
    "closed": "Phản ánh {code} đã kết thúc xử lý. Cảm ơn Ông/Bà đã gửi phản ánh, kiến nghị.",
    "reopened": "Phản ánh {code} được xem xét lại. Hạn trả lời mới: {due}.",
    "rejected": "Phản ánh {code} không đủ điều kiện tiếp nhận.",
    "redirected": "Phản ánh {code} là khiếu nại, tố cáo, không thuộc phạm vi phản ánh, kiến nghị.\n"
                  + REDIRECT_COMPLAINT,
}
STATUS_PUSH_REASON = "\nLý do: {note}"
# What staff chose to tell the citizen with a step (previewed and confirmed in the console first).
STATUS_PUSH_MESSAGE = "\nLời nhắn của cán bộ: {message}"
DISPUTE_NOTED = ("Ý kiến của Ông/Bà về phản ánh {code} đã được ghi nhận và chuyển tới cán bộ tiếp "
                 "nhận để xem xét.")
STATUS_PUSH_DEFAULT = "Phản ánh {code} đã được cập nhật: {status}."

SURVEY_INTRO = ("Để giúp cơ quan nhà nước phục vụ tốt hơn, Ông/Bà vui lòng đánh giá việc tiếp nhận, "
                "xử lý phản ánh {code} (4 câu, chọn từ 1 đến 5; gửi \"bỏ qua\" để dừng).")
SURVEY_QUESTION = "Câu {number}/{total}: {text}"
SURVEY_THANKS = "Cảm ơn Ông/Bà đã đánh giá. Ý kiến của Ông/Bà đã được ghi nhận."
SURVEY_SKIPPED = "Đã dừng khảo sát. Cảm ơn Ông/Bà."
SURVEY_RATING_HINT = "Xin chọn một mức từ 1 (Rất không hài lòng) đến 5 (Rất hài lòng)."
# In score order, so that on Zalo's numbered text "1." means score 1; titles fit Messenger's
# 20-character quick-reply limit.
SURVEY_BUTTONS = (("Rất không hài lòng", 1), ("Không hài lòng", 2), ("Bình thường", 3),
                  ("Hài lòng", 4), ("Rất hài lòng", 5))
BUTTON_SKIP = "Bỏ qua"
MISSING_CONTACT = ("Chưa đủ thông tin liên hệ ({missing}). Theo Điều 7 Nghị định 20/2008/NĐ-CP, "
                   "phản ánh cần có họ tên, địa chỉ và số điện thoại.")
CONTACT_TOO_LONG_AGAIN = "{field} Ông/Bà gửi dài quá {limit} ký tự, hệ thống chưa ghi nhận được. {again}"
CONTACT_TOO_LONG = ("{field} dài quá {limit} ký tự nên chưa ghi nhận được phản ánh. Xin Ông/Bà gửi lại "
                    "phản ánh, ghi {field_lower} ngắn gọn hơn.")

# A hotline case staff want to link to this chat (routing.chat_links): asked, never assumed.
LINK_QUESTION = ("Cán bộ {unit} đề nghị gắn phản ánh {code} (tiếp nhận qua đường dây nóng) vào "
                 "cuộc trò chuyện này, để Ông/Bà nhận thông báo tiến độ xử lý tại đây. Ông/Bà có "
                 "đồng ý không?\nNếu Ông/Bà không gọi điện phản ánh việc này, xin chọn \"Không\".")
BUTTON_LINK_YES = "Đồng ý"
BUTTON_LINK_NO = "Không"
LINK_HINT = "Xin chọn \"Đồng ý\" hoặc \"Không\" (hoặc gửi 1 hay 2) cho đề nghị gắn phản ánh {code}."
LINK_ACCEPTED = "Đã gắn phản ánh {code} vào cuộc trò chuyện này."
LINK_REFUSED = ("Đã ghi nhận: phản ánh {code} không được gắn vào cuộc trò chuyện này, Ông/Bà sẽ "
                "không nhận tin nhắn nào về phản ánh đó tại đây.")
LINK_EXPIRED = ("Đề nghị gắn phản ánh {code} đã hết hạn hoặc đã được trả lời, nên không có gì thay "
                "đổi. Nếu cần, xin gọi lại đường dây nóng.")
# A message that could not be delivered before (failed for good, then released when the citizen
# wrote again or staff retried it) goes out late with this header.

# A citizen's request for a copy or the deletion of their personal data (Law 91/2025/QH15): kept as
# a tracked request (intake.data_requests) for staff to carry out, and the citizen told when done.
DATA_COPY_RECEIVED = ("Đã ghi nhận yêu cầu cung cấp dữ liệu cá nhân của Ông/Bà (yêu cầu số {number}). "
                      "Cán bộ sẽ kiểm tra và gửi bản sao cho Ông/Bà qua kênh này.")
DATA_DELETION_RECEIVED = ("Đã ghi nhận yêu cầu xoá dữ liệu cá nhân của Ông/Bà (yêu cầu số {number}). "
                          "Cán bộ sẽ xoá và báo lại Ông/Bà qua kênh này.")
DATA_DELETION_OPEN_CASES = ("Lưu ý: phản ánh đang được xử lý ({codes}) cần giữ họ tên, địa chỉ và số "
                            "điện thoại để cơ quan trả lời Ông/Bà, nên chưa xoá được ngay; dữ liệu của "
                            "phản ánh này sẽ được xoá khi việc xử lý kết thúc.")
DATA_REQUEST_PENDING = ("Yêu cầu số {number} của Ông/Bà đang được cán bộ xử lý; Ông/Bà sẽ được báo lại "
                        "qua kênh này.")
DATA_COPY_DONE = "Yêu cầu số {number}: cơ quan đã cung cấp dữ liệu cá nhân cho Ông/Bà.{note}"
DATA_DELETION_DONE = ("Yêu cầu số {number}: dữ liệu cá nhân của Ông/Bà đã được xoá (họ tên, số điện "
                      "thoại, địa chỉ, nội dung tin nhắn và tệp đính kèm).{kept}{note}")
DATA_DELETION_KEPT = (" Phản ánh đang được xử lý ({codes}) được giữ đến khi có kết quả, sau đó sẽ được "
                      "xoá.")
DATA_STAFF_NOTE = "\nGhi chú của cán bộ: {note}"
