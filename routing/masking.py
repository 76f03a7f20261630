"""Mask Vietnamese personal data in free text before it is published or kept as NLU training data.

`mask(text, known)` replaces phone numbers, CCCD/CMND numbers, emails, licence plates, house
numbers, dossier codes and people's names with placeholders such as "[số điện thoại]"; what only
its context gives away (alley numbers where someone lives, birth dates, passports, e-mails and
phone numbers spelled out) is routing/masking_contexts.py. Masking
is automatic and errs on the side of hiding (domain notes §6.4: a person reviews it before
publication). Stdlib only: it runs in routing services and over training data alike.

Order matters: the strings the case already knows (the citizen's name and address) go first,
then everything with digits, then names by cue ("tôi là", "ông", "chị", "cán bộ", ...) and by
common family name.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from routing.masking_contexts import (ALLEY, BIRTH_DATE, EMAIL, GROUP, HOUSE, NAME, NUMBER, PASSPORT, PHONE,
                                      mask_birth_dates_and_passports, mask_residence, mask_spelled)

ID_NUMBER = "[số CCCD]"
PLATE = "[biển số xe]"
ADDRESS = "[địa chỉ]"
DOSSIER = "[mã hồ sơ]"
PARCEL = "[số thửa đất]"
PLACEHOLDERS = (NAME, PHONE, ID_NUMBER, EMAIL, HOUSE, PLATE, ADDRESS, DOSSIER, PARCEL, NUMBER, ALLEY, GROUP,
                BIRTH_DATE, PASSPORT)

# -- folding: lowercase without diacritics, one character in, one out (offsets stay valid) --------


def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    lower = char.lower()
    if len(lower) != 1:
        return char
    base = "".join(c for c in unicodedata.normalize("NFD", lower) if not unicodedata.combining(c))
    return base if len(base) == 1 else lower


class _FoldTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        self[code] = _fold_char(chr(code))
        return self[code]


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """'Nguyễn Văn An' -> 'nguyen van an', same length as the NFC text."""
    return unicodedata.normalize("NFC", text).translate(_FOLD)


# -- patterns with digits -----------------------------------------------------------------------

_S = r"[ \t.\-–]?"  # at most one separator between two digits
EMAIL_RE = re.compile(r"[\w.+\-]+(?:@|\s?\(at\)\s?|\s?\[at\]\s?)[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
CASE_CODE_RE = re.compile(r"(?i)(?<![\w])PAKN-\d{4}-\d{6}(?![\w])")
DOSSIER_RE = re.compile(r"(?<![\w])\d{3}\.\d{2}\.\d{2}\.[Hh]\d{2}-\d{6}-\d{4}(?![\w])")
# 29A-123.45, 30E1-234.56, 29-B1 234.56, 51G 12345, 29LD-123.45, 29A-1234 (old 4-digit plates)
PLATE_RE = re.compile(r"(?<![\w])\d{2}\s?[-–.]?\s?[A-Za-z]{1,2}\d?\s?[-–.]?\s?"
                      r"(?:\d{3}[.\s]?\d{2}|\d{4})(?![\w])")
# 0912 345 678, +84 912.345.678, 84912345678, (024) 3825 6789, +84 (0) 24 3825-6789
PHONE_RE = re.compile(r"(?<![\d+])(?:(?:\+|00)\s?84|\(\+?84\)|84|\(0|0)\)?" + _S +
                      r"(?:\(0\)" + _S + r")?\(?\d\)?(?:\)?" + _S + r"\d){8,9}(?!\d)")
# 12-digit căn cước / CCCD (any grouping), 9-digit CMND
ID12_RE = re.compile(r"(?<!\d)\d(?:" + _S + r"\d){11}(?!\d)")
ID9_RE = re.compile(r"(?<!\d)\d(?:" + _S + r"\d){8}(?!\d)")
ID_CUE = re.compile(r"(cccd|cmnd|cmt|can cuoc|chung minh|dinh danh|so the|so giay to|ho chieu)"
                    r"[^\d\n]{0,25}$")
LONG_NUMBER_RE = re.compile(r"(?<!\d)\d(?:" + _S + r"\d){8,}(?!\d)")
MONEY_RE = re.compile(r"^[1-9]\d{0,2}(?:([.,])\d{3})(?:\1\d{3})*$")
PARCEL_RE = re.compile(r"(?i)\b(thửa(?: đất)?|tờ bản đồ)(\s+(?:số\s*)?)(\d+[A-Za-z]?)\b")

# House numbers. `N` is 12, 12A, 12/3, 5B/2A.
_N = r"\d{1,4}[A-Za-z]?(?:/\d{1,4}[A-Za-z]?)*"
_ALLEY = r"(?:ngõ|ngách|hẻm|kiệt|đường|phố|tổ|khu|thôn|xóm|tập thể|chung cư|ngo|ngach|hem|duong|pho)"
HOUSE_EXPLICIT_RE = re.compile(rf"(?i)(?<![\w])(?:số\s+nhà|nhà\s+số|so\s+nha|nha\s+so|sn\.?)\s*{_N}(?![\w/])")
HOUSE_NHA_RE = re.compile(rf"(?i)(?<![\w])nhà\s+({_N})(?![\w/])"
                          r"(?!\s+(?:tầng|lầu|người|căn|gian|cái|lần|mái))")  # not "nhà 2 tầng"
HOUSE_SO_RE = re.compile(rf"(?i)(?<![\w])số\s+({_N})(?![\w/])")
HOUSE_BEFORE_ALLEY_RE = re.compile(rf"(?i)(?<![\w/]){_N}(?=,?\s+{_ALLEY}\b)")
APARTMENT_RE = re.compile(r"(?i)(?<![\w])(căn hộ|căn|phòng)\s+(?:số\s+)?(\d{2,4}[A-Za-z]?\d{0,3})(?![\w/])"
                          r"(?=[^.\n]{0,20}\b(?:tòa|toà|nhà|chung cư|tầng|CT|khu|block)\b)")
FLAT_RE = re.compile(r"(?i)(?<![\w])(căn hộ|căn phòng)\s+(?:số\s+)?[A-Za-z]?\d{1,4}[A-Za-z]?\d{0,3}(?![\w/])")
_STREET_AFTER = re.compile(r"(?i)^[,\s]*" + _ALLEY + r"\b")
_PLACE_BEFORE = re.compile(r"(?i)(?:ở|tại|địa chỉ|đc|trú|sống|nhà|cư trú|thường trú|tạm trú)"
                           r"(?:\s+(?:tôi|em|mình|chúng tôi|ông|bà|anh|chị|là))?[:\s]*$")
_ALLEY_BEFORE = re.compile(r"(?i)(?<![\w])(?:ngõ|ngách|hẻm|kiệt|tổ|ngo|ngach|hem|kiet|to|số|so|đường|duong|"
                           r"phường|quận|năm|tháng|ngày|lần|tầng|km|p\.|q\.)\s*$")


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("840"):
        digits = digits[2:]
    elif digits.startswith("84"):
        digits = "0" + digits[2:]
    if digits.startswith("0") and len(digits) in (10, 11) and digits[1] != "0":
        return PHONE
    return match.group(0)


def _mask_numbers(text: str) -> str:
    text = EMAIL_RE.sub(EMAIL, text)
    text = DOSSIER_RE.sub(DOSSIER, text)
    text = PLATE_RE.sub(_plate, text)
    text = PHONE_RE.sub(_mask_phone, text)
    text = ID12_RE.sub(ID_NUMBER, text)
    text = _sub_with_context(ID9_RE, text, _id9)
    text = LONG_NUMBER_RE.sub(lambda m: m.group(0) if MONEY_RE.match(m.group(0)) else NUMBER, text)
    return PARCEL_RE.sub(lambda m: m.group(1) + m.group(2) + PARCEL, text)


def _plate(match: re.Match[str]) -> str:
    letters = re.sub(r"[^A-Za-z]", "", match.group(0))
    # "12 lần 2345"-style false hits need a letter series right after the province code.
    return PLATE if letters and len(letters) <= 2 else match.group(0)


def _id9(match: re.Match[str], before: str) -> str:
    raw = match.group(0)
    if raw.isdigit() or raw.startswith("0") or ID_CUE.search(fold(before[-40:])):
        return ID_NUMBER
    return raw  # "150.000.000 đồng" is money; left for the long-number rule to judge


def _sub_with_context(pattern: re.Pattern[str], text: str,
                      replace: Callable[[re.Match[str], str], str]) -> str:
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(text[last:match.start()])
        out.append(replace(match, text[:match.start()]))
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def _mask_houses(text: str) -> str:
    text = HOUSE_EXPLICIT_RE.sub(HOUSE, text)
    text = HOUSE_NHA_RE.sub(HOUSE, text)
    text = FLAT_RE.sub(lambda m: f"{m.group(1)} {HOUSE}", text)
    text = APARTMENT_RE.sub(lambda m: f"{m.group(1)} {HOUSE}", text)

    def so(match: re.Match[str], before: str) -> str:
        after = text[match.end():match.end() + 40]
        if after.startswith("/") or re.match(r"^\s*(?:năm|tháng|ngày)\b", after):
            return match.group(0)
        if _STREET_AFTER.match(after) or _PLACE_BEFORE.search(before[-20:]):
            return HOUSE
        words = re.findall(r"[^\W\d_]+", after)[:2]  # "số 12 Trần Thái Tông": a street name
        if len(words) == 2 and all(_is_name_word(w) for w in words) and re.match(r"^[,\s]+\w", after):
            return HOUSE
        return match.group(0)

    text = _sub_with_context(HOUSE_SO_RE, text, so)

    def before_alley(match: re.Match[str], before: str) -> str:
        return match.group(0) if _ALLEY_BEFORE.search(before[-12:]) else HOUSE

    return _sub_with_context(HOUSE_BEFORE_ALLEY_RE, text, before_alley)


# -- names --------------------------------------------------------------------------------------

SURNAMES = frozenset(fold(s) for s in (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Đào Đoàn "
    "Vương Trương Lương Lâm Phùng Mai Cao Tô Tạ Quách Kiều Chu Hà Thái Lưu Khuất Nghiêm Triệu "
    "Doãn Lại Mạc Tăng Hứa Từ Giang Âu Đàm Khúc Văn Ninh La Thân Tống Viên Kim Đồng Lạc Nông Bạch "
    "Ông Hoa Lã Lò Quan Vi Bế Hầu Diệp Nhữ Khổng Cù Lục Hàn Phí Đường Mẫn Trình"
).split())
# Places that start with a family name and are not also a common person's name ("Hà Nội",
# "Hà Đông"; "Hoàng Mai" is both: it is a place only after "phường", "quận", "ở" ...).
# Compared as written, so "Dương Hoa" (a person) is not "Dương Hòa" (a commune).
PLACES = frozenset(unicodedata.normalize("NFC", p).lower() for p in (
    "Hà Nội", "Hà Đông", "Hoàng Liệt", "Dương Nội", "Dương Hòa", "Kiều Phú",
    "Trần Phú", "Hồ Tây", "Hồ Gươm", "Hồ Hoàn Kiếm", "Cao Bằng", "Hà Giang", "Lạng Sơn",
    "Tô Lịch", "Kim Liên", "Kim Anh", "Mai Dịch", "Văn Miếu", "Văn Quán", "Kim Mã", "Giang Văn Minh",
    "Hồng Hà", "Hồng Vân", "Hồng Sơn", "Mê Linh", "Thái Bình", "Thái Hà", "Thái Thịnh",
    "Hà Nam", "Hà Tĩnh", "Lâm Đồng", "Quan Hoa", "Đồng Xuân", "Đồng Tâm", "Giang Võ", "Ba Vì",
))
FOLDED_PLACES = frozenset(fold(place) for place in PLACES)
# Words that end a name: titles, organisations, pronouns, function words. Single words here are
# never given names; phrases are checked word by word ("Thanh tra" stops, "Nguyễn Thanh Hà" not).
STOP_WORDS = frozenset(w.lower() for w in (
    "UBND HĐND BHXH CCCD CMND Chủ Phó Trưởng Giám Sở Phòng Ban Ủy Uỷ Tổ Cán Bí Cảnh Phường Xã Quận "
    "Huyện Bộ Chi Cục Tòa Toà Đội Chuyên Trực Tôi Em Anh Chị Ông Bà Cô Chú Bác Cháu Con Vợ Chồng Mẹ "
    "Bố Cha Họ Nhưng Và Hoặc Thì Là Vì Nên Đã Đang Sẽ Không Có Xin Kính Gửi Cảm Ngày Tháng Số Điện "
    "Email Đề Hiện Sau Trước Khi Lúc Nay Trong Ngoài Bệnh Chợ Đường Ngõ Ngách Chùa Đền Cầu Sông Bến "
    "Xe Ga Sân Căn Hộ Sổ Giấy Thuế Mình Người Của Cho Với Tại Ở Từ Đến Theo Về Được Bị Rất Mong "
    "Hỏi Nhà Công Ty Phố Thôn Xóm Khu Làng Ấp Tỉnh Thành Quốc Địa Trụ Văn Trung Viện Trường"
    " Thanh Bảo Hội Sở Lý Hồ Kế Tư Y Một"
).split())
# Those of the stop words that are also family, middle or given names stop only as a phrase.
STOP_PHRASES = tuple(tuple(p.lower().split()) for p in (
    "Công an", "Công ty", "Thành phố", "Văn phòng", "Văn bản", "Trung tâm", "Viện kiểm sát",
    "Trường học", "Thanh tra", "Bảo hiểm", "Bảo vệ", "Hội đồng", "Hội phụ nữ", "Lý lịch", "Hồ sơ",
    "Kế toán", "Tư pháp", "Y tế", "Một cửa", "Quốc lộ", "Địa chính", "Hộ chiếu", "Nhà nước",
    "Hà Nội", "Sở hữu", "Trụ sở", "Hồ Tây", "Văn hóa", "Văn hoá", "Trung ương",
))
NAME_PARTS = frozenset(w.lower() for w in (
    "Công Thành Quốc Văn Trung Thanh Bảo Hội Lý Hồ Kế Tư Địa Trường Nhà Viện Y Một Trụ"
).split())
_NAME_ENDERS = frozenset(w for w in STOP_WORDS if w not in NAME_PARTS)
# Lowercase names ("tôi là nguyễn văn an") are taken after strong cues only, up to these words.
_LOWER_STOP_WORDS = (
    "ở tại sống số sdt sđt điện thoại có là đã đang muốn xin và nhà hiện cư trú thường tạm email "
    "phản ánh kiến nghị hỏi cần bị được nộp làm gọi liên hệ địa chỉ từ năm sinh cmnd cccd căn cước"
).split()
LOWER_STOP = frozenset(_LOWER_STOP_WORDS) | frozenset(fold(w) for w in _LOWER_STOP_WORDS)
STRONG_CUES = frozenset(fold(c) for c in (
    "tôi là", "tôi tên", "tôi tên là", "tên tôi là", "tên tôi", "tên", "tên là", "họ tên",
    "họ và tên", "con tôi là", "con tôi tên", "con tôi tên là", "cháu tôi là", "cháu tôi tên",
    "cháu tôi tên là", "người gửi", "người nhận", "người phản ánh", "người liên hệ",
))
# Places whose name holds a cue word ("phố Bà Triệu", "phường Hai Bà Trưng").
CUE_PLACES = tuple(fold(p) for p in ("Hai Bà Trưng", "Bà Triệu", "Ông Ích Khiêm", "Bà Huyện Thanh Quan",
                                     "Cô Giang", "Cô Bắc", "Bác Cổ", "Chú Ỏn", "Bà Rịa", "Bà Đen"))
NAME_CUES = (
    r"tôi là|tôi tên(?: là)?|tên tôi là|tên tôi|tên(?: là)?|họ tên|họ và tên|người (?:gửi|nhận|"
    r"phản ánh|liên hệ)|con tôi(?: là| tên(?: là)?)?|cháu tôi(?: là| tên(?: là)?)?|vợ tôi(?: là)?|"
    r"chồng tôi(?: là)?|mẹ tôi(?: là)?|bố tôi(?: là)?|cha tôi(?: là)?|cán bộ|đồng chí|đ/c|ông|bà|"
    r"anh|chị|em|cô|chú|bác|cháu|cụ|bạn|thầy"
)
_WORD = r"[^\W\d_]+"
CUE_RE = re.compile(rf"(?i)(?<![\w/])(?:{NAME_CUES})\s*[:\-]?\s*(?=[^\W\d_])")
CAPS_SEQUENCE_RE = re.compile(rf"{_WORD}(?:[ \t]+{_WORD}){{0,5}}")
_STREET_CONTEXT = re.compile(r"(?i)(?:phố|đường|ngõ|ngách|hẻm|phường|xã|quận|huyện|thị trấn|tỉnh|"
                             r"thành phố|tp\.?|p\.|q\.|ở|tại|trường|bệnh viện|chợ|cầu|hồ|chùa|đền|"
                             r"khu|tòa|chung cư|kđt|ubnd|công an|sông|bến|ga|đình|làng|thôn|số|"
                             r"pho|duong|ngo|ngach|hem|phuong|xa|quan|huyen|thi tran|tinh|thanh pho|"
                             r"tai|cho|khu|thon|lang)\s*$")  # also typed without diacritics
_PRECEDING_NUMBER_OR_MASK = re.compile(r"(?:\d[\w/]*|\])[ \t]+$")


def _is_name_word(word: str) -> bool:
    if not word[:1].isupper():
        return False
    return len(word) == 1 or word[1:].islower() or word.isupper()


def _stops_here(words: list[str], lowered: list[str], index: int) -> bool:
    if lowered[index] in _NAME_ENDERS:
        return True
    for phrase in STOP_PHRASES:
        if tuple(lowered[index:index + len(phrase)]) == phrase:
            # Inside a name, a phrase written in title case is more name: "Nguyễn Công An".
            return index == 0 or not all(_is_name_word(w) for w in words[index:index + len(phrase)])
    return False


def _name_words(words: list[str], after_cue: bool, strong: bool) -> int:
    """How many leading `words` form a person's name (0: none)."""
    folded = [fold(w) for w in words]
    lowered = [w.lower() for w in words]
    taken = 0
    lowercase = strong and bool(words) and words[0].islower() and folded[0] in SURNAMES
    for index, word in enumerate(words[:4]):
        if lowercase:
            if not word.islower() or lowered[index] in LOWER_STOP:
                break
        elif not _is_name_word(word) or _stops_here(words, lowered, index):
            break
        taken += 1
    if taken == 0 or (lowercase and taken < 2):
        return 0
    if after_cue:  # "chị Hoàng Mai", "tôi là Dương Hòa": after a cue, a place name is a person's
        return taken
    joined = " ".join(lowered[:taken])
    places = FOLDED_PLACES if fold(joined) == joined else PLACES  # typed without diacritics?
    if any(joined == place or joined.startswith(place + " ") for place in places):
        return 0
    return taken if taken >= 2 and folded[0] in SURNAMES else 0


