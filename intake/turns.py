"""What a dialogue step takes and gives: the states, the button payloads and menus, the citizen's
turn, the step's replies and actions, and the survey's questions. Shared by the dialogue, the
pipeline, the outbox notifier and the console.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from intake import answers
from intake import messages as M
from intake.dialogue_state import Memory
from intake.problems import Problem
from nlu.result import ParseResult
from routing.catalogue import Catalogue
from routing.rules import handling_unit

IDLE, DESCRIBE, AWAIT_CODE, AWAIT_DIGITS, CHOOSE_PROCEDURE = (
    "idle", "describe", "await_code", "await_digits", "choose_procedure")
ASK_NAME, ASK_PHONE, ASK_ADDRESS, ASK_CONSENT, CONFIRM, EDIT, SURVEY = (
    "ask_name", "ask_phone", "ask_address", "ask_consent", "confirm", "edit", "survey")
AFTER_ANSWER = "after_answer"  # the agency's answer was just pushed: a reply may dispute it
AWAIT_INFO = "await_info"  # staff asked for more information: messages go to the case
SPLIT = "split"  # two problems of different groups in one message: separate cases or one?
LINK_CONSENT = "link_consent"  # staff asked to link a hotline case to this chat: yes or no?
RESTING_STATES = {IDLE, AWAIT_CODE, AWAIT_DIGITS, AFTER_ANSWER}  # no draft, no survey
# States in which the citizen has a draft PAKN that "hủy" throws away.
DRAFT_STATES = {DESCRIBE, CHOOSE_PROCEDURE, ASK_NAME, ASK_PHONE, ASK_ADDRESS, ASK_CONSENT, CONFIRM,
                EDIT, SPLIT}
P_FILE, P_FILE_THIS, P_LOOKUP, P_HUMAN = "/file", "/file:this", "/lookup", "/human"
P_CONFIRM, P_CANCEL, P_EDIT, P_EDIT_FIELD = "/confirm", "/cancel", "/edit", "/edit:"
P_PROCEDURE = "/procedure:"
P_RATE, P_SKIP = "/rate:", "/skip"
P_CONSENT_YES, P_CONSENT_NO = "/consent:yes", "/consent:no"
P_LINK_YES, P_LINK_NO = "/link:yes", "/link:no"
P_FOUND_YES, P_FOUND_NO = "/found:yes", "/found:no"  # a contact detail read out of turn: right?
P_ADD_NOTE = "/note:add"  # put the text kept for staff into the description after all
P_CANCEL_YES, P_CANCEL_NO = "/cancel:yes", "/cancel:no"  # 'Ông/Bà có muốn hủy…?' Hủy / Tiếp tục
P_UNDO = "/undo"  # bring back the draft just cancelled
P_CONFIRM_PRIVATE = "/confirm:private"  # file it, without publishing the result
P_INFO_DONE = "/info:done"  # the citizen sent all the information staff asked for
P_SPLIT_YES, P_SPLIT_NO = "/split:yes", "/split:no"  # file the problems separately / as one
FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")


@dataclass(frozen=True)
class Reply:
    text: str
    quick_replies: tuple[tuple[str, str], ...] = ()  # (title, payload)
    case_code: str | None = None  # the case the reply is about (the one that says it was filed)


@dataclass(frozen=True)
class Action:
    name: str  # "file_case" | "lookup_case" | "escalate" | "deescalate" | "record_rating"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Step:
    state: str
    memory: Memory  # what the conversation remembers in `state` (stored by intake.dialogue_events)
    replies: list[Reply] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


@dataclass(frozen=True)
class Turn:
    text: str
    parse: ParseResult | None
    payload: str | None = None
    escalated: bool = False  # waiting for a staff member who has not taken the conversation yet
    attachments: tuple[dict[str, Any], ...] = ()  # photos, files, a location sent with the message
    contacts: Any = None  # nlu.contacts.Contacts read from the text by the contact extractor, if any
    # The draft's description with this message appended, parsed again by the pipeline: a group,
    # agency or ward named in a later piece re-routes the draft (the dialogue does no I/O itself).
    whole: ParseResult | None = None
    # Two or more problems of different groups in this message (intake.problems), read by the
    # pipeline from its pieces: the dialogue offers to file them as separate cases.
    problems: tuple[Problem, ...] = ()


MAIN_MENU = ((M.BUTTON_FILE, P_FILE), (M.BUTTON_LOOKUP, P_LOOKUP), (M.BUTTON_HUMAN, P_HUMAN))
CONFIRM_MENU = ((M.BUTTON_CONFIRM, P_CONFIRM), (M.BUTTON_EDIT, P_EDIT), (M.BUTTON_CANCEL, P_CANCEL))
# The summary while the result would be published: sending it without publication is one tap.
CONFIRM_PUBLIC_MENU = ((M.BUTTON_CONFIRM, P_CONFIRM), (M.BUTTON_CONFIRM_PRIVATE, P_CONFIRM_PRIVATE),
                       (M.BUTTON_EDIT, P_EDIT), (M.BUTTON_CANCEL, P_CANCEL))
CONSENT_MENU = ((M.CONSENT_YES, P_CONSENT_YES), (M.CONSENT_NO, P_CONSENT_NO))
EDIT_MENU = tuple((title, P_EDIT_FIELD + name) for title, name in M.EDIT_FIELDS) + (
    (M.BUTTON_CANCEL_DRAFT, P_CANCEL),)
FILE_THIS_MENU = ((M.BUTTON_FILE, P_FILE_THIS),)
LINK_MENU = ((M.BUTTON_LINK_YES, P_LINK_YES), (M.BUTTON_LINK_NO, P_LINK_NO))
INFO_MENU = ((M.BUTTON_INFO_DONE, P_INFO_DONE),)


def citizen_unit(catalogue: Catalogue, agency: str | None, ward: str | None) -> str:
    """The unit a citizen is told about: 'UBND phường Cầu Giấy', or without a ward 'UBND phường,
    xã nơi giải quyết vụ việc' rather than the catalogue's 'UBND xã, phường (126 đơn vị)'."""
    unit = handling_unit(catalogue, agency, ward)
    if agency in M.COMMUNE_UNIT_WITHOUT_WARD and unit == catalogue.agency_name(agency):
        return M.COMMUNE_UNIT_WITHOUT_WARD[agency]
    return unit or M.UNCLASSIFIED


def survey_question(criteria: tuple[tuple[str, str], ...], index: int) -> Reply:
    """Question `index` of the SIPAS survey with the five levels as quick replies."""
    buttons = tuple((title, f"{P_RATE}{score}") for title, score in M.SURVEY_BUTTONS)
    text = M.SURVEY_QUESTION.format(number=index + 1, total=len(criteria), text=criteria[index][1])
    return Reply(text, buttons + ((M.BUTTON_SKIP, P_SKIP),))


def parse_rating(text: str, payload: str | None) -> int | None:
    """5 from the button '/rate:5', or a typed '5' or '5 sao' (Zalo shows numbered text)."""
    if payload and payload.startswith(P_RATE):
        raw = payload[len(P_RATE):]
    else:
        typed = re.fullmatch(r"([1-5])(?:\s*/\s*5)?(?:\s*(?:sao|diem|d))?", answers.folded_words(text))
        raw = typed.group(1) if typed else ""
    return int(raw) if raw in {"1", "2", "3", "4", "5"} else None


def lookup_action(code: str, text: str) -> Action:
    """Look a case up; four digits sent with the code are the last digits of its phone number."""
    digits = FOUR_DIGITS.findall(answers.without_case_codes(text))
    return Action("lookup_case", {"code": code, "digits": digits[-1] if digits else None})
