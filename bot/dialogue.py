"""The intake conversation as an explicit state table. No I/O: a step takes the state, the slots
and what the citizen sent, and returns the next state, the replies and the actions to run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from bot import messages as M
from bot.nlu.entities import normalize_phone
from bot.nlu.result import FALLBACK, ParseResult
from bot.nlu.text import fold, squash_spaces
from routing.catalogue import OUT_OF_SCOPE_PROCEDURE, Catalogue
from routing.rules import choose_agency, handling_unit

IDLE, CHOOSE_PROCEDURE, ASK_NAME, ASK_PHONE, ASK_ADDRESS, ASK_CONSENT, CONFIRM, SURVEY = (
    "idle", "choose_procedure", "ask_name", "ask_phone", "ask_address", "ask_consent", "confirm",
    "survey")
P_FILE, P_LOOKUP, P_HUMAN, P_CONFIRM, P_CANCEL = "/file", "/lookup", "/human", "/confirm", "/cancel"
P_PROCEDURE = "/procedure:"
P_RATE, P_SKIP = "/rate:", "/skip"
P_CONSENT_YES, P_CONSENT_NO = "/consent:yes", "/consent:no"
SKIP_WORDS = {"bo qua", "bo", "skip", "khong danh gia"}
OTHER = "other"
CANCEL_WORDS = {"huy", "huy bo", "thoi", "dung lai", "khong gui nua", "cancel", "huy phan anh"}
CONFIRM_WORDS = {"co", "xac nhan", "xac nhan gui", "dong y", "ok", "oke", "yes", "gui", "gui di", "dung"}
DENY_WORDS = {"khong", "ko", "k", "no", "sai"}
HUMAN_WORDS = ("gap can bo", "nguoi that", "tong dai vien", "noi chuyen voi can bo")
NAME = re.compile(r"^[^\d@#/\\<>{}\[\]=+*_|~^$%]{4,80}$")
MIN_WORDS_TO_GUESS = 4


@dataclass(frozen=True)
class Reply:
    text: str
    quick_replies: tuple[tuple[str, str], ...] = ()  # (title, payload)


@dataclass(frozen=True)
class Action:
    name: str  # "file_case" | "lookup_case" | "escalate"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Step:
    state: str
    slots: dict[str, Any]
    replies: list[Reply] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


@dataclass(frozen=True)
class Turn:
    text: str
    parse: ParseResult | None
    payload: str | None = None


MAIN_MENU = ((M.BUTTON_FILE, P_FILE), (M.BUTTON_LOOKUP, P_LOOKUP), (M.BUTTON_HUMAN, P_HUMAN))
CONFIRM_MENU = ((M.BUTTON_CONFIRM, P_CONFIRM), (M.BUTTON_CANCEL, P_CANCEL))
CONSENT_MENU = ((M.CONSENT_YES, P_CONSENT_YES), (M.CONSENT_NO, P_CONSENT_NO))


def survey_question(criteria: tuple[tuple[str, str], ...], index: int) -> Reply:
    """Question `index` of the SIPAS survey with the five levels as quick replies."""
    buttons = tuple((title, f"{P_RATE}{score}") for title, score in M.SURVEY_BUTTONS)
    text = M.SURVEY_QUESTION.format(number=index + 1, total=len(criteria), text=criteria[index][1])
    return Reply(text, buttons + ((M.BUTTON_SKIP, P_SKIP),))


def parse_rating(text: str, payload: str | None) -> int | None:
    """5 from the button '/rate:5', or a typed '5' (Zalo shows the levels as numbered text)."""
    raw = payload[len(P_RATE):] if payload and payload.startswith(P_RATE) else text.strip()
    return int(raw) if raw in {"1", "2", "3", "4", "5"} else None


class Dialogue:
    def __init__(self, catalogue: Catalogue,
                 criteria: tuple[tuple[str, str], ...] = ()) -> None:
        self.catalogue = catalogue
        self.criteria = criteria
        self.table: dict[str, Callable[[dict[str, Any], Turn], Step]] = {
            IDLE: self._idle, CHOOSE_PROCEDURE: self._choose_procedure, ASK_NAME: self._ask_name,
            ASK_PHONE: self._ask_phone, ASK_ADDRESS: self._ask_address,
            ASK_CONSENT: self._ask_consent, CONFIRM: self._confirm,
            SURVEY: self._survey,
        }

    def step(self, state: str, slots: dict[str, Any], turn: Turn) -> Step:
        words = fold(squash_spaces(turn.text)).strip(" .!?")
        if turn.payload == P_CANCEL or (state != IDLE and words in CANCEL_WORDS):
            return Step(IDLE, {}, [Reply(M.CANCELLED if state != IDLE else M.NOTHING_TO_CANCEL,
                                         MAIN_MENU)])
        if turn.payload == P_HUMAN or any(phrase in words for phrase in HUMAN_WORDS):
            return Step(state, slots, [Reply(M.ESCALATED)], [Action("escalate")])
        handler = self.table.get(state, self._idle)
        return handler(dict(slots), turn)

    # -- states -------------------------------------------------------------------------------

    def _idle(self, slots: dict[str, Any], turn: Turn) -> Step:
        parse = turn.parse
        code = parse.entity("case_code") if parse else None
        if code:
            return Step(IDLE, {}, actions=[Action("lookup_case", {"code": code})])
        if turn.payload == P_FILE:
            return Step(IDLE, {}, [Reply(M.DESCRIBE)])
        if turn.payload == P_LOOKUP:
            return Step(IDLE, {}, [Reply(M.ASK_CODE)])
        if parse is None:
            return Step(IDLE, {}, [Reply(M.UNCLEAR, MAIN_MENU)])
        if parse.intent == "phan_anh" and parse.procedure == OUT_OF_SCOPE_PROCEDURE:
            return Step(IDLE, {}, [Reply(M.REDIRECT_COMPLAINT)])
        if parse.intent == "phan_anh":
            return self._start_intake(parse, parse.procedure)
        if parse.intent == "tra_cuu":
            return Step(IDLE, {}, [Reply(M.ASK_CODE)])
        if parse.intent == "gap_can_bo":
            return Step(IDLE, {}, [Reply(M.ESCALATED)], [Action("escalate")])
        if parse.intent == "cam_on":
            return Step(IDLE, {}, [Reply(M.THANKS)])
        if parse.intent == "huy_bo":
            return Step(IDLE, {}, [Reply(M.NOTHING_TO_CANCEL, MAIN_MENU)])
        if parse.intent == FALLBACK and self._worth_asking(parse):
            return self._offer_procedures(parse)
        if parse.intent == "chao_hoi":
            return Step(IDLE, {}, [Reply(M.HELP, MAIN_MENU)])
        return Step(IDLE, {}, [Reply(M.UNCLEAR, MAIN_MENU)])

    def _choose_procedure(self, slots: dict[str, Any], turn: Turn) -> Step:
        options: list[str] = slots.get("options", [])
        choice = None
        if turn.payload and turn.payload.startswith(P_PROCEDURE):
            choice = turn.payload[len(P_PROCEDURE):]
        elif turn.text.strip().isdigit() and 1 <= int(turn.text.strip()) <= len(options) + 1:
            index = int(turn.text.strip())
            choice = options[index - 1] if index <= len(options) else OTHER
        if choice is None or (choice != OTHER and choice not in self.catalogue.procedures):
            return Step(CHOOSE_PROCEDURE, slots, [self._procedure_menu(options)])
        if choice == OUT_OF_SCOPE_PROCEDURE:
            return Step(IDLE, {}, [Reply(M.REDIRECT_COMPLAINT)])
        procedure = None if choice == OTHER else choice
        slots.pop("options", None)
        slots["procedure"] = procedure
        slots["agency"] = choose_agency(self.catalogue, procedure, slots.get("named_agencies", []))
        return self._next_question(slots, [self._understood(slots)])

    def _ask_name(self, slots: dict[str, Any], turn: Turn) -> Step:
        name = squash_spaces(turn.text)
        if len(name.split()) < 2 or not NAME.match(name):
            return Step(ASK_NAME, slots, [Reply(M.ASK_NAME_AGAIN)])
        slots["name"] = name.title() if name.islower() or name.isupper() else name
        return self._next_question(slots)

    def _ask_phone(self, slots: dict[str, Any], turn: Turn) -> Step:
        phone = (turn.parse.entity("phone") if turn.parse else None) or normalize_phone(turn.text)
        if not phone:
            return Step(ASK_PHONE, slots, [Reply(M.ASK_PHONE_AGAIN)])
        slots["phone"] = phone
        return self._next_question(slots)

    def _ask_address(self, slots: dict[str, Any], turn: Turn) -> Step:
        address = squash_spaces(turn.text)
        if len(address) < 5:
            return Step(ASK_ADDRESS, slots, [Reply(M.ASK_ADDRESS_AGAIN)])
        slots["address"] = address
        if not slots.get("ward") and turn.parse is not None:
            slots["ward"] = turn.parse.entity("ward")
        return self._next_question(slots)

    def _ask_consent(self, slots: dict[str, Any], turn: Turn) -> Step:
        words = fold(squash_spaces(turn.text)).strip(" .!?")
        if turn.payload == P_CONSENT_YES or words in CONFIRM_WORDS or words in ("1", "dong y cong khai"):
            slots["publish_consent"] = True
        elif turn.payload == P_CONSENT_NO or words in DENY_WORDS or words in ("2", "khong cong khai"):
            slots["publish_consent"] = False
        else:
            return Step(ASK_CONSENT, slots, [Reply(M.ASK_CONSENT, CONSENT_MENU)])
        return self._next_question(slots)

    def _confirm(self, slots: dict[str, Any], turn: Turn) -> Step:
        words = fold(squash_spaces(turn.text)).strip(" .!?")
        if turn.payload == P_CONFIRM or words in CONFIRM_WORDS or words == "1":
            return Step(IDLE, {}, actions=[Action("file_case", {"slots": slots})])
        if words in DENY_WORDS or words == "2":
            return Step(IDLE, {}, [Reply(M.CANCELLED, MAIN_MENU)])
        return Step(CONFIRM, slots, [Reply(M.CONFIRM_HINT, CONFIRM_MENU)])

    def _survey(self, slots: dict[str, Any], turn: Turn) -> Step:
        words = fold(squash_spaces(turn.text)).strip(" .!?")
        if turn.payload == P_SKIP or words in SKIP_WORDS:
            return Step(IDLE, {}, [Reply(M.SURVEY_SKIPPED)])
        score = parse_rating(turn.text, turn.payload)
        if score is None:
            if turn.parse is not None and turn.parse.intent not in (FALLBACK, "cam_on"):
                return self._idle({}, turn)  # the citizen moved on: leave the survey
            return Step(SURVEY, slots, [Reply(M.SURVEY_RATING_HINT)])
        index = int(slots["index"])
        action = Action("record_rating", {"code": slots["case_code"],
                                          "criterion": self.criteria[index][0], "score": score})
        if index + 1 < len(self.criteria):
            slots["index"] = index + 1
            return Step(SURVEY, slots, [survey_question(self.criteria, index + 1)], [action])
        return Step(IDLE, {}, [Reply(M.SURVEY_THANKS)], [action])

    # -- helpers ------------------------------------------------------------------------------

    def _start_intake(self, parse: ParseResult, procedure: str | None) -> Step:
        slots: dict[str, Any] = {
            "text": parse.text, "procedure": procedure, "agency": parse.agency,
            "named_agencies": parse.entity_values("agency"), "ward": parse.entity("ward"),
            "phone": parse.entity("phone"),
        }
        return self._next_question(slots, [self._understood(slots)])

    def _understood(self, slots: dict[str, Any]) -> Reply:
        text = M.UNDERSTOOD.format(procedure=self._procedure_label(slots.get("procedure")),
                                   agency=self._agency_label(slots))
        if slots.get("ward"):
            text += M.UNDERSTOOD_WARD.format(ward=slots["ward"])
        return Reply(text)

    def _next_question(self, slots: dict[str, Any], replies: list[Reply] | None = None) -> Step:
        replies = list(replies or [])
        first_question = not any(slots.get(k) for k in ("name", "address"))
        for slot, state, question in (("name", ASK_NAME, M.ASK_NAME), ("phone", ASK_PHONE, M.ASK_PHONE),
                                      ("address", ASK_ADDRESS, M.ASK_ADDRESS)):
            if not slots.get(slot):
                text = f"{M.LAW_NOTE}\n{question}" if first_question else question
                return Step(state, slots, replies + [Reply(text)])
        if "publish_consent" not in slots:
            return Step(ASK_CONSENT, slots, replies + [Reply(M.ASK_CONSENT, CONSENT_MENU)])
        summary = M.SUMMARY.format(
            text=slots["text"], procedure=self._procedure_label(slots.get("procedure")),
            agency=self._agency_label(slots), name=slots["name"],
            phone=slots["phone"], address=slots["address"],
            consent=M.CONSENT_YES if slots["publish_consent"] else M.CONSENT_NO)
        return Step(CONFIRM, slots, replies + [Reply(summary, CONFIRM_MENU)])

    def _worth_asking(self, parse: ParseResult) -> bool:
        return bool(parse.procedure_ranking) and len(parse.text.split()) >= MIN_WORDS_TO_GUESS

    def _offer_procedures(self, parse: ParseResult) -> Step:
        options = [p for p, _ in parse.procedure_ranking if p in self.catalogue.procedures][:3]
        slots = {"text": parse.text, "options": options, "ward": parse.entity("ward"),
                 "phone": parse.entity("phone"), "named_agencies": parse.entity_values("agency")}
        return Step(CHOOSE_PROCEDURE, slots, [self._procedure_menu(options)])

    def _procedure_menu(self, options: list[str]) -> Reply:
        buttons = tuple((self.catalogue.procedures[p].name, P_PROCEDURE + p) for p in options)
        return Reply(M.CHOOSE_PROCEDURE, buttons + ((M.OTHER_PROCEDURE, P_PROCEDURE + OTHER),))

    def _procedure_label(self, procedure: str | None) -> str:
        return self.catalogue.procedure_name(procedure) or M.UNCLASSIFIED

    def _agency_label(self, slots: dict[str, Any]) -> str:
        """'UBND phường Cầu Giấy' when the ward is known, else the agency's name."""
        return handling_unit(self.catalogue, slots.get("agency"), slots.get("ward")) or M.UNCLASSIFIED