def _mask_names(text: str) -> str:
    spans: list[tuple[int, int]] = []
    folded_text = fold(text)
    for cue in CUE_RE.finditer(text):
        cue_word = cue.group(0).strip(" :-\t")
        if cue_word[:1].isupper():
            before = text[max(0, cue.start() - 15):cue.start()]
            if _STREET_CONTEXT.search(before) or _PRECEDING_NUMBER_OR_MASK.search(before[-8:]):
                continue  # "phố Bà Triệu", "12 Bà Triệu"
        window = folded_text[max(0, cue.start() - 4):cue.start() + 24]
        if any(place in window for place in CUE_PLACES):
            continue
        strong = " ".join(fold(cue_word).split()) in STRONG_CUES
        span = _span_of_name(text, cue.end(), after_cue=True, strong=strong)
        if span:
            spans.append(span)
    for match in re.finditer(rf"(?<![\w]){_WORD}", text):
        if fold(match.group(0)) not in SURNAMES or not _is_name_word(match.group(0)):
            continue
        before = text[max(0, match.start() - 20):match.start()]
        if _STREET_CONTEXT.search(before) or _PRECEDING_NUMBER_OR_MASK.search(before[-8:]):
            continue
        previous = re.search(r"([^\W\d_]+)[ \t]+$", before)
        if previous and _is_name_word(previous.group(1)) and not CUE_RE.fullmatch(previous.group(1) + " "):
            continue  # inside a capitalised run ("Trần Thái Tông"): judged from its first word
        span = _span_of_name(text, match.start(), after_cue=False, strong=False)
        if span:
            spans.append(span)
    return _replace_spans(text, spans, NAME)


