"""The scripted citizens (citizens/*.yaml) as dataclasses, and how each habit types an answer.

A citizen's facts are written with diacritics; how the citizen types them (without diacritics, in
capitals, in teencode, as a formal letter) is its habit, applied when it sends a message.
"""
from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CITIZENS_DIR = HERE / "citizens"
STYLES = ("plain", "teencode", "formal")
TYPINGS = ("diacritics", "no_diacritics", "capitals")
CONTACTS = ("one_by_one", "all_at_once", "name_phone", "in_description")


def fold(text: str) -> str:
    """Lower case without diacritics ('Đội Cấn' -> 'doi can')."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn").lower()


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def digits(text: str) -> str:
    """The digits of a phone number, +84 written as 0."""
    found = re.sub(r"\D", "", text or "")
    return "0" + found[2:] if found.startswith("84") and len(found) == 11 else found


@dataclass(frozen=True)
class Facts:
    name: str
    phone: str
    address: str
    street: str  # the part of the address that must survive: 'Trần Thái Tông', 'thôn Đông'
    ward: str  # a unit of catalogue/wards.yaml, 'phường Cầu Giấy'
    procedure: str
    agency: str | None


@dataclass(frozen=True)
class Aside:
    """Something said instead of answering the first time the bot asks `at`."""
    at: str  # name | phone | address | consent | summary | contact (the first contact question)
    say: str
    kind: str = "side_question"  # or chit_chat


@dataclass(frozen=True)
class WrongFirst:
    """A wrong value given for `field` the first time it is asked; `fix` is sent at `fix_at`."""
    field: str
    value: str
    fix: str
    fix_at: str = "next"  # next (the following turn) | summary


@dataclass(frozen=True)
class CancelUndo:
    at: str
    cancel: str
    undo: str


@dataclass(frozen=True)
class After:
    """What happens once the case is filed: staff answer and the citizen disputes it, or staff ask
    for more and the citizen answers; for a khiếu nại the follow-up question."""
    kind: str  # dispute | ask_info | redirect
    say: tuple[str, ...]
    staff: str = ""  # the answer, or the information asked for
    between: str = ""  # dispute: "survey" (the case is closed and the survey starts first)
    key: str = ""  # ask_info: the piece of the citizen's answer that must reach the case


@dataclass(frozen=True)
class Citizen:
    id: str
    facts: Facts
    describe: tuple[str, ...]
    habits: tuple[str, ...]
    style: str = "plain"
    typing: str = "diacritics"
    contact: str = "one_by_one"
    before: tuple[str, ...] = ()
    more: str = ""  # more detail, if the bot asks for it
    asides: tuple[Aside, ...] = ()
    wrong: WrongFirst | None = None
    cancel: CancelUndo | None = None
    consent: bool = True
    taps: bool = False  # taps buttons; otherwise types (a number on Zalo, or words)
    expect: str = "case"  # case | redirect
    english: bool = False  # the first message is in English: the bot should answer in English
    after: After | None = None

    def variant(self, salt: str, count: int) -> int:
        """A stable choice among `count` phrasings, different per citizen and per question."""
        return zlib.crc32(f"{self.id}:{salt}".encode()) % count

    def typed(self, text: str) -> str:
        """What the keyboard produces: the citizen's typing habit applied."""
        if self.typing == "no_diacritics":
            return strip_marks(text)
        if self.typing == "capitals":
            return text.upper()
        return text


