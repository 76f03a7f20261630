"""What a citizen's short answer means: yes or no, cancel, a request for a person, a name, an
address, a choice from the buttons just shown. Pure functions over text, used by the dialogue.

Citizens type with or without diacritics. Folding is safe for most words but not all: "dung" is
"đúng" (right), "dừng" (stop) or "dùng" (use). A word whose folded form is ambiguous only counts
when it is typed with its diacritics.
"""
from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Iterable

from intake.names import NameKnowledge, known_names
from nlu.entities import CASE_CODE, PHONE, normalize_phone
from routing.limits import CITIZEN_ADDRESS_LIMIT, CITIZEN_NAME_LIMIT, CONTACT_LIMITS
from routing.text import fold, nfc, squash_spaces

YES = frozenset({"có", "đồng ý", "ok", "oke", "okay", "okie", "vâng", "dạ", "ừ", "ừm", "uh", "yes", "y",
       "được", "đc", "dc", "xác nhận", "xác nhận gửi", "gửi", "gửi đi", "gửi luôn", "đúng",
       "đúng rồi", "đúng vậy", "chính xác", "chuẩn", "chắc chắn", "đồng ý công khai",
       "có công khai", "công khai", "được công khai"})
NO = frozenset({"không", "ko", "k", "kg", "hông", "no", "chưa", "sai", "đừng", "không đồng ý",
      "không công khai", "không cần", "không muốn", "không được", "đừng công khai",
      "không đồng ý công khai", "chưa đúng", "không đúng"})
CANCEL = frozenset({"hủy", "hủy bỏ", "hủy đi", "hủy phản ánh", "thôi hủy", "thôi", "thôi khỏi", "khỏi",
          "dừng", "dừng lại", "cancel", "stop", "thôi không gửi nữa", "không gửi nữa",
          "thôi không cần nữa", "không cần nữa", "không gửi", "không phản ánh nữa",
          "thôi không phản ánh nữa", "bỏ đi", "thôi bỏ đi"})
# Folded forms that stand for words of different meaning: never trusted without diacritics.
AMBIGUOUS = frozenset({"dung"})
YES_FIRST = frozenset({"vâng", "ok", "có", "được", "ừ", "xác nhận", "gửi", "đúng", "đồng ý"})
NEGATIONS = frozenset({"không", "ko", "k", "kg", "hông", "chưa", "đừng", "chẳng", "no", "sai",
                       "khỏi"})
LEADING_PARTICLES = ("dạ", "à", "ừ thì", "vâng thì")
TRAILING_PARTICLES = ("ạ", "nhé", "nha", "nhá", "nhe", "luôn", "đi", "ad", "bạn", "ơi", "em",
                      "anh", "chị", "bot", "với", "a", "ah", "rồi")


EDGES = " .,!?;:…-–\"'()"  # punctuation around an answer that says nothing


def _trimmed(text: str) -> str:
    """NFC, single spaces, case kept, without surrounding punctuation."""
    return squash_spaces(nfc(text)).strip(EDGES)


def _spelled(text: str) -> str:
    """Lowercase NFC, single spaces, without punctuation; 'huỷ' spelled as 'hủy'."""
    words = _trimmed(text).lower()
    return re.sub(r"[.,!?;:…]+", "", words).replace("uỷ", "ủy").replace("oà", "òa")


def folded_words(text: str) -> str:
    """The answer without diacritics or punctuation: what the regular expressions below match."""
    return fold(_spelled(text))


def _has_marks(text: str) -> bool:
    return fold(text) != text


def _strip_particles(words: str) -> str:
    changed = True
    while changed:
        changed = False
        for particle in LEADING_PARTICLES:
            if words.startswith(particle + " "):
                words, changed = words[len(particle) + 1:], True
        for particle in TRAILING_PARTICLES:
            if words.endswith(" " + particle):
                words, changed = words[: -len(particle) - 1], True
    return words


@lru_cache(maxsize=None)
def _folded(vocabulary: frozenset[str]) -> frozenset[str]:
    return frozenset(fold(v) for v in vocabulary) - AMBIGUOUS


