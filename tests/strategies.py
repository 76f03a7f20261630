"""Hypothesis strategies for webhook bodies: arbitrary bytes, arbitrary JSON, and real sample
payloads with one part replaced by arbitrary JSON (the likeliest way to reach deep parsing code).

Shared by the parser-level property tests (tests/unit) and the over-HTTP ones (tests/e2e).
"""
from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import strategies as st

from tests.conftest import ROOT, ZALO_APP_ID, load_payload


def examples(count: int) -> int:
    """A property test's example count, times PAKN_FUZZ_SCALE (`make fuzz` sets it)."""
    return count * max(1, int(os.environ.get("PAKN_FUZZ_SCALE", "1")))


FOLDER = {"telegram": "telegram", "facebook": "messenger", "zalo": "zalo"}
# Every webhook sample (api-* files are send-API bodies, not webhooks).
SAMPLES = {platform: sorted(p.name for p in (ROOT / "tests" / "payloads" / folder).glob("*.json")
                            if not p.name.startswith("api-"))
           for platform, folder in FOLDER.items()}

# Text with every kind of character, lone surrogates included (JSON can carry them as \\udXXX;
# hypothesis's characters() never draws them on its own).
any_text = st.text(st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr)), max_size=30)
json_scalars = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
                | st.floats(allow_nan=True, allow_infinity=True) | any_text)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(any_text, inner, max_size=4), max_leaves=12)


def paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths(value, prefix + (key,))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, prefix + (index,))
    return found


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


@st.composite
def mutated_samples(draw: st.DrawFn, platform: str) -> bytes:
    document = load_payload(FOLDER[platform], draw(st.sampled_from(SAMPLES[platform])))
    if platform == "zalo":
        document["app_id"] = ZALO_APP_ID  # so that the signature can be right
    path = draw(st.sampled_from(paths(document)))
    value = draw(json_values)
    body = json.dumps(replaced(document, path, value), ensure_ascii=draw(st.booleans()))
    return body.encode("utf-8", errors="surrogatepass")


def bodies(platform: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=300),
        json_values.map(lambda v: json.dumps(v).encode()),
        mutated_samples(platform),
    )




# -- well-formed, correctly signable messages with hostile values ---------------------------------
# Each platform's real message shape, with the text, name and ids drawn from what a hostile or
# broken client could put there: NUL and other control characters, decomposed diacritics, ids and
# names around the lengths the database keeps (channels.base: 255 / 512 / 255).

HOSTILE_CHARS = st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\x85", "\t", "\n", "\r", "\u200b",
                                 "\u202e", "\ufeff", "e\u0301", "o\u031b\u0300", "\U0001f600"])
hostile_text = st.lists(st.one_of(HOSTILE_CHARS, st.text(max_size=8)), max_size=12).map("".join)


def _id(limit: int) -> st.SearchStrategy[str]:
    """An id whose length is drawn near the limit (and past it), or a plain short one."""
    lengths = st.sampled_from([1, 20, limit - 1, limit, limit + 1, limit * 2])
    return st.one_of(st.integers(1, 10**15).map(str),
                     lengths.flatmap(lambda n: st.text("0123456789abcdefABCDEF_-", min_size=n,
                                                       max_size=n)),
                     st.text(min_size=1, max_size=20))


@st.composite
def hostile_messages(draw: st.DrawFn, platform: str) -> tuple[bytes, str, str, str]:
    """(body, sender id, message id, text) of one incoming text message."""
    sender, text = draw(_id(255)), draw(hostile_text.filter(lambda t: t.strip()))
    if platform == "telegram":
        update_id = draw(st.integers(1, 2**31))
        document: dict[str, Any] = {"update_id": update_id, "message": {
            "message_id": 1, "date": 1764000000, "chat": {"id": sender, "type": "private"},
            "from": {"id": 1, "is_bot": False, "first_name": draw(hostile_text | _id(255))},
            "text": text}}
        message_id = str(update_id)
    elif platform == "facebook":
        message_id = draw(_id(512))
        document = {"object": "page", "entry": [{"id": "1", "time": 1764000000000, "messaging": [{
            "sender": {"id": sender}, "recipient": {"id": "1"}, "timestamp": 1764000000000,
            "message": {"mid": message_id, "text": text}}]}]}
    else:
        message_id = draw(_id(512))
        document = {"app_id": ZALO_APP_ID, "event_name": "user_send_text",
                    "timestamp": "1764000000000", "sender": {"id": sender},
                    "recipient": {"id": "579745863508352884"},
                    "message": {"msg_id": message_id, "text": text}}
    body = json.dumps(document, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    return body, sender, message_id, text


def signable(platform: str, body: bytes) -> bytes:
    """A Zalo body carries the app id its signature covers (any other is a stranger's: 403)."""
    if platform != "zalo":
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict):
        return body
    document["app_id"] = ZALO_APP_ID
    return json.dumps(document).encode("utf-8", "surrogatepass")