def _span_of_name(text: str, start: int, after_cue: bool, strong: bool) -> tuple[int, int] | None:
    sequence = CAPS_SEQUENCE_RE.match(text, start)
    if not sequence:
        return None
    words = list(re.finditer(_WORD, sequence.group(0)))
    taken = _name_words([w.group(0) for w in words], after_cue, strong)
    if not taken:
        return None
    return start, start + words[taken - 1].end()


def _replace_spans(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + placeholder + text[end:]
    return text


# -- strings the case already knows --------------------------------------------------------------

_ADDRESS_WORDS = re.compile(r"(?i)\b(số|ngõ|ngách|hẻm|đường|phố|tổ|thôn|xóm|khu|phường|xã|quận|huyện|"
                            r"tòa|chung cư|căn hộ|so|ngo|ngach|duong|pho|phuong|xa|quan|huyen)\b")


def _known_placeholder(value: str) -> str:
    if "@" in value:
        return EMAIL
    digits = re.sub(r"\D", "", value)
    if digits and len(digits) >= 9 and not re.search(r"[^\W\d_]", value):
        return PHONE if len(digits) in (10, 11) else ID_NUMBER
    if digits or _ADDRESS_WORDS.search(value):
        return ADDRESS
    return NAME


def _known_pieces(known: Iterable[str]) -> list[tuple[str, str]]:
    """(folded pattern source, placeholder), longest first; addresses also piece by piece."""
    pieces: dict[str, str] = {}
    for value in known:
        value = unicodedata.normalize("NFC", (value or "").strip())
        if len(value) < 3:
            continue
        placeholder = _known_placeholder(value)
        pieces[fold(value)] = placeholder
        if placeholder == ADDRESS:  # "Số 5 ngõ 10 Trần Thái Tông, phường Cầu Giấy": its first part
            for part in re.split(r"[,;]", value):
                if re.search(r"\d", part) and len(part.strip()) >= 4:
                    pieces[fold(part.strip())] = ADDRESS
    return sorted(pieces.items(), key=lambda item: -len(item[0]))


def _mask_known(text: str, known: Iterable[str]) -> str:
    for folded_value, placeholder in _known_pieces(known):
        tokens = re.findall(r"\w+", folded_value)
        if not tokens:
            continue
        pattern = re.compile(r"(?<!\w)" + r"[\W_]{1,3}".join(re.escape(t) for t in tokens) + r"(?!\w)")
        spans = [m.span() for m in pattern.finditer(fold(text))]
        text = _replace_spans(text, spans, placeholder)
    return text


def mask(text: str, known: Iterable[str] = ()) -> str:
    """`text` with personal data replaced by placeholders ("[họ tên]", "[số điện thoại]", ...).

    `known`: strings to hide wherever they occur, with or without diacritics (the case's citizen
    name, address, phone). Idempotent: masking a masked text changes nothing.
    """
    if not text:
        return text
    masked = unicodedata.normalize("NFC", text)
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:  # tracking codes are public: out of the way, back later
        kept.append(match.group(0))
        return f"\ue000{chr(0xE100 + len(kept) - 1)}\ue001"

    masked = CASE_CODE_RE.sub(keep, masked)
    masked = _mask_known(masked, known)
    masked = mask_spelled(masked)  # "pham (at) gmail (dot) com", "không chín một ..."
    masked = mask_birth_dates_and_passports(masked)
    masked = _mask_numbers(masked)
    masked = _mask_houses(masked)
    masked = _mask_names(masked)
    masked = mask_residence(masked)  # after names: "[họ tên] ở ngõ 5" is where that person lives
    return re.sub("\ue000(.)\ue001", lambda m: kept[ord(m.group(1)) - 0xE100], masked)
