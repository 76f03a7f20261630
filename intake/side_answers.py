"""Side matters the intake answers without filing anything: a question about a procedure (which
papers, where to file, how long, what fee), a message in another language, a khiếu nại / tố cáo
(which NĐ 20/2008 excludes) and the "gửi ở đâu?" after it.

`side_answer` is pure (no I/O) and is called by the dialogue's step before its state handling; it
returns None when the message is not a side matter. The reply says what the dialogue does next
(`then`): go back to the question the intake was at, rest, or start a description. The answers'
facts come from the catalogue (procedures.yaml, deadlines.yaml, help_desks.yaml), their wording
from intake.side_texts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from intake import answers
from intake import messages as M
from intake import side_texts as T
from intake.turns import (
    AWAIT_CODE,
    CHOOSE_PROCEDURE,
    DESCRIBE,
    DRAFT_STATES,
    IDLE,
    P_FILE,
    P_HUMAN,
    Reply,
    Turn,
)
from nlu.result import QUESTION_INTENT, ParseResult
from routing.catalogue import OUT_OF_SCOPE_PROCEDURE, Catalogue, HelpDesk

RESUME, REST, DESCRIBE_NEXT = "resume", "rest", "describe"
P_NOT_NOW = "/side:not_now"  # "Không" to "Ông/Bà có muốn gửi phản ánh về việc này không?"
P_COMPLAINT_DESK = "/side:complaint_desk"  # shown after a redirect: where a khiếu nại goes
QUESTION_STATES = {IDLE, AWAIT_CODE} | DRAFT_STATES  # not a survey, a dispute or a link request
REDIRECT_STATES = {IDLE, AWAIT_CODE, DESCRIBE, CHOOSE_PROCEDURE}  # where the dialogue redirects too
REDIRECT_CONFIDENCE = 0.6  # as the dialogue's: below it a khiếu nại guess is not acted on
MIN_GROUP_SHARE = 0.3  # of the procedure labels' mass: below it the question's group is unknown
OFFER_MENU = ((T.BUTTON_YES_FILE, P_FILE), (T.BUTTON_NOT_NOW, P_NOT_NOW))


@dataclass(frozen=True)
class SideReply(Reply):
    then: str = RESUME  # resume | rest | describe
    lead: tuple[Reply, ...] = ()  # sent before this reply (the redirect's legal reason)

    @property
    def replies(self) -> list[Reply]:
        return [*self.lead, self]


@dataclass(frozen=True)
class SideContext:
    catalogue: Catalogue
    state: str
    turn: Turn
    procedure: str | None = None  # the draft's group, when there is a draft
    menu: tuple[tuple[str, ...], ...] = field(default_factory=tuple)  # buttons shown last


def side_answer(parse: ParseResult | None, text: str, context: SideContext) -> SideReply | None:
    """The answer to a side matter, or None when the message is for the dialogue's states."""
    turn = context.turn
    if turn.payload == P_NOT_NOW:
        return SideReply(T.NOT_NOW, then=REST)
    if turn.payload == P_COMPLAINT_DESK:
        return complaint_desk(context.catalogue, intro=False)
    if turn.payload is not None or turn.escalated or turn.attachments or not text.strip() \
            or answers.is_human_request(text) or answers.is_cancel(text):
        return None
    if is_english(text):
        desk = context.catalogue.help_desks.get("hotline")
        hotline = T.ENGLISH_HOTLINE.format(phone=desk.phone, name=desk.name) if desk and desk.phone else ""
        menu = ((M.BUTTON_HUMAN, P_HUMAN),) if context.state not in DRAFT_STATES else ()
        return SideReply(T.ENGLISH.format(hotline=hotline), menu, then=RESUME)
    shown = {str(button[-1]) for button in context.menu}
    if P_NOT_NOW in shown and context.state == IDLE and _wants_to_file(text):
        return SideReply(M.DESCRIBE, then=DESCRIBE_NEXT)  # 'vâng, gửi phản ánh' to the offer
    if context.state in REDIRECT_STATES and (_asks_where_complaints_go(text) or (
            P_COMPLAINT_DESK in shown and asks_where(text))):
        return complaint_desk(context.catalogue, intro=False)
    if parse is None:
        return None
    if context.state in REDIRECT_STATES and _is_complaint(parse):
        return complaint_desk(context.catalogue, intro=True)
    if context.state in QUESTION_STATES and is_procedure_question(parse, text, context.state):
        return _procedure_answer(parse, text, context)
    return None


# -- questions about a procedure ----------------------------------------------------------------