def signed_bodies(platform: str) -> st.SearchStrategy[bytes]:
    """bodies(), every one of which a correct signature can be made for."""
    return bodies(platform).map(lambda body: signable(platform, body))


# -- Vietnamese texts with personal data that only its context gives away (issue 17) ------------
# Each draw is (text, secrets, ordinary): the secrets are phrases that must not survive masking
# (checked folded, token by token), the ordinary phrases (procedure names, laws, dates of the
# procedure) must survive it. Every piece is its own sentence, as citizens write them.

STREETS = ["Trần Duy Hưng", "Kim Mã", "Hoàng Hoa Thám", "Láng Hạ", "Xuân Thủy", "Nguyễn Trãi",
           "Giải Phóng", "Cầu Giấy", "Đội Cấn", "Tây Sơn"]
PROCEDURES = ["đăng ký khai sinh", "cấp giấy chứng nhận quyền sử dụng đất", "đăng ký thường trú",
              "cấp giấy phép xây dựng", "cấp phiếu lý lịch tư pháp", "chứng thực bản sao",
              "đăng ký hộ kinh doanh", "cấp đổi giấy phép lái xe", "cấp hộ chiếu phổ thông"]
ORDINARY = ["Theo Luật Đất đai 2024 thì hồ sơ phải được giải quyết đúng hạn",
            "Ngày 15/3 tôi nộp hồ sơ tại bộ phận một cửa",
            "Quyết định số 123/QĐ-UBND ngày 12/3/2026 chưa được thực hiện",
            "Đèn đường ngõ 12 ngách 34 phố Bà Triệu hỏng hai tuần nay",
            "Cán bộ hẹn ngày 20/04/2026 trả kết quả",
            "Tôi đã chờ 3 tuần và đi lại 5 lần"]
SPOKEN_DIGITS = {"0": ["không", "linh"], "1": ["một", "mốt"], "2": ["hai"], "3": ["ba"],
                 "4": ["bốn", "tư"], "5": ["năm", "lăm"], "6": ["sáu"], "7": ["bảy", "bẩy"],
                 "8": ["tám"], "9": ["chín"]}


def strip_accents(text: str) -> str:
    """'Nhà tôi ở Đội Cấn' -> 'Nha toi o Doi Can': typed without diacritics, case kept."""
    import unicodedata
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


digits_st = st.integers(0, 9).map(str)
house_numbers = st.builds(lambda n, suffix: f"{n}{suffix}", st.integers(1, 299),
                          st.sampled_from(["", "", "A", "B", "/3", "/12"]))
small = st.integers(1, 199).map(str)


@st.composite
def residence_pieces(draw: st.DrawFn) -> tuple[str, list[str]]:
    street, house = draw(st.sampled_from(STREETS)), draw(house_numbers)
    alley, lane, group, cluster = draw(small), draw(small), draw(small), draw(small)
    forms = [
        (f"Nhà tôi ở {house} {street}", [f"{house} {street}"]),
        (f"Địa chỉ: {house} {street}, phường Láng", [f"{house} {street}"]),
        (f"Tôi ở ngõ {alley} {street}", [f"ngõ {alley}"]),
        (f"Nhà em ở ngách {lane} ngõ {alley} {street}", [f"ngách {lane}", f"ngõ {alley}"]),
        (f"Địa chỉ: số {house} ngõ {alley} ngách {lane} {street}", [f"số {house}", f"ngõ {alley}",
                                                                     f"ngách {lane}"]),
        (f"Gia đình tôi thường trú tại tổ {group} cụm {cluster} phường Đông Ngạc",
         [f"tổ {group}", f"cụm {cluster}"]),
        (f"Rác thải để ở tổ dân phố {group} phường Yên Hòa", [f"tổ dân phố {group}"]),
        (f"{house} ngõ {alley} {street} là nhà bố tôi", [f"{house} ngõ", f"ngõ {alley}"]),
    ]
    return draw(st.sampled_from(forms))