def _in(words: str, vocabulary: frozenset[str]) -> bool:
    """`words` is one of `vocabulary`: spelled exactly, or typed without any diacritics and not
    ambiguous once folded."""
    if words in vocabulary:
        return True
    return not _has_marks(words) and words in _folded(vocabulary)


def yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when the answer is neither or unclear."""
    words = _strip_particles(_spelled(text))
    if not words or len(words.split()) > 6:
        return None
    if _in(words, NO):
        return False
    if _in(words, YES):
        return True
    tokens = words.split()
    if any(_in(token, NEGATIONS) for token in tokens):
        return False
    first = tokens[0] if tokens else ""
    return True if _in(first, YES_FIRST) else None


_CANCEL_NOT_MORE = re.compile(
    r"^(?:thoi\s+)?(?:(?:toi|em|e|minh|chau)\s+)?(?:khong|ko|k|hong|kg)\s+"
    r"(?:gui|can|muon|phan anh|lam)(?:\s+\w+){0,3}\s+(?:nua|dau)$")


def is_cancel(text: str) -> bool:
    words = _strip_particles(_spelled(text))
    return _in(words, CANCEL) or bool(_CANCEL_NOT_MORE.match(fold(words)))


_REQUEST_WORDS = r"(?:cho|xin|toi|em|minh|chau|muon|can|duoc|hay|vui long|lam on|a|oi|ad|ban|bot)"
_HUMAN_EN = re.compile(r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+)?(?:human|person|staff|agent|officer|"
                       r"real person)\b")
_HUMAN = re.compile(
    rf"^(?:{_REQUEST_WORDS}\s+)*"
    r"(?:(?:gap|noi chuyen|ket noi|chuyen|lien he|goi|hoi|chat)(?:\s+(?:voi|cho|sang|toi|gap))?\s+"
    r"(?:(?:mot|1)\s+)?)?"
    r"(?:can bo|nguoi that|tong dai vien|nhan vien|cb|nguoi truc|nguoi ho tro)"
    r"(?:\s+(?:tiep nhan|truc|ho tro|tu van|phu trach))?"
    r"(?:\s+(?:a|voi|nhe|di|duoc khong|dc ko|duoc ko|dc khong|oi|ngay|that))*$")


def is_human_request(text: str) -> bool:
    """'gặp cán bộ', 'cho tôi nói chuyện với người thật ạ'; not 'tôi đã gặp cán bộ phường 3 lần'."""
    folded = folded_words(text)
    return bool(_HUMAN.match(folded) or _HUMAN_EN.search(folded))


# A citizen's request about their personal data (Law 91/2025/QH15): "tôi muốn xem dữ liệu của tôi",
# "xoá dữ liệu của tôi", "xin bản sao thông tin cá nhân", with or without diacritics. Short messages
# only: a longer text that mentions data is a complaint (about a register, a portal) to be filed.
_MY_DATA = re.compile(r"\bdu lieu(?: ca nhan)?(?: (?:cua|ve))? (?:toi|em|minh|chau|tui)\b"
                      r"|\b(?:du lieu|thong tin) ca nhan\b")
_DELETE_DATA = re.compile(r"\b(?:xoa|huy|go bo|loai bo)\b")
_COPY_DATA = re.compile(r"\b(?:xem|lay|tai|ban sao|trich xuat|cung cap lai|gui lai|biet)\b")
DATA_REQUEST_WORDS = 14


def data_request_kind(text: str) -> str | None:
    """"deletion" or "copy" when the message asks for the citizen's own data; None otherwise."""
    folded = folded_words(text)
    if len(folded.split()) > DATA_REQUEST_WORDS or not _MY_DATA.search(folded):
        return None
    if _DELETE_DATA.search(folded):
        return "deletion"
    return "copy" if _COPY_DATA.search(folded) else None


_FILE_WORDS = {"gui", "lam", "viet", "nop", "co", "phan", "anh", "kien", "nghi", "pakn", "gop",
               "y", "ve", "thu", "tuc", "hanh", "chinh", "tthc", "mot", "1", "cai", "moi", "can"}