_ASPECTS = (
    ("where", r"o dau|noi nao|co quan nao|cho nao|nop (?:o|tai) |lam (?:o|tai) |\bo (?:phuong|xa|so)\b"),
    ("time", r"bao lau|may ngay|bao nhieu ngay|bao gio|khi nao|thoi han|mat bao|het bao lau"),
    ("fee", r"le phi|\bphi\b|bao nhieu tien|may tien|mat tien|het bao nhieu|mien phi|ton bao nhieu"),
    ("papers", r"giay to|ho so gom|gom nhung|can (?:nhung )?gi|can nhung|can mang|mang (?:theo )?gi"
               r"|thu tuc|the nao|ntn|ra sao|lam sao|mau don|dieu kien|co (?:can|phai|duoc)\b"),
)
_QUESTION_WORDS = set(
    "cho hoi xin em e toi minh mik chau a ad oi mn ban vay the nao nhu ntn gi nhung can bao lau ngay may "
    "nhieu tien phi le o dau noi co quan nao khong ko k duoc dc thi la lam sao ra va mat het ton giay to "
    "ho so thu tuc gom mang theo quy dinh dinh thoi han khi bao gio chi phi ket qua xong nop gui den "
    "nha co phai muon hoi chut anh chi bac di chua roi nay kia".split())
MAX_QUESTION_WORDS = 30  # longer, and it tells a story: a PAKN with a question in it


def asked_aspects(text: str) -> list[str]:
    """What a question asks: 'where', 'time', 'fee', 'papers' (in the catalogue's answer order)."""
    folded = answers.folded_words(text)
    return [name for name, pattern in _ASPECTS if re.search(pattern, folded)]


def topic_words(text: str) -> int:
    """Words that name what the question is about ('hộ chiếu', 'tạm trú'), not how it asks."""
    return sum(1 for word in answers.folded_words(text).split() if word not in _QUESTION_WORDS)


def is_procedure_question(parse: ParseResult, text: str, state: str) -> bool:
    """The model calls it a question about a procedure and it reads as one. In a draft it must name
    its topic: 'bao lâu thì có kết quả?' there is about the PAKN, which the dialogue answers."""
    if parse.intent != QUESTION_INTENT or len(text.split()) > MAX_QUESTION_WORDS:
        return False
    if not asked_aspects(text):
        return False
    return state not in DRAFT_STATES or topic_words(text) >= 2 or "papers" in asked_aspects(text) and \
        bool(re.search(r"\b(?:giay to|ho so)\b", answers.folded_words(text)))


def question_group(parse: ParseResult, catalogue: Catalogue, fallback: str | None) -> str | None:
    """The procedure group a question is about: the classifier's best PAKN label when it stands out,
    else the draft's group."""
    ranking = [(p, c) for p, c in parse.procedure_ranking if p in catalogue.procedures]
    total = sum(c for _, c in ranking)
    if ranking and total > 0 and ranking[0][1] / total >= MIN_GROUP_SHARE:
        return ranking[0][0]
    return fallback


def _procedure_answer(parse: ParseResult, text: str, context: SideContext) -> SideReply:
    catalogue = context.catalogue
    group = question_group(parse, catalogue, context.procedure)
    if group == OUT_OF_SCOPE_PROCEDURE:  # 'khiếu nại quyết định thu hồi đất thì nộp ở đâu?'
        return complaint_desk(catalogue, intro=False)
    portal = catalogue.help_desks.get("portal") or HelpDesk("Cổng Dịch vụ công quốc gia",
                                                           link="https://dichvucong.gov.vn")
    lines = _guide_lines(catalogue, group, asked_aspects(text), portal) if group else [
        T.GENERIC_ANSWER.format(portal=portal.name, link=portal.link)]
    hotline = catalogue.help_desks.get("hotline")
    if group is None and hotline is not None and hotline.phone:
        lines.append(T.HOTLINE_LINE.format(name=hotline.name, phone=hotline.phone, hours=hotline.hours))
    if context.state in DRAFT_STATES:
        return SideReply("\n".join(lines), then=RESUME)  # the intake's question follows
    return SideReply("\n".join(lines + [T.OFFER_FILE]), OFFER_MENU, then=REST)


def _guide_lines(catalogue: Catalogue, group: str, asked: list[str], portal: HelpDesk) -> list[str]:
    """The group's where / time limit / fee / papers lines, the ones asked about first."""
    guide = catalogue.guides.get(group)
    procedure = catalogue.procedures[group]
    where = (guide.where_to_file if guide else None) or catalogue.agency_name(procedure.default_agency)
    time_limit = (guide.time_limit if guide else None) or T.TIME_VARIES.format(portal=portal.name)
    fee = (guide.fee if guide else None) or T.FEE_VARIES.format(portal=portal.name)
    lines = {"where": T.LINE_WHERE.format(where=_sentence(where)),
             "time": T.LINE_TIME.format(time_limit=_sentence(time_limit)),
             "fee": T.LINE_FEE.format(fee=_sentence(fee)),
             "papers": T.LINE_PAPERS.format(portal=portal.name, link=portal.link)}
    order = [a for a in asked if a in lines] + [a for a in lines if a not in asked]
    return [T.PROCEDURE_HEAD.format(procedure=procedure.name)] + [lines[a] for a in order]