@st.composite
def birth_pieces(draw: st.DrawFn) -> tuple[str, list[str]]:
    day, month, year = draw(st.integers(1, 28)), draw(st.integers(1, 12)), draw(st.integers(1940, 2015))
    sep = draw(st.sampled_from(["/", "-", "."]))
    date = draw(st.sampled_from([f"{day:02d}{sep}{month:02d}{sep}{year}", f"{day}{sep}{month}{sep}{year}",
                                 f"{day} tháng {month} năm {year}"]))
    cue = draw(st.sampled_from(["Tôi sinh ngày", "Ngày sinh:", "con tôi sinh", "NS", "DOB:",
                                "mẹ tôi sinh ngày", "ngày sinh của bố tôi là"]))
    return f"{cue} {date}", [date]


@st.composite
def passport_pieces(draw: st.DrawFn) -> tuple[str, list[str]]:
    number = draw(st.sampled_from("BCNP")) + "".join(draw(st.lists(digits_st, min_size=7, max_size=7)))
    text = draw(st.sampled_from([f"Hộ chiếu số {number} hết hạn", f"passport {number}",
                                 f"số hộ chiếu của tôi là {number.lower()}", f"tôi có hộ chiếu {number}"]))
    return text, [number[1:]]


@st.composite
def email_pieces(draw: st.DrawFn) -> tuple[str, list[str]]:
    user = draw(st.sampled_from(["pham", "hoa.tran", "tuanle", "ngoc_pham", "minh.nguyen"]))
    user += str(draw(st.integers(0, 99)))
    domain = draw(st.sampled_from(["gmail", "yahoo", "hanoi.gov", "outlook"]))
    at = draw(st.sampled_from([" (at) ", " [at] ", " at ", " a còng ", "(at)", " @ "]))
    dot = draw(st.sampled_from([" (dot) ", " [dot] ", " dot ", " chấm ", "(dot)", " . "]))
    tld = draw(st.sampled_from(["com", "vn", "com.vn"]))
    written = user + at + domain.replace(".", dot) + dot + tld.replace(".", dot)
    return f"email của tôi là {written} nhé", [user]


@st.composite
def spoken_phone_pieces(draw: st.DrawFn) -> tuple[str, list[str]]:
    number = "0" + draw(st.sampled_from(["9", "8", "3", "7"])) + "".join(
        draw(st.lists(digits_st, min_size=8, max_size=8)))
    words = []
    figures_upto = draw(st.sampled_from([0, 0, 2, 4]))  # "09 một hai ...": the first digits as figures
    if figures_upto:
        words.append(number[:figures_upto])
    words += [draw(st.sampled_from(SPOKEN_DIGITS[d])) for d in number[figures_upto:]]
    sep = draw(st.sampled_from([" ", " ", ", "]))
    spoken = sep.join(words)
    text = draw(st.sampled_from([f"số của tôi là {spoken}", f"gọi cho tôi theo số {spoken} nhé",
                                 f"điện thoại {spoken}", f"Liên hệ {spoken}"]))
    spelled = [w for w in words if not w.isdigit()]
    return text, [" ".join(spelled[i:i + 4]) for i in range(0, len(spelled) - 3, 2)]


@st.composite
def context_texts(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    """A message with personal data only its context gives away, and ordinary phrases around it."""
    makers = draw(st.lists(st.sampled_from([residence_pieces, birth_pieces, passport_pieces,
                                            email_pieces, spoken_phone_pieces]),
                           min_size=1, max_size=4))
    pieces = [draw(maker()) for maker in makers]
    procedure = draw(st.sampled_from(PROCEDURES))
    ordinary = [f"Tôi muốn hỏi về thủ tục {procedure}"] + draw(st.lists(st.sampled_from(ORDINARY),
                                                                        max_size=2, unique=True))
    sentences = draw(st.permutations([text for text, _ in pieces] + ordinary))
    text = ". ".join(s[0].upper() + s[1:] for s in sentences) + "."
    secrets = [secret for _, found in pieces for secret in found]
    kept = [procedure] + [o for o in ordinary if not o.startswith("Tôi muốn hỏi")]
    if draw(st.booleans()):
        text, secrets, kept = strip_accents(text), [strip_accents(s) for s in secrets], \
            [strip_accents(o) for o in kept]
    return text, secrets, kept