_FILLER = {"toi", "em", "e", "minh", "chau", "cho", "xin", "muon", "duoc", "a", "oi", "ad", "voi",
           "nhe", "ah", "di", "hoi", "bot", "ban", "lam", "on", "vui", "long", "dang", "ky"}


def wants_to_file(text: str) -> bool:
    """'Gửi phản ánh', 'tôi muốn phản ánh ạ', 'cho em gửi kiến nghị': no content yet."""
    tokens = folded_words(text).split()
    rest = [t for t in tokens if t not in _FILLER]
    joined = " ".join(rest)
    has_topic = any(p in joined for p in ("phan anh", "kien nghi", "pakn", "gop y"))
    return has_topic and len(tokens) <= 8 and all(t in _FILE_WORDS for t in rest)


def content_words(text: str) -> int:
    """Words that say something beyond 'I want to send a PAKN' ('sổ đỏ' has two)."""
    return sum(1 for t in folded_words(text).split() if t not in _FILLER and t not in _FILE_WORDS)


# -- names and addresses ------------------------------------------------------------------------

# Words that are never a syllable of a name. 'hủy', 'thôi' only count when no known surname comes
# first: 'Bùi Quang Huy', 'Nguyễn Văn Thôi' are names at the name question.
_FUNCTION_WORDS = {"không", "biết", "tôi", "của", "và", "được", "đã", "chưa", "rồi", "nhé", "ạ", "gì",
                   "sao", "với", "muốn", "cần", "tên", "là", "mình", "nhưng", "thì", "mà", "này",
                   "đây", "ok", "ko", "có", "phản", "số", "ngõ", "phường", "xã", "quận", "huyện",
                   "ở", "đâu", "xe", "sdt", "đồng ý", "ơn", "bạn", "ad", "bot", "ơi", "một", "ngày",
                   "nhiều", "quá", "vậy"}
_FUNCTION_FOLDED = {"khong", "ko", "biet", "toi", "cua", "chua", "roi", "nhe", "gi", "muon", "ten",
                    "ok", "sdt", "o", "on", "ban", "ad", "bot", "oi", "mot", "nhieu", "vay", "noi"}
_COMMAND_LIKE = {"hủy", "thôi", "cứu"}
_COMMAND_LIKE_FOLDED = {"huy", "thoi", "tra", "cuu", "ngo", "so"}
_NOT_NAME_PHRASES = ("dong y", "khong biet", "nhu tren", "tra cuu", "phan anh", "can bo",
                     "dien thoai", "dia chi", "ho so", "thu tuc")
