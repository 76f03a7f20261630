"""What happens to a conversation outside the chat, sent to the dialogue as events, and the one
place a step is stored on the conversation row.

The pipeline (a case could not be filed, a lookup needs the phone's last digits), the outbox
notifier (a case was answered, a survey is due) and the console (staff took the conversation or
handed it back, staff asked the citizen for more information) build an event and call
`Dialogue.on_event`; the dialogue decides the next state and what the citizen is told, and
`store(conversation, step)` writes it. Nobody else assigns `conversation.state` or `.slots`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from intake import answers
from intake import messages as M
from intake.dialogue_state import ASKED, Memory
from intake.turns import (
    AFTER_ANSWER,
    ASK_ADDRESS,
    ASK_NAME,
    ASK_PHONE,
    AWAIT_DIGITS,
    AWAIT_INFO,
    DRAFT_STATES,
    IDLE,
    INFO_MENU,
    LINK_CONSENT,
    RESTING_STATES,
    SURVEY,
    Action,
    Reply,
    Step,
    survey_question,
)
from routing.model import Conversation


@dataclass(frozen=True)
class CaseAnswered:
    code: str  # the agency's answer was pushed: a reply may dispute it


@dataclass(frozen=True)
class SurveyDue:
    code: str  # the case was closed: the SIPAS survey may start if the citizen is free


@dataclass(frozen=True)
class FilingRefused:
    pass  # the case could not be filed (contact data missing): the draft is gone


@dataclass(frozen=True)
class CaseFiled:
    code: str  # the draft was filed: a repeated 'Xác nhận gửi' is told so, with this code


@dataclass(frozen=True)
class DigitsNeeded:
    code: str  # a lookup of someone else's case: the last four digits of its phone are asked


@dataclass(frozen=True)
class InfoRequested:
    code: str  # staff asked for more information: the next messages go to this case


@dataclass(frozen=True)
class InfoRequestClosed:
    code: str  # staff closed the request: messages are read as usual again


@dataclass(frozen=True)
class StaffTookOver:
    ask_name: bool = False  # a web chat without a name: staff need one to address the citizen


@dataclass(frozen=True)
class MessageToStaff:
    text: str  # the citizen wrote while staff have the conversation (the bot answers nothing else)


@dataclass(frozen=True)
class StaffHandedBack:
    pass  # the bot takes over where the citizen was: a draft in progress is kept


Event = Union[CaseAnswered, SurveyDue, FilingRefused, CaseFiled, DigitsNeeded, InfoRequested,
              InfoRequestClosed, StaffTookOver, MessageToStaff, StaffHandedBack]


def handle(criteria: tuple[tuple[str, str], ...], state: str, m: Memory, event: Event) -> Step:
    if isinstance(event, InfoRequested):
        if state in RESTING_STATES or state in (SURVEY, AWAIT_INFO):
            return Step(AWAIT_INFO, Memory(info_case=event.code,
                                           menu=[list(button) for button in INFO_MENU]))
        m.info_case = event.code  # in a draft or a link question: the request waits for its end
        return Step(state, m)
    if isinstance(event, InfoRequestClosed):
        if state == AWAIT_INFO and m.info_case == event.code:
            return Step(IDLE, Memory())
        if m.info_case == event.code:
            m.info_case = None
        return Step(state, m)
    if isinstance(event, CaseAnswered):
        if state in RESTING_STATES or state == AWAIT_INFO:
            return Step(AFTER_ANSWER, Memory(case_code=event.code))
        return Step(state, m)
    if isinstance(event, SurveyDue):
        if state in DRAFT_STATES or state in (SURVEY, LINK_CONSENT) or not criteria:
            return Step(state, m)  # in the middle of something: asked on a later run
        return Step(SURVEY, Memory(case_code=event.code, survey_index=0),
                    [Reply(M.SURVEY_INTRO.format(code=event.code)),
                     survey_question(criteria, 0)])
    if isinstance(event, FilingRefused):
        return Step(IDLE, Memory())
    if isinstance(event, CaseFiled):
        if state in DRAFT_STATES:  # staff filed this draft from the conversation: never file it again
            return Step(IDLE, Memory(filed_code=event.code, waiting_told=m.waiting_told))
        if state == IDLE:
            m.filed_code = event.code
        return Step(state, m)
    if isinstance(event, DigitsNeeded):
        return Step(AWAIT_DIGITS, Memory(lookup_code=event.code))
    if isinstance(event, StaffHandedBack):
        m.waiting_told = False
        m.name_asked = False
        return Step(state, m, actions=[Action("deescalate")])
    if isinstance(event, StaffTookOver):
        return _took_over(state, m, event)
    if isinstance(event, MessageToStaff):
        return _name_for_staff(state, m, event.text)
    return Step(state, m)


def _took_over(state: str, m: Memory, event: StaffTookOver) -> Step:
    """The bot stays quiet while staff have the conversation (pipeline); a web chat without a name
    takes the draft's name if the citizen gave one, else the name is asked once."""
    if not event.ask_name:
        return Step(state, m)
    known = m.draft.name.value if m.draft is not None else None
    if known:
        return Step(state, m, actions=[Action("display_name", {"name": known})])
    m.name_asked = True
    return Step(state, m, [Reply(M.ASK_NAME_FOR_STAFF)])


def _name_for_staff(state: str, m: Memory, text: str) -> Step:
    """The first message after the name question: a name names the conversation (and fills the
    draft's empty name: it answers the name question); anything else is left to staff."""
    if not m.name_asked:
        return Step(state, m)
    m.name_asked = False  # asked once: staff go on with whatever the citizen wrote
    name = answers.clean_name(text)
    if name is None:
        return Step(state, m)
    if m.draft is not None and not m.draft.name.value:
        m.draft.name.take(name, ASKED)
        if state == ASK_NAME:  # after hand-back the intake asks what is still missing, not the name
            state = ASK_PHONE if not m.draft.phone.value else ASK_ADDRESS if not m.draft.address.value else state
    return Step(state, m, [Reply(M.NAME_FOR_STAFF_THANKS.format(name=name))],
                [Action("display_name", {"name": name})])


def store(conversation: Conversation, step: Step) -> None:
    """The step's state and memory on the conversation row; escalation as the step's actions say."""
    conversation.state = step.state
    conversation.slots = step.memory.to_json()
    for action in step.actions:
        if action.name in ("escalate", "deescalate"):
            conversation.escalated = action.name == "escalate"
        elif action.name == "display_name":  # what the inbox calls the citizen
            conversation.display_name = str(action.params["name"])