def strip_marks(text: str) -> str:
    """Diacritics removed, letter case kept ('Đội Cấn' -> 'Doi Can')."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in text if unicodedata.category(c) != "Mn"))


PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "plain": {
        "name": ("{name}", "Tôi tên là {name}", "{name} ạ", "Họ tên: {name}"),
        "phone": ("{phone}", "Số điện thoại của tôi là {phone}", "{phone} ạ", "sđt {phone}"),
        "address": ("{address}", "Địa chỉ: {address}", "Tôi ở {address}", "{address} ạ"),
        "all": ("{name}, {phone}, {address}", "Tên: {name}\nSĐT: {phone}\nĐịa chỉ: {address}",
                "Tôi là {name}, số điện thoại {phone}, địa chỉ {address}", "{name} - {phone} - {address}"),
        "name_phone": ("{name} {phone}", "{name}, sđt {phone}", "Tôi là {name}, điện thoại {phone}"),
        "yes": ("Đúng rồi", "Đúng", "Vâng, đúng ạ"),
        "confirm": ("Xác nhận gửi", "Đúng rồi, gửi đi", "Gửi", "Đồng ý gửi"),
        "consent_yes": ("Đồng ý", "Có, đồng ý công khai", "đồng ý ạ"),
        "consent_no": ("Không", "Không công khai", "không đồng ý ạ"),
        "want_file": ("Có, tôi muốn gửi phản ánh", "Có", "Vâng, gửi phản ánh"),
    },
    "teencode": {
        "name": ("e tên {name}", "mik là {name}", "{name} nha", "tên e là {name}"),
        "phone": ("sdt e {phone}", "{phone} nha", "sđt: {phone}", "đt e {phone} ạ"),
        "address": ("nhà e ở {address}", "e ở {address} nha", "đc: {address}", "{address}"),
        "all": ("e tên {name} sđt {phone} nhà e ở {address}", "mik là {name}, sdt {phone}, đc {address}",
                "{name} - {phone} - {address} nha", "tên {name} sdt {phone} ở {address}"),
        "name_phone": ("e tên {name} sdt {phone}", "mik là {name} sđt {phone}"),
        "yes": ("dung r", "đúng r ạ", "uk dung", "ok đúng"),
        "confirm": ("ok gui di", "gửi đi ạ", "dung roi gui di", "ok"),
        "consent_yes": ("ok dc", "đồng ý", "dc a"),
        "consent_no": ("ko", "thôi ko công khai", "k ạ"),
        "want_file": ("co", "có ạ", "uk e mun gui"),
    },
    "formal": {
        "name": ("Họ và tên: {name}", "Tôi là {name}"),
        "phone": ("Số điện thoại liên hệ: {phone}", "Điện thoại: {phone}"),
        "address": ("Địa chỉ thường trú: {address}", "Địa chỉ liên hệ: {address}"),
        "all": ("Họ và tên: {name}. Số điện thoại: {phone}. Địa chỉ: {address}.",
                "Tôi là {name}, điện thoại {phone}, thường trú tại {address}."),
        "name_phone": ("Họ và tên: {name}. Số điện thoại: {phone}.",),
        "yes": ("Vâng, thông tin đó là đúng.", "Đúng ạ."),
        "confirm": ("Tôi xác nhận gửi phản ánh.", "Xác nhận gửi"),
        "consent_yes": ("Tôi đồng ý công khai.", "Đồng ý"),
        "consent_no": ("Tôi không đồng ý công khai.", "Không đồng ý"),
        "want_file": ("Có, tôi muốn gửi phản ánh.",),
    },
}


def phrase(citizen: Citizen, what: str, **values: str) -> str:
    """How this citizen says `what` ('name', 'all', 'confirm'...), typed with its habit."""
    options = PHRASES[citizen.style][what]
    text = options[citizen.variant(what, len(options))].format(**values)
    return citizen.typed(text)


# -- loading ----------------------------------------------------------------------------------------

def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def citizen_from(row: dict[str, Any]) -> Citizen:
    facts = Facts(**{k: row["facts"].get(k) for k in Facts.__dataclass_fields__})
    after = row.get("after")
    return Citizen(
        id=row["id"], facts=facts, describe=_tuple(row["describe"]), habits=_tuple(row.get("habits")),
        style=row.get("style", "plain"), typing=row.get("typing", "diacritics"),
        contact=row.get("contact", "one_by_one"), before=_tuple(row.get("before")),
        more=row.get("more", ""), asides=tuple(Aside(**a) for a in row.get("asides") or ()),
        wrong=WrongFirst(**row["wrong"]) if row.get("wrong") else None,
        cancel=CancelUndo(**row["cancel"]) if row.get("cancel") else None,
        consent=bool(row.get("consent", True)), taps=bool(row.get("taps", False)),
        expect=row.get("expect", "case"), english=bool(row.get("english", False)),
        after=After(**{**after, "say": _tuple(after.get("say"))}) if after else None)


def load_citizens(directory: Path = CITIZENS_DIR) -> list[Citizen]:
    citizens: list[Citizen] = []
    for path in sorted(directory.glob("*.yaml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8"))["citizens"]:
            citizens.append(citizen_from(row))
    return citizens