_NAME_TAIL = (" ạ", " a", " nhé", " nha", " nhe", " ah")
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:['’\-][^\W\d_]+)*$")


_MIDDLE_NAMES = {"van", "thi"}


def _without_honorific(words: list[str], names: NameKnowledge) -> list[str]:
    """'chị Nguyễn Thị Hoa' -> 'Nguyễn Thị Hoa'; 'Chu Văn An' keeps Chu, a surname."""
    if len(words) < 3:
        return words
    first = words[0].lower()
    spelled = first in names.honorifics
    typed_bare = not _has_marks(first) and first in {fold(h) for h in names.honorifics}
    if len(words) == 3 and names.is_surname(words[0]) and fold(words[1].lower()) in _MIDDLE_NAMES:
        return words  # 'Ông Văn Thành': Ông is the surname here, a full name has one before Văn
    if spelled:
        return words[1:]
    if typed_bare and names.is_surname(words[1]) and not names.is_surname(first):
        return words[1:]
    return words


def _looks_like_a_name(words: list[str], names: NameKnowledge) -> bool:
    lowered = [w.lower() for w in words]
    folded = fold(" ".join(lowered))
    if any(w in _FUNCTION_WORDS for w in lowered) or " ".join(lowered[:2]) in _FUNCTION_WORDS:
        return False
    if any(p in f" {folded} " for p in _NOT_NAME_PHRASES):
        return False
    bare = [w for w in lowered if not _has_marks(w)]
    if any(w in _FUNCTION_FOLDED for w in bare):
        return False
    if names.is_surname(words[0]):  # 'bui quang huy': a surname first makes it a name
        return True
    # An unknown surname: only words written as a name ('Y Moan Niê', not 'cảm ơn nhiều'); the
    # dialogue keeps anything else for staff after asking twice.
    if not all(w[:1].isupper() for w in words) or any(w in _COMMAND_LIKE for w in lowered):
        return False
    return not (not _has_marks(" ".join(lowered)) and any(w in _COMMAND_LIKE_FOLDED for w in lowered))


def clean_name(text: str, names: NameKnowledge | None = None) -> str | None:
    """The full name in an answer such as 'Dạ tên tôi là Nguyễn Văn An ạ', 'e ten nguyen van thoi'
    or 'BÙI QUANG HUY', or None. Vietnamese surnames (catalogue/names.yaml) decide doubtful cases.
    A name longer than a case keeps (routing.limits) is None: the question is asked again."""
    name = _name_in(text, names)
    return name if name is not None and len(name) <= CITIZEN_NAME_LIMIT else None


def too_long_for(slot: str, text: str) -> bool:
    """Whether `text` reads as the name or the address asked for, only longer than a case keeps:
    the citizen is told so instead of being asked as if nothing had been understood."""
    found = _name_in(text) if slot == "name" else _address_in(text) if slot == "address" else None
    return found is not None and len(found) > CONTACT_LIMITS[slot]


def _name_in(text: str, names: NameKnowledge | None = None) -> str | None:
    names = names or known_names()
    spelled = names.without_lead_in(_trimmed(text))
    for particle in _NAME_TAIL:
        if spelled.lower().endswith(particle):
            spelled = spelled[: -len(particle)]
    words = _without_honorific(spelled.split(), names)
    if not 2 <= len(words) <= 6 or not all(_NAME_CHARS.match(w) for w in words):
        return None
    if is_cancel(" ".join(words)) or not _looks_like_a_name(words, names):
        return None
    return " ".join(w[:1].upper() + w[1:].lower() if w.islower() or w.isupper() else w
                    for w in words)


_NOT_AN_ANSWER = ("khong biet", "ko biet", "k biet", "khong co", "ko co", "khong nho", "ko nho",
                  "nhu tren", "o tren", "bi mat", "khong muon", "ko muon")
RAW_ANSWER_LIMIT = 160  # characters: a longer message is a description, not a contact detail


def raw_answer(text: str) -> str | None:
    """What the citizen typed, as typed, when it could be a name, phone or address that staff can
    check; None for an answer that says nothing ('ko biết', 'không', 'ok', '...')."""
    raw = squash_spaces(nfc(text)).strip()
    folded = folded_words(raw)
    if (not re.search(r"[^\W_]", raw) or len(raw) > RAW_ANSWER_LIMIT or yes_no(raw) is not None
            or is_cancel(raw) or is_human_request(raw) or questions_contact_data(raw)
            or any(f" {p} " in f" {folded} " for p in _NOT_AN_ANSWER)):
        return None
    return raw


_ADDRESS_LEAD = re.compile(
    r"^(?:(?:da|vang)\s+)?(?:(?:dia chi|dc|d/c)(?:\s+(?:nha|lien he|lien lac|thuong tru|tam tru|hien tai))?"
    r"(?:\s+(?:cua\s+)?(?:toi|em|e|minh|mik|chau|tui))?(?:\s+la)?"
    r"|(?:nha\s+)?(?:toi|em|e|minh|mik|chau|tui|nha)\s+(?:dang\s+)?(?:o|tai|song o|song tai)"
    r"|o|tai|thuong tru|tam tru)(?:\s*[:\-]\s*|\s+)")
_ADDRESS_WORDS = re.compile(
    r"\b(?:so|ngo|ngach|hem|kiet|duong|pho|phuong|xa|thon|xom|to|khu|toa|chung cu|cc|quan|huyen|"
    r"thi tran|thi xa|ha noi|hn|tp|p|q|ap|ban|lang|kdt|khu do thi|cum|doi|nha|tang|phong|block|"
    r"village|street|road)\b")
_NOT_ADDRESS = ("nhu tren", "o tren", "khong biet", "ko biet", "khong co", "ko co", "nhu vay",
                "tra cuu", "khong nho", "ko nho", "bi mat", "den dau", "the nao roi", "ho so cua")


def clean_address(text: str) -> str | None:
    """The contact address in an answer, or None when the answer is not one (or is longer than a
    case keeps: the question is asked again)."""
    address = _address_in(text)
    return address if address is not None and len(address) <= CITIZEN_ADDRESS_LIMIT else None


def _address_in(text: str) -> str | None:
    spelled = _trimmed(text)
    folded = fold(spelled)
    lead = _ADDRESS_LEAD.match(folded)
    if lead and len(spelled) - lead.end() >= 5:
        spelled, folded = spelled[lead.end():], folded[lead.end():]
    if (len(spelled) < 5 or len(spelled.split()) < 2 or yes_no(spelled) is not None
            or is_cancel(spelled) or any(p in folded for p in _NOT_ADDRESS)
            or re.search(r"pakn", folded) or _starts_with_a_change(spelled)):
        return None
    if not (re.search(r"\d", spelled) or _ADDRESS_WORDS.search(folded)) or _PRONOUN_FIRST.match(folded):
        return None
    return spelled


_PRONOUN_FIRST = re.compile(r"(?:toi|em|e|minh|mik|tui|chau)\b")  # 'tôi đói', not an address
_CHANGE_FIRST = re.compile(r"^(?:(?:toi|em|e|minh|cho)\s+)?(?:muon\s+|xin\s+)?"
                           r"(?P<verb>sua|doi|sai|nham|chinh|thay|nhap|ghi|viet)\b")
_CHANGE_VERBS = {"sửa", "đổi", "sai", "nhầm", "chỉnh", "thay", "nhập", "ghi", "viết"}


def _starts_with_a_change(spelled: str) -> bool:
    """'đổi số điện thoại', 'sai địa chỉ rồi' at the address question; not 'Đội Cấn 15' or 'Sài
    Đồng': a verb typed with diacritics must be spelled as the verb."""
    change = _CHANGE_FIRST.match(fold(spelled))
    if not change:
        return False
    verb = spelled[change.start("verb"): change.end("verb")].lower()
    return not _has_marks(verb) or verb in _CHANGE_VERBS


_PHONE_LABEL_BEFORE = re.compile(r"(?:\bso dien thoai|\bdien thoai|\bsdt|\bso dt|\bdt|\bso)?"
                                 r"\s*[:.]?\s*$")
_PHONE_LABEL_AFTER = re.compile(r"^\s*[,;:\-–.]?\s*")


def contact_parts(text: str) -> tuple[str, str | None, str]:
    """Split 'Nguyễn Văn An, sđt 0912 345 678, số 5 ngõ 10 Trần Thái Tông' into the text before the
    phone number, the normalised phone, and the text after it."""
    spelled = squash_spaces(nfc(text))
    for match in PHONE.finditer(spelled):
        phone = normalize_phone(match.group(0))
        if phone:
            before = spelled[: match.start()].rstrip(" ,;:-–")
            label = _PHONE_LABEL_BEFORE.search(fold(before))
            before = before[: label.start()] if label else before
            after = _PHONE_LABEL_AFTER.sub("", spelled[match.end():], count=1)
            return before.strip(" ,;:-–"), phone, after.strip(" ,;:-–.")
    return spelled, None, ""


def choice(text: str, buttons: Iterable[tuple[str, str]]) -> str | None:
    """The payload of the button a citizen typed: its number (Zalo shows numbered text), its
    title, or 'number. title'."""
    options = list(buttons)
    folded = fold(_strip_particles(_spelled(text)))
    number = re.match(r"^(\d{1,2})(?:\s+(.*))?$", folded)
    if number and 1 <= int(number.group(1)) <= len(options):
        title, payload = options[int(number.group(1)) - 1]
        if not number.group(2) or number.group(2) == folded_words(title):
            return payload
    for title, payload in options:
        if folded == folded_words(title):
            return payload
    return None


def without_case_codes(text: str) -> str:
    return CASE_CODE.sub(" ", text)


_FIELDS = (("address", r"dia chi|cho o|noi o|so nha"), ("phone", r"dien thoai|sdt|so dt|dt"),
           ("consent", r"cong khai"), ("name", r"ho ten|ho va ten|ten"),
           ("text", r"noi dung|mo ta|phan anh|kien nghi|linh vuc"))
_CHANGE = re.compile(r"\b(?:sua|sai|doi|nham|chinh|thay|nhap lai|ghi lai|viet lai)\b")


def field_named(text: str) -> str | None:
    """Which summary field a message names: 'sửa địa chỉ' -> 'address'."""
    folded = folded_words(text)
    for name, pattern in _FIELDS:
        if re.search(rf"\b(?:{pattern})\b", folded):
            return name
    return None


def asks_to_change(text: str) -> bool:
    """'sửa', 'sai tên', 'đổi địa chỉ': the citizen wants to correct the summary."""
    return bool(_CHANGE.search(folded_words(text)))


_NAME_CUE = re.compile(r"\b(?:(?:toi|em|minh|chau)\s+(?:ten\s+)?la|ten\s+(?:toi|em|minh|chau)\s+la"
                       r"|ho\s+(?:va\s+)?ten\s*:?)\s+")
_ADDRESS_CUE = re.compile(r"\b(?:dia chi|nha (?:toi|em|minh|chau) o|(?:toi|em|minh|chau) (?:song|o) tai"
                          r"|thuong tru tai|tam tru tai|cu tru tai|hien o tai)"
                          r"(?:\s+(?:cua\s+)?(?:toi|em|minh|chau))?\s*(?:la|:)?\s+")


def details_in(text: str) -> dict[str, str]:
    """Name and address a citizen gave in the first message ('Tôi là Nguyễn Văn An, địa chỉ số 5
    ngõ 10 Trần Thái Tông'), so that the bot does not ask for them again."""
    found: dict[str, str] = {}
    spelled = nfc(text)
    folded = fold(spelled)
    cue = _NAME_CUE.search(folded)
    if cue:
        segment = re.split(r"[,.;:!?\n]", spelled[cue.end():], maxsplit=1)[0]
        words = re.findall(r"[^\W\d_]+", segment)[:6]
        capitalised = list(itertools.takewhile(lambda w: w[0].isupper(), words))
        name = clean_name(" ".join(capitalised)) if len(capitalised) >= 2 else None
        if name:
            found["name"] = name
    cue = _ADDRESS_CUE.search(folded)
    if cue:
        tail = re.split(r"[.;\n]|,?\s*\b(?:sdt|so dien thoai|dien thoai|dt)\b",
                        folded[cue.end():], maxsplit=1)[0]
        address = clean_address(contact_parts(spelled[cue.end(): cue.end() + len(tail)])[0])
        if address:
            found["address"] = address
    return found


_FILING_WORDS = re.compile(r"\b(?:phan anh|kien nghi|gop y|pakn)\b")
_LOOKUP_WORDS = re.compile(r"\b(?:tra cuu|kiem tra|tinh trang|xem lai|theo doi)\b")


def mentions_filing(text: str) -> bool:
    """'phản ánh sổ đỏ': about sending a PAKN, not about the status of one already sent."""
    folded = folded_words(text)
    return bool(_FILING_WORDS.search(folded)) and not _LOOKUP_WORDS.search(folded)


_CONTACT_WORDS = re.compile(r"\b(?:sdt|so dien thoai|dien thoai|so dt|ten|ho ten|dia chi)\b")
_WHY = re.compile(r"\b(?:sao|tai sao|vi sao|de lam gi|lam gi|bat buoc|khong muon|ko muon|k muon"
                  r"|khong cho|ko cho|co can|can gi)\b")


def questions_contact_data(text: str) -> bool:
    """'sao phải cho sđt?', 'e ko muốn cho sdt dc ko': why the law asks for it."""
    folded = folded_words(text)
    return bool(_CONTACT_WORDS.search(folded) and _WHY.search(folded))


_HOME_BEFORE = re.compile(r"(?:(?:toi|em|e|minh|chau|nha|gia dinh)\s+(?:dang\s+)?(?:o|song o|song tai|o tai)"
                          r"|dia chi|thuong tru|tam tru|cu tru|que)\s*(?:tai|o|la|:)?\s*$")


def case_ward(text: str, entities: list[dict[str, object]]) -> str | None:
    """The ward the matter happened in: 'Tôi ở phường Cầu Giấy, nộp hồ sơ tại UBND phường Láng'
    names two; where the citizen lives is not where the dossier was filed."""
    wards = [e for e in entities if e["entity"] == "ward"]
    folded = fold(text)
    for entity in wards:
        start = int(entity["start"])  # type: ignore[call-overload]
        if not _HOME_BEFORE.search(folded[max(0, start - 25): start]):
            return str(entity["value"])
    return str(wards[0]["value"]) if wards else None


_NAME_FIX = re.compile(r"^(?:(?:sua|doi|sai|nham)\s+)(?:ho\s+(?:va\s+)?)?ten(?:\s+(?:lai|dung))?"
                       r"\s*(?:la|thanh|:|-)?\s*")
_ADDRESS_FIX = re.compile(r"^(?:(?:sua|doi|sai|nham)\s+)?dia chi(?:\s+(?:lai|dung|cua toi|moi))*"
                          r"\s*(?:la|thanh|:|-)?\s*")


def corrections_in(text: str) -> dict[str, str]:
    """Contact data typed out of turn: 'sửa tên: Phạm Văn Năm', 'tên tôi là Phạm Văn Năm chứ không
    phải Nam', 'địa chỉ đúng là số 7 ngõ 10 …', 'à nhầm số, 0987 654 321'."""
    found: dict[str, str] = {}
    before, phone, after = contact_parts(text)
    if phone:
        found["phone"] = phone
        text = " ".join(p for p in (before, after) if p)
    spelled = _trimmed(text)
    folded = fold(spelled)
    name_fix = _NAME_FIX.match(folded)
    name = clean_name(spelled[name_fix.end():]) if name_fix else details_in(spelled).get("name")
    if name:
        found["name"] = name
    address_fix = _ADDRESS_FIX.match(folded)
    if address_fix:
        address = clean_address(spelled[address_fix.end():])
        if address:
            found["address"] = address
    return found


_DISPUTE = re.compile(
    r"\b(?:chua|khong|ko|k|hong|van chua)\s+(?:dong y|hai long|thoa dang|chap nhan|dong tinh|thoa man)\b"
    r"|\b(?:chua|khong|ko)\s+dung\s+(?:voi\s+)?(?:ket qua|thuc te|su that)\b"
    r"|\b(?:de nghi|xin|yeu cau)\s+xem\s+(?:xet\s+)?lai\b|\bkhieu nai ket qua\b")


def disputes(text: str) -> bool:
    """'Tôi chưa đồng ý với kết quả', 'đề nghị xem xét lại': a reply that disputes an answer."""
    return bool(_DISPUTE.search(folded_words(text)))


def added_to(description: str, more: str) -> str:
    """The description with `more` appended, once: a message sent twice is not stored twice."""
    if folded_words(more) in folded_words(description):
        return description
    return f"{description.rstrip('.')}. {more}"


_HOW_LONG = re.compile(r"\b(?:bao lau|bao gio|khi nao|may ngay|bao nhieu ngay|mat bao lau)\b")


def asks_how_long(text: str) -> bool:
    """'khoảng bao lâu thì có kết quả vậy?': a question about the time limit."""
    return bool(_HOW_LONG.search(folded_words(text)))


_CONTINUE = re.compile(
    r"\b(?:van|cu|van cu)\s+(?:muon\s+|se\s+|con\s+)?(?:gui|tiep tuc|phan anh|nop|giu)\b"
    r"|^(?:a\s+|u\s+|oi\s+)?khoan\b|\btiep tuc\b|\bkhoi phuc\b|\b(?:khong|ko|k|chua|dung)\s+huy\b"
    r"|\bhuy nham\b|\bbam nham\b|^(?:a\s+)?nham\b")


def wants_to_continue(text: str) -> bool:
    """'à thôi em vẫn muốn gửi', 'khoan', 'tiếp tục', 'đừng hủy': keep (or bring back) the draft.
    'đúng, hủy' is not 'đừng hủy': the folded 'dung huy' counts only without diacritics or as 'đừng'."""
    spelled = _spelled(text)
    folded = fold(spelled)
    match = _CONTINUE.search(folded)
    if not match:
        return False
    return not (match.group(0).startswith("dung") and "đúng" in spelled)


_SEND = r"(?:gui|gui di|gui luon|gui nhe|gui ngay|gui phan anh|xac nhan|xac nhan gui|ok|oke|okay|dong y)"
_CONFIRM_LEAD = r"(?:ok|oke|okay|okie|uh|u|um|vang|da|dung roi|dung vay|chuan|chinh xac|xac nhan|dong y|roi)"
_CONFIRMS = re.compile(rf"^(?:(?:toi|em|e|minh|chau|xin)\s+)?(?:{_CONFIRM_LEAD}\s+)*{_SEND}(?:\s+(?:di|luon|nhe|nha|a|ngay|lien|roi))*$")


def confirms_sending(text: str) -> bool:
    """'dung roi gui di', 'ok gui', 'gui di', 'ok' at the summary: send it. Never 'đừng gửi' or
    'dừng': a bare 'dung' is not accepted, and 'dung roi' only when not spelled 'dừng'/'đừng'."""
    spelled = _spelled(text)
    if re.search(r"đừng|dừng", spelled) or is_cancel(spelled):
        return False
    return bool(_CONFIRMS.match(fold(spelled)))


_DONE = re.compile(r"\b(?:xong|het roi|het a|du roi|gui du|vay thoi|the thoi|chi vay|chi the|vay la du|"
                   r"chi co vay|chi co the|khong con gi|ko con gi|het thong tin)\b"
                   r"|^(?:(?:toi|em|e|minh|chau)\s+)?(?:da\s+)?(?:gui|bo sung)\s+(?:r|roi)\b")
_DONE_FILLER = set("toi em e minh chau da bo sung gui roi r a nhe nha cam on vay thi la day do thong tin "
                   "ok vang chi co the xong het du nhu tren cua can bo a ah nhu the".split())


def done_sending(text: str) -> tuple[bool, bool]:
    """(done, with_more): 'xong', 'hết rồi', 'e gửi r ạ', 'Tôi bổ sung thế thôi ạ', 'vậy thôi ạ, cảm
    ơn' end the information staff asked for; with_more when the same message also carries some."""
    folded = folded_words(text)
    if not (_DONE.search(folded) or is_cancel(text) or folded in ("cam on", "het", "xin cam on")):
        return False, False
    rest = [w for w in _DONE.sub(" ", folded).split() if w not in _DONE_FILLER]
    return True, len(rest) >= 3


def about_publication(text: str) -> bool:
    """'không công khai', 'đồng ý công khai', 'ko cong khai nha': the publication choice."""
    return bool(re.search(r"\bcong khai\b", folded_words(text)))


_PUBLICATION = re.compile(r"\b(?:(?:nhung|ma)\s+)?(?:(?:khong|ko|k|dung|chua)\s+)?(?:dong y\s+|muon\s+|can\s+)?"
                          r"cong khai(?:\s+(?:ket qua|nha|nhe|a))*\b")


def sends_with_publication_choice(text: str) -> bool:
    """'gửi đi, không công khai': the choice and the confirmation in one message."""
    rest = squash_spaces(_PUBLICATION.sub(" ", folded_words(text))).strip()
    return bool(rest) and confirms_sending(rest)