def _sentence(value: str) -> str:
    value = value.strip().rstrip(".")
    return value[:1].upper() + value[1:]


_YES_FILE = re.compile(r"\b(?:co|uk|u|um|vang|ok|oke|duoc|dc)\b.*\b(?:gui|phan anh|kien nghi)\b")


def _wants_to_file(text: str) -> bool:
    """'Vâng, gửi phản ánh', 'uk e mun gui' to the offer (a bare 'có' is the button's title)."""
    return answers.yes_no(text) is True or bool(_YES_FILE.search(answers.folded_words(text)))


# -- khiếu nại / tố cáo -----------------------------------------------------------------------------

_WHERE = re.compile(r"\b(?:o dau|cho nao|noi nao|co quan nao|ai)\s*(?:a|vay|the|nhi|nhe|ha)?\s*$"
                    r"|\b(?:gui|nop|den|toi|len)\s+(?:don\s+)?(?:o|tai)\s+dau\b|\bo dau\b")
_COMPLAINT_WORDS = re.compile(r"\b(?:khieu nai|to cao|don thu|tiep cong dan)\b")


def asks_where(text: str) -> bool:
    """'vậy tôi gửi ở đâu?', 'nộp đơn ở đâu ạ', 'gửi cho ai'."""
    return bool(_WHERE.search(answers.folded_words(text))) and len(text.split()) <= 15


def _asks_where_complaints_go(text: str) -> bool:
    """'khiếu nại quyết định xử phạt thì gửi ở đâu?', 'Vậy tôi nộp đơn khiếu nại ở đâu?'."""
    return asks_where(text) and bool(_COMPLAINT_WORDS.search(answers.folded_words(text)))


def _is_complaint(parse: ParseResult) -> bool:
    return (parse.intent == "phan_anh" and parse.procedure == OUT_OF_SCOPE_PROCEDURE
            and parse.confidence >= REDIRECT_CONFIDENCE)


def complaint_desk(catalogue: Catalogue, intro: bool) -> SideReply:
    """Where and how a khiếu nại / tố cáo is filed, from help_desks.yaml; the draft, if any, ends
    (it was the complaint)."""
    desk = catalogue.help_desks.get("complaints")
    lines = [T.COMPLAINT_WHERE]
    if desk is not None:
        for template, value in ((T.DESK_NAME, desk.name), (T.DESK_ADDRESS, desk.address),
                                (T.DESK_PHONE, desk.phone), (T.DESK_HOURS, desk.hours),
                                (T.DESK_LINK, desk.link)):
            if value:
                lines.append(template.format(name=value, address=value, phone=value, hours=value,
                                             link=value))
    lines.append(T.COMPLAINT_OR)
    return SideReply("\n".join(lines), ((T.BUTTON_COMPLAINT_DESK, P_COMPLAINT_DESK),
                                        (M.BUTTON_FILE, P_FILE)), then=REST,
                     lead=(Reply(M.REDIRECT_COMPLAINT),) if intro else ())


# -- another language ---------------------------------------------------------------------------------

# English words that are not also a Vietnamese syllable typed without marks ('can' is cần, 'the' thế,
# 'to' tờ, 'me' mẹ, 'my' Mỹ, 'do' đó, 'an' ăn, 'on' ổn, 'it' ít, 'not' nốt, 'am' ấm are left out).
ENGLISH_WORDS = frozenset(
    "i you your we our they he she is are was were be been what where when why how which who whom "
    "please hello hi hey thanks thank help would could should will shall does did have has had with "
    "this that these those for of and or but from about there here any some speak english write "
    "ask want need like know foreigner foreign good morning afternoon evening sorry support anyone "
    "someone live living wife husband mother father certificate record passport visa apply "
    "application office staff person call phone number website online language vietnamese service "
    "problem question information yes".split())
VIETNAMESE_WORDS = frozenset(
    "toi em anh chi ban minh cho hoi lam thu tuc giay gi dau bao lau nhieu co khong ko duoc dc la va "
    "cua nha phuong xa muon gui phan nop ho so da chua roi nhe oi vay nao ntn di ve tai voi mot nhung "
    "ma thi se dang bi ra len xin cam chao ad mn nay can cuoc khai sinh kien nghi tien".split())


def is_english(text: str) -> bool:
    """A message in English: no Vietnamese letters, at least two English words among three or more,
    and more English words than Vietnamese syllables typed without marks."""
    if any(ch.isalpha() and not ch.isascii() for ch in text):
        return False  # Vietnamese letters (or another script): not English
    words = re.findall(r"[a-z']+", text.lower())
    if len(words) < 3:
        return False
    english = sum(1 for w in words if w in ENGLISH_WORDS)
    vietnamese = sum(1 for w in words if w in VIETNAMESE_WORDS)
    return english >= 2 and english * 3 >= len(words) and english > vietnamese
